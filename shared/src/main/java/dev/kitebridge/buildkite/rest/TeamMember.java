package dev.kitebridge.buildkite.rest;

import java.time.Instant;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import dev.kitebridge.buildkite.TeamRole;

/** A member of a team: no email, no team id and no membership UUID come with it. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TeamMember(String userId, String userName, TeamRole role, Instant createdAt) {}
