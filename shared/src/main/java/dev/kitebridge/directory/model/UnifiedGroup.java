package dev.kitebridge.directory.model;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/** One Buildkite team. */
public record UnifiedGroup(
        String id,
        String name,
        String slug,
        String description,
        String organization,
        String groupType,
        String privacy,
        Boolean isDefault,
        String defaultMemberRole,
        Integer membersCount,
        List<Pipeline> pipelines,
        Instant createdAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode remoteData) {

    public static final String TEAM = "team";

    public record Pipeline(String id, String slug, String accessLevel) {}
}
