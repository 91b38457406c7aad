package dev.kitebridge.directory.model;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/** One Buildkite organization the token reaches. */
public record UnifiedOrganization(
        String id,
        String name,
        String slug,
        String webUrl,
        Instant createdAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode remoteData) {
}
