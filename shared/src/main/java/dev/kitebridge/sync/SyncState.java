package dev.kitebridge.sync;

import dev.kitebridge.state.memory.InMemoryDeadLetterStore;
import dev.kitebridge.state.memory.InMemoryEventLog;
import dev.kitebridge.state.memory.InMemorySnapshotStore;
import dev.kitebridge.state.memory.InMemorySyncStore;
import dev.kitebridge.state.memory.InMemoryWebhookStore;
import dev.kitebridge.webhooks.DeadLetterStore;
import dev.kitebridge.webhooks.WebhookStore;

/**
 * The state syncs and their deliveries run on: runs and account states, snapshots, the event log,
 * the queue workers take runs from, webhook subscriptions and parked deliveries.
 */
public record SyncState(SyncStore runs, SnapshotStore snapshots, EventLog events, SyncQueue queue, WebhookStore webhooks,
                        DeadLetterStore deadLetters) {

    /** All in memory, with the given queue: tests, tools and the local dev server. */
    public static SyncState inMemory(SyncQueue queue) {
        return new SyncState(new InMemorySyncStore(), new InMemorySnapshotStore(), new InMemoryEventLog(), queue,
                new InMemoryWebhookStore(), new InMemoryDeadLetterStore());
    }

    /** The same state with another queue (the dev server works on runs in its own process). */
    public SyncState withQueue(SyncQueue other) {
        return new SyncState(runs, snapshots, events, other, webhooks, deadLetters);
    }
}
