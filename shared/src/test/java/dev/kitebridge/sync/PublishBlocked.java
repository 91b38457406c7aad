package dev.kitebridge.sync;

import dev.kitebridge.state.memory.InMemorySyncStore;

/**
 * A sync store that, while {@link #blocked}, fails a run's save that it has begun applying (the
 * one before its first write into the account's generation: its PUBLISH fails before writing
 * anything), and that kills its worker once at a completed run's save where {@link #killAtEnd}
 * (after its mark moved).
 */
final class PublishBlocked extends ForwardingSyncStore {

    volatile boolean blocked;
    volatile boolean killAtEnd;

    PublishBlocked() {
        super(new InMemorySyncStore());
    }

    @Override
    public java.util.Optional<SyncRun> replaceRun(SyncRun changed) {
        if (blocked && changed.status() == SyncRun.Status.RUNNING && changed.applying() == SyncRun.Applying.BEGUN) {
            throw new IllegalStateException("the sync table is unreachable");
        }
        if (killAtEnd && changed.status() == SyncRun.Status.COMPLETED) {
            killAtEnd = false;
            throw new Killer.Killed();
        }
        return super.replaceRun(changed);
    }
}
