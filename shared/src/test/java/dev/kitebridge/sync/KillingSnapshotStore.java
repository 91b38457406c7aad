package dev.kitebridge.sync;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A snapshot store that kills its worker at the Nth call: an Error, which nothing in the engine
 * catches, as a process that dies mid-step leaves its state (the lease is let go by the worker's
 * finally block, as it would expire).
 */
final class KillingSnapshotStore implements SnapshotStore {

    static final class Killed extends Error {
        Killed() {
            super("killed");
        }
    }

    private final SnapshotStore store;
    private final AtomicInteger callsLeft = new AtomicInteger(-1);

    KillingSnapshotStore(SnapshotStore store) {
        this.store = store;
    }

    /** Kills at the {@code calls}-th call from now; -1: never. */
    void killAfter(int calls) {
        callsLeft.set(calls);
    }

    private void maybeDie() {
        if (callsLeft.get() >= 0 && callsLeft.getAndDecrement() == 0) {
            throw new Killed();
        }
    }

    @Override
    public void put(String accountId, long generation, List<Item> items) {
        maybeDie();
        store.put(accountId, generation, items);
    }

    @Override
    public List<Item> list(String accountId, long generation, String afterKey, int limit) {
        maybeDie();
        return store.list(accountId, generation, afterKey, limit);
    }

    @Override
    public void delete(String accountId, long generation, List<String> keys) {
        maybeDie();
        store.delete(accountId, generation, keys);
    }
}
