package dev.kitebridge.buildkite.rest;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import dev.kitebridge.buildkite.TeamPrivacy;
import dev.kitebridge.buildkite.TeamRole;

/** A team. {@code default} means new organization members join it automatically. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Team(
        String id,
        String graphqlId,
        String name,
        String slug,
        String description,
        TeamPrivacy privacy,
        @JsonProperty("default") boolean isDefault,
        TeamRole defaultMemberRole,
        Boolean membersCanCreatePipelines,
        Boolean membersCanCreateSuites,
        Boolean membersCanCreateRegistries,
        Boolean membersCanDestroyRegistries,
        Boolean membersCanDestroyPackages,
        Instant createdAt,
        User createdBy) {}
