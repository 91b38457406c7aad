package dev.kitebridge.buildkite.rest;

import java.time.Instant;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import dev.kitebridge.buildkite.PipelineAccessLevel;

/** A team's access to a pipeline. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TeamPipeline(String pipelineId, PipelineAccessLevel accessLevel, String pipelineUrl, Instant createdAt) {}
