package dev.kitebridge.access;

import java.util.Optional;

import dev.kitebridge.buildkite.BuildkiteToken;

/** Where Buildkite tokens are kept (Secrets Manager in AWS), one per integrated account. */
public interface TokenVault {

    void put(String accountId, BuildkiteToken token);

    Optional<BuildkiteToken> get(String accountId);

    void delete(String accountId);

    /** Drops any copy kept in the process (Buildkite refused the token); the next read fetches it again. */
    default void evict(String accountId) {
    }
}
