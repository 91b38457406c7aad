package dev.kitebridge.sync;

import dev.kitebridge.state.memory.InMemoryEventLog;
import dev.kitebridge.state.memory.InMemorySnapshotStore;
import dev.kitebridge.state.memory.InMemorySyncStore;

/** The state syncs run on: runs and account states, snapshots, the event log, and the queue workers take runs from. */
public record SyncState(SyncStore runs, SnapshotStore snapshots, EventLog events, SyncQueue queue) {

    /** All in memory, with the given queue: tests, tools and the local dev server. */
    public static SyncState inMemory(SyncQueue queue) {
        return new SyncState(new InMemorySyncStore(), new InMemorySnapshotStore(), new InMemoryEventLog(), queue);
    }
}
