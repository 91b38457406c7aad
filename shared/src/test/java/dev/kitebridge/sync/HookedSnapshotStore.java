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
final class HookedSnapshotStore extends ForwardingSnapshotStore {

    private final AtomicReference<Runnable> hook = new AtomicReference<>();
    private volatile Predicate<String> trigger = key -> false;

    HookedSnapshotStore() {
        super(new InMemorySnapshotStore());
    }

    /** Runs {@code change} once, after the first write of an item whose key {@code trigger} matches. */
    void once(Predicate<String> itemKey, Runnable change) {
        trigger = itemKey;
        hook.set(change);
    }

    @Override
    public void put(String accountId, long generation, List<Item> items, java.time.Instant expiresAt) {
        store.put(accountId, generation, items, expiresAt);
        if (items.stream().anyMatch(item -> trigger.test(item.key()) || InPlace.keysOf(item).stream().anyMatch(trigger))) {
            Runnable change = hook.getAndSet(null);
            if (change != null) {
                change.run();
            }
        }
    }
}
