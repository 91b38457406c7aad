package dev.kitebridge.sync;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import dev.kitebridge.state.memory.InMemorySnapshotStore;

/**
 * Snapshots in memory, with a hook that runs once, right after the first write of an item the
 * trigger matches: a test changes Buildkite's world at that point of a read (a member who leaves
 * once a page is read). A run in place writes only what changed, and a marker naming what each
 * page read: an item a marker names counts as written with it.
 */
final class HookedSnapshotStore implements SnapshotStore {

    private final SnapshotStore kept = new InMemorySnapshotStore();
    private final AtomicReference<Runnable> hook = new AtomicReference<>();
    private volatile Predicate<String> trigger = key -> false;

    /** Runs {@code change} once, after the first write of an item whose key {@code trigger} matches. */
    void once(Predicate<String> itemKey, Runnable change) {
        trigger = itemKey;
        hook.set(change);
    }

    @Override
    public void put(String accountId, long generation, List<Item> items, java.time.Instant expiresAt) {
        kept.put(accountId, generation, items, expiresAt);
        if (items.stream().anyMatch(item -> trigger.test(item.key()) || InPlace.keysOf(item).stream().anyMatch(trigger))) {
            Runnable change = hook.getAndSet(null);
            if (change != null) {
                change.run();
            }
        }
    }

    @Override
    public List<Item> list(String accountId, long generation, String afterKey, int limit) {
        return kept.list(accountId, generation, afterKey, limit);
    }

    @Override
    public List<Item> list(String accountId, long generation, String afterKey, String beforeKey, int limit) {
        return kept.list(accountId, generation, afterKey, beforeKey, limit);
    }

    @Override
    public List<Item> get(String accountId, long generation, java.util.Collection<String> keys) {
        return kept.get(accountId, generation, keys);
    }

    @Override
    public void delete(String accountId, long generation, List<String> keys) {
        kept.delete(accountId, generation, keys);
    }
}
