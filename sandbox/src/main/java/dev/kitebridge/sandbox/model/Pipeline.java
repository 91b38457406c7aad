package dev.kitebridge.sandbox.model;

import java.time.Instant;

/** A pipeline of an organization; teams reach pipelines through {@link TeamPipeline}. */
public record Pipeline(
        String uuid,
        String organizationUuid,
        String name,
        String slug,
        String repository,
        String defaultBranch,
        Instant createdAt,
        String createdByUserUuid) {

    public String graphqlId() {
        return GraphqlIds.of("Pipeline", uuid);
    }
}
