package dev.kitebridge.buildkite.rest;

import java.time.Instant;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** A pipeline, with the fields the directory uses. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Pipeline(String id, String graphqlId, String url, String webUrl, String name, String slug,
                       String repository, String defaultBranch, Instant createdAt) {}
