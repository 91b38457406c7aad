package dev.kitebridge.app;

import dev.kitebridge.events.EventLog;
import dev.kitebridge.state.memory.InMemoryDeadLetterStore;
import dev.kitebridge.state.memory.InMemoryEventLog;
import dev.kitebridge.state.memory.InMemorySnapshotStore;
import dev.kitebridge.state.memory.InMemorySyncStore;
import dev.kitebridge.state.memory.InMemoryWebhookStore;
import dev.kitebridge.sync.SnapshotStore;
import dev.kitebridge.sync.SyncCadence;
import dev.kitebridge.sync.SyncQueue;
import dev.kitebridge.sync.SyncStore;
import dev.kitebridge.webhooks.DeadLetterStore;
import dev.kitebridge.webhooks.WebhookStore;
import dev.kitebridge.webhooks.WebhookTargets;

/**
 * The state syncs and their deliveries run on: runs and account states, snapshots, the event log,
 * the queue workers take runs from, webhook subscriptions and parked deliveries; the share of
 * a directory a run may delete before it holds its deletions, where webhooks may deliver, and how
 * often the schedule runs full runs and polls audit events.
 */
public record SyncState(SyncStore runs, SnapshotStore snapshots, EventLog events, SyncQueue queue, WebhookStore webhooks,
                        DeadLetterStore deadLetters, double maxDeletionShare, WebhookTargets webhookTargets, SyncCadence cadence) {

    /** A run that would delete more than this share of the directory its last run saw holds its deletions. */
    public static final double DEFAULT_MAX_DELETION_SHARE = 0.2;

    public SyncState(SyncStore runs, SnapshotStore snapshots, EventLog events, SyncQueue queue, WebhookStore webhooks,
                     DeadLetterStore deadLetters, double maxDeletionShare, WebhookTargets webhookTargets) {
        this(runs, snapshots, events, queue, webhooks, deadLetters, maxDeletionShare, webhookTargets, SyncCadence.DEFAULT);
    }

    public SyncState {
        java.util.Objects.requireNonNull(cadence, "cadence");
        if (!(maxDeletionShare >= 0 && maxDeletionShare <= 1)) {
            throw new IllegalArgumentException("the share of deletions a sync run may make is from 0 to 1, not " + maxDeletionShare);
        }
    }

    /** All in memory, with the given queue, webhooks to public targets only: tests, tools and the local dev server. */
    public static SyncState inMemory(SyncQueue queue) {
        return inMemory(queue, DEFAULT_MAX_DELETION_SHARE);
    }

    public static SyncState inMemory(SyncQueue queue, double maxDeletionShare) {
        return new SyncState(new InMemorySyncStore(), new InMemorySnapshotStore(), new InMemoryEventLog(), queue,
                new InMemoryWebhookStore(), new InMemoryDeadLetterStore(), maxDeletionShare, WebhookTargets.PUBLIC_ONLY);
    }

    /** The same state with another queue (the dev server works on runs in its own process). */
    public SyncState withQueue(SyncQueue other) {
        return new SyncState(runs, snapshots, events, other, webhooks, deadLetters, maxDeletionShare, webhookTargets, cadence);
    }

    /** The same state with other webhook targets allowed (the dev server's receivers are on the developer's machine). */
    public SyncState withWebhookTargets(WebhookTargets targets) {
        return new SyncState(runs, snapshots, events, queue, webhooks, deadLetters, maxDeletionShare, targets, cadence);
    }

    /** The same state with another cadence of full runs and audit polls. */
    public SyncState withCadence(SyncCadence other) {
        return new SyncState(runs, snapshots, events, queue, webhooks, deadLetters, maxDeletionShare, webhookTargets, other);
    }
}
