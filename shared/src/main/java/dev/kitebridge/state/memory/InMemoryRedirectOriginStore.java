package dev.kitebridge.state.memory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.kitebridge.connect.RedirectOriginStore;

/** Tenants' allowed redirect origins in memory, for tests and the local dev server. */
public final class InMemoryRedirectOriginStore implements RedirectOriginStore {

    private final Map<String, List<String>> origins = new ConcurrentHashMap<>();

    @Override
    public List<String> origins(String tenantId) {
        return origins.getOrDefault(tenantId, List.of());
    }

    @Override
    public void set(String tenantId, List<String> values) {
        origins.put(tenantId, List.copyOf(values));
    }
}
