package dev.kitebridge.state.memory;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.kitebridge.access.TokenVault;
import dev.kitebridge.buildkite.BuildkiteToken;

/** Tokens in memory, for tests and the local dev server. */
public final class InMemoryTokenVault implements TokenVault {

    private final Map<String, BuildkiteToken> tokens = new ConcurrentHashMap<>();

    @Override
    public void put(String accountId, BuildkiteToken token) {
        tokens.put(accountId, token);
    }

    @Override
    public Optional<BuildkiteToken> get(String accountId) {
        return Optional.ofNullable(tokens.get(accountId));
    }

    @Override
    public void delete(String accountId) {
        tokens.remove(accountId);
    }
}
