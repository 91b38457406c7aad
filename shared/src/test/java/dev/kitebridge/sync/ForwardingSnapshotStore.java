package dev.kitebridge.sync;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * A snapshot store that passes each call on to another: a test's store overrides only the calls it
 * watches or changes. The interface's own defaults (settled lists, prefixes, ranges) stay on this
 * store, so they go through its overrides as they would through any store's.
 */
abstract class ForwardingSnapshotStore implements SnapshotStore {

    protected final SnapshotStore store;

    ForwardingSnapshotStore(SnapshotStore store) {
        this.store = store;
    }

    @Override
    public void put(String accountId, long generation, List<Item> items, Instant expiresAt) {
        store.put(accountId, generation, items, expiresAt);
    }

    @Override
    public List<Item> list(String accountId, long generation, String afterKey, int limit) {
        return store.list(accountId, generation, afterKey, limit);
    }

    @Override
    public List<Item> list(String accountId, long generation, String afterKey, String beforeKey, int limit) {
        return store.list(accountId, generation, afterKey, beforeKey, limit);
    }

    @Override
    public List<Item> get(String accountId, long generation, Collection<String> keys) {
        return store.get(accountId, generation, keys);
    }

    @Override
    public void delete(String accountId, long generation, List<String> keys) {
        store.delete(accountId, generation, keys);
    }
}
