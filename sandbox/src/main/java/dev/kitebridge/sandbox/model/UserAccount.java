package dev.kitebridge.sandbox.model;

import java.time.Instant;

/** A Buildkite user: one person or bot, who may belong to several organizations. */
public record UserAccount(
        String uuid,
        String name,
        String email,
        String avatarUrl,
        Instant createdAt,
        boolean bot,
        boolean machineUser,
        boolean twoFactorEnabled,
        boolean passwordProtected) {

    public String graphqlId() {
        return GraphqlIds.of("User", uuid);
    }
}
