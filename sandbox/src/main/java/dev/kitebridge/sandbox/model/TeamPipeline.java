package dev.kitebridge.sandbox.model;

import java.time.Instant;

/** A team's access to one pipeline. */
public record TeamPipeline(String uuid, String teamUuid, String pipelineUuid, AccessLevel accessLevel, Instant createdAt) {

    public enum AccessLevel { READ_ONLY, BUILD_AND_READ, MANAGE_BUILD_AND_READ }

    public String graphqlId() {
        return GraphqlIds.of("TeamPipeline", uuid);
    }
}
