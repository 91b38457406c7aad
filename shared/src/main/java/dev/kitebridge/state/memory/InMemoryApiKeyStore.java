package dev.kitebridge.state.memory;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.kitebridge.tenants.ApiKeyStore;

/** API key hashes in memory, for tests and the local dev server. */
public final class InMemoryApiKeyStore implements ApiKeyStore {

    private final Map<String, StoredKey> byHash = new ConcurrentHashMap<>();

    @Override
    public synchronized void save(StoredKey key) {
        if (byHash.values().stream().anyMatch(k -> k.tenantId().equals(key.tenantId()) && k.prefix().equals(key.prefix()))) {
            throw new IllegalStateException("tenant " + key.tenantId() + " has a key with prefix " + key.prefix());
        }
        byHash.put(key.hash(), key);
    }

    @Override
    public Optional<String> tenantOf(String keyHash) {
        return Optional.ofNullable(byHash.get(keyHash)).map(StoredKey::tenantId);
    }

    @Override
    public List<StoredKey> list(String tenantId) {
        return byHash.values().stream().filter(k -> k.tenantId().equals(tenantId))
                .sorted(Comparator.comparing(StoredKey::createdAt)).toList();
    }

    @Override
    public boolean revoke(String tenantId, String prefix) {
        return byHash.values().removeIf(k -> k.tenantId().equals(tenantId) && k.prefix().equals(prefix));
    }
}
