package dev.kitebridge.sync;

import java.util.function.UnaryOperator;

/**
 * The run a worker is advancing, saved after every step (its checkpoint). Both read lanes save
 * through it, one at a time. A save over a revision someone else has replaced means another worker
 * has the run now (this one outlived its lease): this one stops.
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

    RunProgress(SyncStore store, SyncRun run) {
        this.store = store;
        this.run = run;
    }

    synchronized SyncRun current() {
        return run;
    }

    synchronized SyncRun save(UnaryOperator<SyncRun> change) {
        SyncRun changed = change.apply(run);
        run = store.replaceRun(changed).orElseThrow(() -> new Lost(changed.id()));
        return run;
    }
}
