package dev.kitebridge.buildkite.rest;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * {@code GET /v2/access-token}: what the token may do. Its timestamps come as
 * {@code 2025-07-16 06:07:42 UTC}; {@code expires_at} is null or absent for tokens that never expire.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record AccessToken(String uuid, List<String> scopes, String description, Instant createdAt, Instant expiresAt,
                          Owner user) {

    public AccessToken {
        scopes = scopes == null ? List.of() : List.copyOf(scopes);
    }

    public record Owner(String name, String email) {}
}
