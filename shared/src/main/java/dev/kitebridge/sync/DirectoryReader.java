package dev.kitebridge.sync;

import java.time.Instant;
import java.util.EnumSet;

import dev.kitebridge.access.Session;
import dev.kitebridge.directory.orgdata.OrganizationReader;
import dev.kitebridge.sync.SyncRun.Read;

/**
 * A run's READ phase: the whole directory of each organization into the run's snapshot generation,
 * organization after organization, through the {@link OrganizationReader} (both budget lanes at once,
 * as the directory reads). Every page is written as snapshot items, then the lane's position saved in
 * the run: a worker that stops (its time is up, it dies) is resumed from there, re-reading one page at most.
 */
final class DirectoryReader {

    private final OrganizationReader reader;
    private final SnapshotStore snapshots;

    DirectoryReader(OrganizationReader reader, SnapshotStore snapshots) {
        this.reader = reader;
        this.snapshots = snapshots;
    }

    /**
     * Reads until every organization is read, or the deadline, or a budget that refills too late.
     *
     * @return null when reading is complete; otherwise when it can go on (now, or when a budget refills)
     */
    Instant read(Session session, RunProgress progress, Instant deadline) {
        while (true) {
            SyncRun run = progress.current();
            if (run.read().organization() >= run.organizations().size()) {
                return null;
            }
            SyncRun.Organization org = run.organizations().get(run.read().organization());
            OrganizationReader.Stop stop = reader.read(session, org.slug(), deadline,
                    EnumSet.allOf(OrganizationReader.Lane.class), new SnapshotSink(snapshots, progress, org));
            if (!stop.done()) {
                // As soon as either lane can go on; the other stops again until its budget refills (SyncRunner.LONGEST_SLEEP).
                return stop.goOnAt(session.now());
            }
            progress.save(r -> r.reading(Read.start(r.read().organization() + 1), r.counts()));
        }
    }
}
