package dev.kitebridge.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;

import dev.kitebridge.events.ChangeEvent;

/**
 * A pass checked against what a full run finds: two accounts over one sandbox, one synced by passes
 * and the reference by full runs, and where each one's events stood before the pass. The pass
 * publishes what a full run finds when, after a full run of the reference, both published the same
 * record events since, and hold the same snapshot (and the same kept data, where a test says so).
 */
record FullRunFinds(SyncFixture full, SyncFixture pass, int fullSeen, int passSeen) {

    /** Syncs both accounts once, from which they read the same, and notes where their events stand. */
    static FullRunFinds afterFirstSync(SyncFixture full, SyncFixture pass, Duration worker) {
        full.sync(worker);
        pass.sync(worker);
        return new FullRunFinds(full, pass, full.events().size(), pass.events().size());
    }

    /** A run's record events since an index, as a receiver compares them: type, data and previous values, in order. */
    static List<String> changesOf(List<ChangeEvent> events, int from) {
        return events.subList(from, events.size()).stream().filter(e -> !e.event().startsWith("sync_run."))
                .map(e -> e.event() + " " + e.data() + " " + e.previousAttributes()).toList();
    }

    /** What the pass published since. */
    List<String> passFound() {
        return changesOf(pass.events(), passSeen);
    }

    /** The pass published the record events the reference's full run (run since) found, and left the snapshot it reads. */
    void assertSameEventsAndSnapshot() {
        assertEquals(changesOf(full.events(), fullSeen), passFound(), "what a full run finds");
        CountingSnapshots.assertSameItems(full.snapshot(), pass.snapshot(), "the snapshot a full run reads");
    }

    /** As {@link #assertSameEventsAndSnapshot}, and the directory's kept data is the full run's. */
    void assertSameEventsSnapshotAndKept() {
        assertSameEventsAndSnapshot();
        assertEquals(full.kept(), pass.kept(), "and the directory's kept data");
    }
}
