package dev.kitebridge.buildkite.rest;

import java.time.Instant;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** A Buildkite organization. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Organization(String id, String graphqlId, String url, String webUrl, String name, String slug,
                           Instant createdAt) {}
