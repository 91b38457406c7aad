package dev.kitebridge.sync;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

import dev.kitebridge.api.ApiJson;
import dev.kitebridge.buildkite.TimeSource;
import dev.kitebridge.directory.BuildkiteAccess;
import dev.kitebridge.directory.DirectoryException;
import dev.kitebridge.directory.Session;

/**
 * Works on one sync run for as long as a worker may: takes the account's lease, then goes through
 * the run's phases (READ, DIFF, HOLD, PUBLISH, CLEAN) from its checkpoint, saving after every step.
 * A worker whose time is up answers when the run can go on; one that dies leaves the checkpoint
 * and a lease that expires, and the next worker resumes the run from there.
 */
public final class SyncRunner {

    /** Failed attempts after which a run is ended as failed (its message would otherwise come back forever). */
    public static final int MAX_FAILED_ATTEMPTS = 5;
    /** A lease outlives its worker's deadline by this much: time to save after the last step. */
    static final Duration LEASE_MARGIN = Duration.ofSeconds(60);
    private static final int PAGE = 500;

    /** What a worker does with the run's message: drop it (DONE), send it again at {@code at} (LATER), or retry it (BUSY). */
    public record Outcome(Kind kind, Instant at) {
        public enum Kind { DONE, LATER, BUSY }

        static Outcome done() {
            return new Outcome(Kind.DONE, null);
        }

        static Outcome later(Instant at) {
            return new Outcome(Kind.LATER, at);
        }

        static Outcome busy() {
            return new Outcome(Kind.BUSY, null);
        }
    }

    private final BuildkiteAccess access;
    private final SyncStore syncs;
    private final SnapshotStore snapshots;
    private final EventLog log;
    private final TimeSource time;
    private final double maxDeletionShare;
    private final DirectoryReader reader;
    private final SnapshotDiff diff;

    /** @param maxDeletionShare a run that would delete more than this share of the directory holds its deletions (0.2: 20%) */
    public SyncRunner(BuildkiteAccess access, SyncStore syncs, SnapshotStore snapshots, EventLog log, TimeSource time,
                      double maxDeletionShare) {
        this.access = access;
        this.syncs = syncs;
        this.snapshots = snapshots;
        this.log = log;
        this.time = time;
        this.maxDeletionShare = maxDeletionShare;
        this.reader = new DirectoryReader(access, snapshots);
        this.diff = new SnapshotDiff(snapshots, log);
    }

    public Outcome work(String runId, String workerId, Instant deadline) {
        Optional<SyncRun> found = syncs.run(runId);
        if (found.isEmpty() || found.get().phase() == SyncRun.Phase.DONE) {
            return Outcome.done();
        }
        SyncRun run = found.get();
        if (syncs.account(run.accountId()).isEmpty()) {
            // The account was unlinked: its run ends here, and nothing is published (its feed went with it).
            syncs.replaceRun(run.ended(SyncRun.Status.FAILED, time.now(), "the integrated account was unlinked", run.counts())
                    .inPhase(SyncRun.Phase.DONE));
            return Outcome.done();
        }
        Predicate<AccountSync> free = s -> !s.leasedAt(time.now()) || workerId.equals(s.leaseOwner());
        if (updateAccount(run.accountId(), free, s -> s.leasedTo(workerId, deadline.plus(LEASE_MARGIN))).isEmpty()) {
            return Outcome.busy();
        }
        RunProgress progress = new RunProgress(syncs, syncs.run(runId).orElseThrow());
        try {
            return advance(progress, deadline);
        } catch (RunProgress.Lost lost) {
            return Outcome.done(); // another worker has the run
        } catch (RuntimeException failed) {
            return failedAttempt(progress, failed);
        } finally {
            updateAccount(run.accountId(), s -> workerId.equals(s.leaseOwner()), s -> s.leasedTo(null, null));
        }
    }

    private Outcome advance(RunProgress progress, Instant deadline) {
        while (true) {
            SyncRun run = progress.current();
            switch (run.phase()) {
                case READ -> {
                    Session session;
                    try {
                        session = access.open(run.tenantId(), run.accountId(), Duration.between(time.now(), deadline));
                    } catch (DirectoryException e) {
                        if (e.status() != 424 && e.status() != 404) {
                            throw e; // retried by the next attempt
                        }
                        // The account needs a new token, or is unlinked: no attempt can succeed.
                        fail(progress, e.getMessage(), e.status() == 424);
                        continue;
                    }
                    Instant goOnAt;
                    try {
                        goOnAt = read(session, progress, deadline);
                    } catch (DirectoryException e) {
                        if (e.status() != 424) {
                            throw e; // retried by the next attempt
                        }
                        fail(progress, e.getMessage(), true); // Buildkite refused the stored token
                        continue;
                    }
                    if (goOnAt != null) {
                        return Outcome.later(goOnAt);
                    }
                    progress.save(r -> r.inPhase(SyncRun.Phase.DIFF));
                }
                case DIFF -> {
                    if (!diff.compare(progress, time.now(), deadline, time::now)) {
                        return Outcome.later(time.now());
                    }
                    SyncRun.Diff compared = progress.current().diff();
                    boolean tooMany = compared.baseRecords() > 0 && compared.deletions() > maxDeletionShare * compared.baseRecords();
                    progress.save(r -> r.inPhase(tooMany ? SyncRun.Phase.HOLD : SyncRun.Phase.PUBLISH));
                }
                case HOLD -> {
                    if (!diff.hold(progress, deadline, time::now)) {
                        return Outcome.later(time.now());
                    }
                    progress.save(r -> r.inPhase(SyncRun.Phase.PUBLISH));
                }
                case PUBLISH -> publish(progress);
                case CLEAN -> {
                    if (!clean(progress, deadline)) {
                        return Outcome.later(time.now());
                    }
                    progress.save(r -> r.inPhase(SyncRun.Phase.DONE));
                }
                case DONE -> {
                    return Outcome.done();
                }
            }
        }
    }

    /** Starts the run if it is new (the organizations it reaches are fixed then), and reads. */
    private Instant read(Session session, RunProgress progress, Instant deadline) {
        SyncRun run = progress.current();
        try {
            if (run.status() == SyncRun.Status.QUEUED) {
                List<SyncRun.Organization> reached = access.organizations(session).stream()
                        .map(o -> new SyncRun.Organization(o.id(), o.slug(), o.name())).toList();
                progress.save(r -> r.started(time.now(), reached));
            }
            return reader.read(session, progress, deadline);
        } finally {
            progress.save(r -> r.reading(r.read(), r.counts().calls(session.buildkiteCalls(), session.rateLimitedAnswers())));
        }
    }

    /**
     * The run's events become visible: its end event is written, the account's published mark and
     * current generation move to the run, and the run is complete. Each step can be repeated.
     */
    private void publish(RunProgress progress) {
        SyncRun run = progress.current();
        Map<String, Long> byType = new HashMap<>();
        String after = EventPositions.firstOfRun(run.ordinal());
        while (true) {
            List<ChangeEvent> page = log.list(run.accountId(), after, EventPositions.firstOfRank(run.ordinal(), EventPositions.RUN_ENDED),
                    PAGE);
            page.forEach(e -> byType.merge(e.event(), 1L, Long::sum));
            if (page.size() < PAGE) {
                break;
            }
            after = page.get(page.size() - 1).position();
        }
        Instant now = time.now();
        SyncRun.Counts counts = run.counts().withEvents(byType);
        SyncRun completed = run.ended(SyncRun.Status.COMPLETED, now, null, counts);
        log.put(run.accountId(), List.of(runEvent(completed, ChangeEvent.SYNC_RUN_COMPLETED, now)));
        updateAccount(run.accountId(), s -> true, s -> s.published(run.ordinal(), run.generation()));
        progress.save(r -> r.ended(SyncRun.Status.COMPLETED, now, null, counts));
    }

    /** Ends the run as failed: nothing it found is published (no deletion from a partial listing), only that it failed. */
    private void fail(RunProgress progress, String why, boolean needsReauth) {
        SyncRun run = progress.current();
        String after = EventPositions.firstOfRun(run.ordinal());
        while (true) {
            List<ChangeEvent> page = log.list(run.accountId(), after, EventPositions.firstOfRank(run.ordinal(), EventPositions.RUN_ENDED),
                    PAGE);
            if (page.isEmpty()) {
                break;
            }
            log.delete(run.accountId(), page.stream().map(ChangeEvent::position).toList());
        }
        Instant now = time.now();
        SyncRun failed = run.ended(SyncRun.Status.FAILED, now, why, run.counts());
        ChangeEvent failedEvent = runEvent(failed, ChangeEvent.SYNC_RUN_FAILED, now);
        if (needsReauth) {
            var data = ApiJson.MAPPER.createObjectNode().put("integrated_account_id", run.accountId()).put("status", "needs_reauth");
            log.put(run.accountId(), List.of(new ChangeEvent("evt_" + SnapshotDiff.sha256(run.accountId() + "|" + run.ordinal() + "|reauth").substring(0, 32),
                    ChangeEvent.ACCOUNT_NEEDS_REAUTH, run.tenantId(), run.accountId(), now, data, null,
                    EventPositions.of(run.ordinal(), EventPositions.RUN_ENDED, "account"))));
        }
        log.put(run.accountId(), List.of(failedEvent));
        updateAccount(run.accountId(), s -> true, s -> s.published(run.ordinal(), s.currentGeneration()));
        progress.save(r -> r.ended(SyncRun.Status.FAILED, now, why, r.counts()));
    }

    private Outcome failedAttempt(RunProgress progress, RuntimeException failed) {
        String why = failed.getMessage() == null ? failed.getClass().getSimpleName() : failed.getMessage();
        try {
            SyncRun run = progress.save(r -> r.failedAttempt(why));
            if (run.attempts() >= MAX_FAILED_ATTEMPTS) {
                fail(progress, "gave up after " + run.attempts() + " failed attempts; the last: " + why, false);
                return Outcome.done();
            }
            // Backing off: 30 s, 60 s, 120 s, ... (Buildkite's 5xx and timeouts were retried by the client already).
            return Outcome.later(time.now().plus(Duration.ofSeconds(30L << Math.min(run.attempts() - 1, 5))));
        } catch (RunProgress.Lost lost) {
            return Outcome.done();
        }
    }

    /** Deletes the generation the run leaves behind: the base one after a completed run, its own after a failed one. */
    private boolean clean(RunProgress progress, Instant deadline) {
        SyncRun run = progress.current();
        long generation = run.status() == SyncRun.Status.FAILED ? run.generation() : run.baseGeneration();
        if (generation == 0) {
            return true;
        }
        while (time.now().isBefore(deadline)) {
            List<SnapshotStore.Item> page = snapshots.list(run.accountId(), generation, null, PAGE);
            if (page.isEmpty()) {
                return true;
            }
            snapshots.delete(run.accountId(), generation, page.stream().map(SnapshotStore.Item::key).toList());
        }
        return false;
    }

    private static ChangeEvent runEvent(SyncRun run, String type, Instant now) {
        return new ChangeEvent("evt_" + SnapshotDiff.sha256(run.accountId() + "|" + run.ordinal() + "|" + type).substring(0, 32), type, run.tenantId(), run.accountId(),
                now, ApiJson.MAPPER.valueToTree(SyncRunView.of(run)), null, EventPositions.of(run.ordinal(), EventPositions.RUN_ENDED, "run"));
    }

    /** Changes the account's sync state where {@code allowed}, over concurrent changes; empty if not allowed or gone. */
    private Optional<AccountSync> updateAccount(String accountId, Predicate<AccountSync> allowed, UnaryOperator<AccountSync> change) {
        for (int attempt = 0; attempt < 20; attempt++) {
            Optional<AccountSync> state = syncs.account(accountId);
            if (state.isEmpty() || !allowed.test(state.get())) {
                return Optional.empty();
            }
            Optional<AccountSync> changed = syncs.replaceAccount(change.apply(state.get()));
            if (changed.isPresent()) {
                return changed;
            }
        }
        throw new IllegalStateException("the sync state of account " + accountId + " kept changing under this worker");
    }
}
