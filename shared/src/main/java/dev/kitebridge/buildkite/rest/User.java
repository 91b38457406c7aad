package dev.kitebridge.buildkite.rest;

import java.time.Instant;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** A Buildkite user ({@code GET /v2/user}, and a team's {@code created_by}); {@code id} is the user UUID. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record User(String id, String graphqlId, String name, String email, String avatarUrl, Instant createdAt) {}
