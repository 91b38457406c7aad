package dev.kitebridge.sync;

import java.util.function.UnaryOperator;

/**
 * The run a worker is advancing, saved after every step (its checkpoint). Both read lanes save
 * through it, one at a time. A save over a revision someone else has replaced means another worker
 * has the run now (this one outlived its lease): this one stops.
 *
 * <p>A step whose loss costs only doing it again (a pass's subjects, whose writes are the same
 * however often they are made) may be deferred: kept in memory, and stored with the next save (or
 * {@link #flush}), so that a pass writes its run's item a few times, not at every step. (A subject a
 * pass adds is stored before it is read: a retry need not add it again, and must read it again.)
 */
final class RunProgress {

    /** Thrown when the run was changed by another worker: stop without writing anything more. */
    static final class Lost extends RuntimeException {
        Lost(String runId) {
            super("sync run " + runId + " was taken over by another worker");
        }
    }

    private final SyncStore store;
    private SyncRun run;
    /** The run as last read or saved: what a worker that dies now leaves. */
    private SyncRun stored;
    private boolean deferred;

    RunProgress(SyncStore store, SyncRun run) {
        this.store = store;
        this.run = run;
        this.stored = run;
    }

    synchronized SyncRun current() {
        return run;
    }

    /** The run as stored: without the steps deferred since (see {@link #defer}). */
    synchronized SyncRun stored() {
        return stored;
    }

    synchronized SyncRun save(UnaryOperator<SyncRun> change) {
        SyncRun changed = change.apply(run);
        run = store.replaceRun(changed).orElseThrow(() -> new Lost(changed.id()));
        stored = run;
        deferred = false;
        return run;
    }

    /** A step kept in memory until the next save: a worker that dies before it does the step again. */
    synchronized SyncRun defer(UnaryOperator<SyncRun> change) {
        run = change.apply(run);
        deferred = true;
        return run;
    }

    /**
     * A step of the run: saved at once for a full run; for a pass of changes, deferred (see
     * {@link #defer}: its steps are the same however often they are done, and a pass is short).
     */
    synchronized SyncRun step(UnaryOperator<SyncRun> change) {
        return run.full() ? save(change) : defer(change);
    }

    /** Stores the steps deferred, if any. */
    synchronized void flush() {
        if (deferred) {
            save(UnaryOperator.identity());
        }
    }
}
