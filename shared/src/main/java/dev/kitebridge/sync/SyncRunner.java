package dev.kitebridge.sync;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.access.IntegratedAccount;
import dev.kitebridge.access.Session;
import dev.kitebridge.buildkite.ratelimit.RateLimitGovernor;
import dev.kitebridge.contract.ApiError;
import dev.kitebridge.contract.ApiJson;
import dev.kitebridge.directory.orgdata.OrganizationDataService;
import dev.kitebridge.directory.orgdata.OrganizationReader;
import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.events.EventLog;
import dev.kitebridge.events.EventPositions;
import dev.kitebridge.events.Publication;
import dev.kitebridge.metrics.Metrics.Metric;
import dev.kitebridge.metrics.Metrics;
import dev.kitebridge.time.TimeSource;

/**
 * Works on one sync run for as long as a worker may: takes the account's lease, then goes through
 * the run's phases (READ, DIFF, VERIFY or HOLD, PUBLISH, CLEAN) from its checkpoint, saving after
 * every step. A pass of changes, whose steps are the same however often they are done, defers its
 * steps (see {@link RunProgress#step}) and saves where a step must not be done again or its turn
 * ends: at READ's end (which fixes what it read), before it reads a subject it added (see {@link
 * SubjectReader}), after each page of a member list, before its first write into the account's
 * data, at its end, and at a turn's end with what that turn deferred (its time up, a spent budget,
 * a stalled watch started or cleared, a failed attempt). A completed full run's CLEAN first keeps
 * what it published as the directory's data (see {@link KeptDirectory}), so that reads show its
 * changes at once. A run's scratch (see {@link SyncRun#scratch}) is not cleaned: DynamoDB's TTL
 * deletes it, and a run with nothing else to clean goes from PUBLISH to DONE in one save. A worker
 * whose time is up answers when the run can go on; one that dies leaves the checkpoint and a lease
 * that expires, and the next worker resumes the run from there.
 */
public final class SyncRunner {

    private static final System.Logger LOG = System.getLogger(SyncRunner.class.getName());
    /** Failed turns in a row after which a run that has not published is ended as failed. */
    public static final int MAX_FAILED_ATTEMPTS = 5;
    /** A lease outlives its worker's deadline by this much: time to save after the last step. */
    static final Duration LEASE_MARGIN = Duration.ofSeconds(60);
    private static final int PAGE = 500;
    /**
     * The longest a turn's call sleeps for a spent budget. A worker is billed while it sleeps, and a
     * turn ended and begun again costs about what one to three seconds of it do (SQS's three
     * requests, the lease taken and given back, the run's and the account's reads and saves; at
     * 10,000 members some 60 write units): so a longer wait (a window's refill: up to a minute for
     * REST, five for GraphQL) stops the call's lane instead. The other lane reads on; once both have
     * stopped, the turn ends and the run is queued again for the first refill (see {@link SyncWorker}),
     * and a lane whose budget refilled meanwhile goes on at once in the next turn. The governor's
     * holds of a second, and a window's last seconds, are slept.
     */
    static final Duration LONGEST_SLEEP = Duration.ofSeconds(5);
    /** When a run that changed under its worker is looked at again. */
    static final Duration LOST_RETRY = Duration.ofMinutes(1);
    /**
     * Failed attempts in a row after which a completed run's CLEAN no longer keeps its data for the
     * directory (which then reads the organization itself, as it would without syncs).
     */
    static final int KEEP_ATTEMPTS = 3;
    /**
     * A run's scratch is applied in PUBLISH only while it expires more than this much later: a turn
     * (a Lambda's 15 minutes at most, and its lease's margin) ends well inside it, so that no turn
     * reads part of it before its expiry and part after, even on a clock some minutes off DynamoDB's
     * (see {@link #publish}).
     */
    static final Duration SCRATCH_MARGIN = Duration.ofHours(1);

    /**
     * What a worker does with the run's message: drop it (DONE), send it again at {@code at} (LATER),
     * or retry it (BUSY); {@code ended} is the run that is over (DONE; null where there is no such run),
     * so that what its end sets off need not read it again; {@code published}, the account's
     * publication mark as this turn wrote it (or read it) with the run published, and the run's events
     * where this turn published them, so that the delivery of its events need not read them again
     * either ({@link Publication#UNKNOWN} where the turn did not see it published).
     */
    public record Outcome(Kind kind, Instant at, SyncRun ended, Publication published) {
        public enum Kind { DONE, LATER, BUSY }

        static Outcome done(SyncRun ended, Publication published) {
            return new Outcome(Kind.DONE, null, ended, published);
        }

        static Outcome later(Instant at) {
            return new Outcome(Kind.LATER, at, null, Publication.UNKNOWN);
        }

        static Outcome busy() {
            return new Outcome(Kind.BUSY, null, null, Publication.UNKNOWN);
        }
    }

    private final BuildkiteAccess access;
    private final SyncStore syncs;
    private final SnapshotStore snapshots;
    private final EventLog log;
    private final TimeSource time;
    private final double maxDeletionShare;
    private final DirectoryReader reader;
    private final SubjectReader subjectReader;
    private final SnapshotDiff diff;
    private final Removals removals;
    /** The directory's data a completed run keeps fresh; null where there is no directory to keep (tests of runs alone). */
    private final KeptDirectory kept;

    /** @param maxDeletionShare a run that would delete more than this share of the directory holds its deletions (0.2: 20%) */
    public SyncRunner(BuildkiteAccess access, SyncStore syncs, SnapshotStore snapshots, EventLog log, TimeSource time,
                      double maxDeletionShare) {
        this(access, new OrganizationReader(access, OrganizationReader.laneThreads()), null, syncs, snapshots, log, time,
                maxDeletionShare);
    }

    /**
     * @param reader reads organizations, as the directory does (the application's one, with its lane threads)
     * @param directory the directory's data, which a completed run keeps as it published it (null: none is kept)
     */
    public SyncRunner(BuildkiteAccess access, OrganizationReader reader, OrganizationDataService directory, SyncStore syncs,
                      SnapshotStore snapshots, EventLog log, TimeSource time, double maxDeletionShare) {
        this.access = access;
        this.syncs = syncs;
        this.snapshots = snapshots;
        this.log = log;
        this.time = time;
        this.maxDeletionShare = maxDeletionShare;
        this.reader = new DirectoryReader(reader, snapshots);
        this.subjectReader = new SubjectReader(access, reader, snapshots);
        this.diff = new SnapshotDiff(snapshots, log);
        this.removals = new Removals(access, snapshots, log, diff);
        this.kept = directory == null ? null : new KeptDirectory(snapshots, directory);
    }

    public Outcome work(String runId, String workerId, Instant deadline) {
        Optional<SyncRun> found = syncs.run(runId);
        if (found.isEmpty() || found.get().phase() == SyncRun.Phase.DONE) {
            return Outcome.done(found.orElse(null), Publication.UNKNOWN);
        }
        SyncRun run = found.get();
        // One read of the sync state: it tells an account unlinked (no state) and a lease another worker holds.
        Optional<AccountSync> state = syncs.account(run.accountId());
        if (state.isEmpty()) {
            // The account was unlinked: its run ends here, and nothing is published (its feed went with it).
            SyncRun ended = run.ended(SyncRun.Status.FAILED, time.now(), "the integrated account was unlinked", run.counts())
                    .inPhase(SyncRun.Phase.DONE);
            syncs.replaceRun(ended);
            return Outcome.done(ended, Publication.UNKNOWN);
        }
        Predicate<AccountSync> free = s -> !s.leasedAt(time.now()) || workerId.equals(s.leaseOwner());
        Optional<AccountSync> leased = updateAccount(state.get(), free, s -> s.leasedTo(workerId, deadline.plus(LEASE_MARGIN)));
        if (leased.isEmpty()) {
            return Outcome.busy();
        }
        Turn turn = new Turn(run, leased.get());
        // Read again under the lease (a fence): the run as read before it may be behind another worker's last saves; this
        // turn works from the one no other worker saves while it holds the lease.
        RunProgress progress = new RunProgress(syncs, syncs.run(runId).orElseThrow());
        CurrentItems.keepOnly(runId); // an earlier run's current generation is not kept past another run's turn
        try {
            Outcome outcome = advance(progress, turn, deadline);
            if (progress.current().attempts() > 0 && progress.current().phase() != SyncRun.Phase.DONE) {
                progress.save(SyncRun::progressed);
            }
            progress.flush(); // a pass's steps deferred in this turn (see RunProgress#defer)
            return outcome;
        } catch (RunProgress.Lost lost) {
            // The run changed under this worker: another has it, or a save that failed had landed. Look again later.
            return Outcome.later(time.now().plus(LOST_RETRY));
        } catch (RuntimeException failed) {
            return failedAttempt(progress, failed);
        } finally {
            if (progress.current().phase() != SyncRun.Phase.READ) {
                CurrentItems.forget(run); // its READ is over (ended, failed or on to DIFF): what it held is not kept
            }
            // (A published run let its lease go with its mark: nothing more to write, nor to read.)
            turn.update(s -> workerId.equals(s.leaseOwner()), s -> s.leasedTo(null, null));
        }
    }

    /**
     * What a worker's turn knows of its run's account, so that it reads each once a turn. The sync
     * state as the turn last read or wrote it: under the turn's lease no other worker changes what
     * the runner reads of it (the current generation and published mark move only with this run's
     * publication, written through here; a write over a state changed meanwhile fails its revision
     * and reads it again). The integrated account, read when a phase first opens it: an account
     * unlinked or given a new token since is found by the next turn (a patch of its kept data after
     * an unlink changes nothing: the data went with the account).
     */
    private final class Turn {
        private final SyncRun run;
        private AccountSync state;
        private Optional<IntegratedAccount> account;
        /** The events of the run this turn's own write published, as it read and wrote them (null: none, or too many). */
        private List<ChangeEvent> published;

        Turn(SyncRun run, AccountSync leased) {
            this.run = run;
            this.state = leased;
        }

        /** Changes the sync state where {@code allowed}; see {@link #updateAccount}. Whether it was written. */
        boolean update(Predicate<AccountSync> allowed, UnaryOperator<AccountSync> change) {
            Optional<AccountSync> changed = updateAccount(state, allowed, change);
            changed.ifPresent(written -> state = written);
            return changed.isPresent();
        }

        long currentGeneration() {
            return state.currentGeneration();
        }

        /**
         * The account's publication mark where the state as this turn last wrote or read it has the run
         * published (the mark only moves on, so the events through it stay published), with the run's
         * events where this turn's write of the mark published it; else not known.
         */
        Publication publication(SyncRun run) {
            if (state.publishedThrough() < run.ordinal()) {
                return Publication.UNKNOWN;
            }
            return new Publication(state.publishedThrough(), state.publishedThrough() == run.ordinal() ? published : null);
        }

        /**
         * The run's account for this turn, its reads sleeping {@link #LONGEST_SLEEP} at most for a
         * budget; but an account's first sync's, which sleep for it: a newly linked account waits for
         * that run, and a lane stopped for its refill while the other reads on would leave its budget
         * idle until both have stopped (the first sync's time went from 1.02 of its floor to 1.12).
         *
         * @throws ApiError 404 for an account gone, 424 for one that needs a new token
         */
        Session open(Instant deadline) {
            IntegratedAccount found = account().orElseThrow(() -> ApiError.notFound("no integrated account " + run.accountId()));
            Session session = access.open(found, Duration.between(time.now(), deadline));
            return run.full() && run.baseGeneration() == 0 ? session : session.sleepingAtMost(LONGEST_SLEEP);
        }

        /** Whose data the account's kept directory is; empty for an account gone or one that needs a new token. */
        Optional<String> dataKey() {
            return account().flatMap(IntegratedAccount::servedDataKey);
        }

        private Optional<IntegratedAccount> account() {
            if (account == null) {
                account = access.account(run.tenantId(), run.accountId());
            }
            return account;
        }
    }

    private Outcome advance(RunProgress progress, Turn turn, Instant deadline) {
        while (true) {
            SyncRun run = progress.current();
            if (overdue(run)) {
                LOG.log(System.Logger.Level.WARNING, "sync run " + run.id() + " of account " + run.accountId()
                        + " fails: not published within " + SyncRun.PUBLISH_WITHIN.toHours() + " hours of being made");
                fail(progress, "not published within " + SyncRun.PUBLISH_WITHIN.toHours() + " hours of being made (what it has read"
                        + " expires " + SyncRun.SCRATCH_LIFETIME.toHours() + " hours after)", false);
                continue; // its failure is published next
            }
            switch (run.phase()) {
                case READ -> {
                    ReadTurn reading = read(progress, turn, deadline);
                    if (reading.failed()) {
                        continue; // for good: its failure is published next
                    }
                    if (reading.goOnAt() != null) {
                        return Outcome.later(reading.goOnAt());
                    }
                    progress.save(r -> r.inPhase(SyncRun.Phase.DIFF));
                }
                case DIFF -> {
                    boolean compared = run.full() ? diff.compare(progress, time.now(), deadline, time::now)
                            : diff.compareChanges(progress, time.now(), deadline, time::now);
                    if (!compared) {
                        return Outcome.later(time.now());
                    }
                    SyncRun.Diff found = progress.current().diff();
                    // The share is of the whole directory, which only a full run compares; a pass's removals are each checked.
                    boolean tooMany = run.full() && !run.allowDeletions() && found.baseRecords() > 0
                            && found.deletions() > maxDeletionShare * found.baseRecords();
                    // Deletions over the share are held whole; fewer are each checked with Buildkite first. A pass's move to
                    // VERIFY is stored with its next save, as VERIFY's own end is (see below): a worker that dies before then
                    // compares again from the pass's last stored checkpoint (READ's end, or DIFF's where it ran out of time
                    // in an earlier turn), over a scratch that VERIFY's take-backs changed only as comparing it again does
                    // (see Removals#takeBack), so it writes the same events.
                    progress.step(r -> r.inPhase(tooMany ? SyncRun.Phase.HOLD : SyncRun.Phase.VERIFY));
                }
                case VERIFY, HOLD -> {
                    // Removals are asked of Buildkite (VERIFY), or held whole but for plain team leaves, which are asked too (HOLD).
                    Session session;
                    try {
                        session = turn.open(deadline);
                    } catch (ApiError e) {
                        if (e.status() != 424 && e.status() != 404) {
                            throw e;
                        }
                        fail(progress, e.getMessage(), e.status() == 424);
                        continue;
                    }
                    boolean done;
                    SyncRun.Diff checked = progress.current().diff();
                    Instant turnStart = time.now();
                    try {
                        done = removals.walk(session, progress, deadline, time::now);
                    } catch (ApiError e) {
                        countCalls(progress, session);
                        if (e.status() == 429) {
                            // A spent budget: no failed attempt, but turns that check nothing for NO_PROGRESS_LIMIT end the run.
                            if (stuck(progress, session, !progress.current().diff().equals(checked), turnStart, "verifying", null)) {
                                continue;
                            }
                            return Outcome.later(time.now().plus(e.retryAfter()));
                        }
                        if (e.status() != 424) {
                            throw e;
                        }
                        fail(progress, e.getMessage(), true);
                        continue;
                    }
                    countCalls(progress, session);
                    if (!done) {
                        return Outcome.later(time.now());
                    }
                    if (run.full()) {
                        progress.save(r -> r.inPhase(SyncRun.Phase.PUBLISH));
                    } else {
                        // A pass's end is fixed here (see publish), and stored with its next save: the one before its first
                        // write into the account's generation (see #beginning), or before its end is published. A worker that
                        // dies before then leaves it in DIFF (see above), whose comparison and checks are done again: two writes
                        // of its item fewer.
                        progress.defer(r -> r.inPhase(SyncRun.Phase.PUBLISH).finishing(time.now()));
                    }
                }
                case PUBLISH -> {
                    if (run.status() == SyncRun.Status.FAILED) {
                        publishFailure(progress, turn);
                    } else {
                        publish(progress, turn);
                    }
                }
                case CLEAN -> {
                    keep(progress, turn);
                    if (!clean(progress, turn, deadline)) {
                        return Outcome.later(time.now());
                    }
                    progress.save(r -> r.inPhase(SyncRun.Phase.DONE));
                }
                case DONE -> {
                    return Outcome.done(run, turn.publication(run));
                }
            }
        }
    }

    /**
     * Whether the run has scratch and has not reached PUBLISH within {@link SyncRun#PUBLISH_WITHIN} of
     * being made: it fails as a stuck run does (nothing of it is applied, its events are taken back),
     * a day before its scratch expires, so that a run reaches PUBLISH with a day of retries left before
     * its scratch expires (see {@link #publish}). A full run not in place (a first sync, however long
     * it takes) writes no scratch.
     */
    private boolean overdue(SyncRun run) {
        return run.scratch() && !run.finished() && run.phase().compareTo(SyncRun.Phase.PUBLISH) < 0
                && !time.now().isBefore(run.createdAt().plus(SyncRun.PUBLISH_WITHIN));
    }

    /** Whether the run's scratch expires within {@link #SCRATCH_MARGIN}: from then on it is not applied (see {@link #publish}). */
    private boolean scratchExpiring(SyncRun run) {
        return run.scratch() && !time.now().isBefore(run.scratchExpiresAt().minus(SCRATCH_MARGIN));
    }

    /** How a READ turn ended: the run failed for good, or reading is complete (no time to go on at), or it goes on then. */
    private record ReadTurn(boolean failed, Instant goOnAt) {
        static final ReadTurn FAILED = new ReadTurn(true, null);
    }

    /**
     * The READ phase for this worker's time. A token Buildkite refuses, an account gone, a call that
     * costs more than a whole budget, or turns that read nothing for {@link RateLimitGovernor#NO_PROGRESS_LIMIT}
     * end the run at once (no attempt can succeed); any other failure is an attempt's, and goes up.
     */
    private ReadTurn read(RunProgress progress, Turn turn, Instant deadline) {
        SyncRun run = progress.current();
        Session session;
        try {
            session = turn.open(deadline);
        } catch (ApiError e) {
            if (e.status() != 424 && e.status() != 404) {
                throw e;
            }
            fail(progress, e.getMessage(), e.status() == 424);
            return ReadTurn.FAILED;
        }
        try {
            if (run.status() == SyncRun.Status.QUEUED) {
                // A pass queued with its organizations (see SyncService) does not ask Buildkite for them again. The listing
                // (the session's own client) may sleep for its budget: a run still queued whose turn ended would look lost.
                List<SyncRun.Organization> reached = !run.full() && !run.organizations().isEmpty() ? run.organizations()
                        : access.organizations(session).stream().map(o -> new SyncRun.Organization(o.id(), o.slug(), o.name())).toList();
                // A pass's start is stored with its first turn's end (a worker that dies starts again the same way).
                progress.step(r -> r.started(time.now(), reached));
            }
            SyncRun.Read before = progress.current().read();
            Instant turnStart = time.now();
            Instant goOnAt = run.full() ? reader.read(session, progress, deadline) : subjectReader.read(session, progress, deadline);
            countCalls(progress, session);
            String organization = progress.current().read().organization() < progress.current().organizations().size()
                    ? progress.current().organizations().get(progress.current().read().organization()).slug() : null;
            if (goOnAt != null && stuck(progress, session, !progress.current().read().equals(before), turnStart, "reading", organization)) {
                return ReadTurn.FAILED;
            }
            return new ReadTurn(false, goOnAt);
        } catch (ApiError e) {
            if (ApiError.BUDGET_TOO_SMALL.equals(e.error())) {
                countCalls(progress, session);
                LOG.log(System.Logger.Level.WARNING, "sync run " + run.id() + " fails: " + e.getMessage());
                fail(progress, e.getMessage(), false);
                return ReadTurn.FAILED;
            }
            if (e.status() != 424) {
                throw e;
            }
            countCalls(progress, session);
            fail(progress, e.getMessage(), true); // Buildkite refused the stored token
            return ReadTurn.FAILED;
        }
    }

    /**
     * Whether the run is stuck, not waiting: a turn that {@code progressed} (read a page, checked a
     * removal) clears the watch; one that did not (it waited on a spent budget, for a refill or all
     * its time) starts it, and once nothing has gone on for {@link RateLimitGovernor#NO_PROGRESS_LIMIT}
     * the run fails, its error (and one log line) saying what got no call through and where the
     * budgets stand ({@code organization}'s too, where one is named).
     */
    private boolean stuck(RunProgress progress, Session session, boolean progressed, Instant turnStart, String what, String organization) {
        SyncRun run = progress.current();
        if (progressed) {
            if (run.stalledSince() != null) {
                progress.save(r -> r.stalled(null));
            }
            return false;
        }
        Instant since = run.stalledSince() != null ? run.stalledSince() : turnStart;
        if (run.stalledSince() == null) {
            progress.save(r -> r.stalled(since));
        }
        Duration stalled = Duration.between(since, time.now());
        if (stalled.compareTo(RateLimitGovernor.NO_PROGRESS_LIMIT) < 0) {
            return false;
        }
        String why = what + " got no Buildkite call through for " + stalled.toMinutes() + " minutes; budgets: "
                + access.budgetStates(session, organization);
        LOG.log(System.Logger.Level.WARNING, "sync run " + run.id() + " fails: " + why);
        fail(progress, why, false);
        return true;
    }

    /**
     * The Buildkite calls of a worker's turn, into the run's counts and the stack's metrics, beside
     * the requests' (a turn whose failure goes up as a failed attempt is not counted).
     */
    private static void countCalls(RunProgress progress, Session session) {
        java.util.function.UnaryOperator<SyncRun> counted = r -> r.reading(r.read(), r.counts().calls(session.buildkiteCalls(),
                session.rateLimitedAnswers()));
        // A pass's are stored with its next save (a worker that dies loses them with the steps it does again).
        SyncRun run = progress.step(counted);
        Metrics.emit("sync_turn", Map.of("run_id", run.id(), "tenant", run.tenantId(), "account", run.accountId()),
                List.of(Metric.count("BuildkiteCalls", session.buildkiteCalls()),
                        Metric.count("BuildkiteRateLimited", session.rateLimitedAnswers())), session.now());
    }

    /**
     * The run's end, published, as metrics: completed or failed, and for a completed run the time
     * from its being asked for to its events being out (SyncLag). A publication repeated after a
     * crash says it again, which is rare and errs towards being seen.
     */
    private void ended(SyncRun run) {
        boolean failed = run.status() == SyncRun.Status.FAILED;
        List<Metric> metrics = new ArrayList<>(List.of(Metric.count("SyncRunsCompleted", failed ? 0 : 1),
                Metric.count("SyncRunsFailed", failed ? 1 : 0)));
        if (!failed) {
            metrics.add(Metric.milliseconds("SyncLag", Duration.between(run.createdAt(), time.now()).toMillis()));
        }
        Metrics.emit("sync_run", Map.of("run_id", run.id(), "tenant", run.tenantId(), "account", run.accountId(),
                "status", failed ? "failed" : "completed"), metrics, time.now());
    }

    /**
     * The run's events become visible: its end event is written, then the account's published mark
     * and current generation move to the run (only while it is the account's run: a publication
     * repeated after a crash finds it done), then the run is complete. Each step can be repeated.
     */
    private void publish(RunProgress progress, Turn turn) {
        // Its end is fixed first, and stored with the save before its first write into the account's generation (see
        // #beginning), or before its end is published (a publication repeated says the same).
        SyncRun run = progress.current().finishedAt() != null ? progress.current() : progress.defer(r -> r.finishing(time.now()));
        // Applied before the mark moves; once it has passed the run (a worker died before saving so), the account is
        // free and a next run may have written the same items: they are not written again over its.
        if (turn.state.publishedThrough() < run.ordinal() && run.applying() != SyncRun.Applying.CUT_SHORT) {
            if (scratchExpiring(run)) {
                // Still in PUBLISH as its scratch expires (it reached PUBLISH within a day, see #overdue: it has been retried
                // for most of a day since). Every item of it expires at the same instant, and reads leave out what has
                // expired: a turn that straddled that instant (or a clock off by as much) would read part of it, and a run in
                // place that found its markers gone would delete every item it did not see: the account's whole snapshot.
                if (run.applying() == SyncRun.Applying.NOT_BEGUN) {
                    // Nothing of it written: it fails as a stuck run does (its events taken back), and the account's next
                    // pass or full run finds its changes again.
                    LOG.log(System.Logger.Level.WARNING, "sync run " + run.id() + " of account " + run.accountId()
                            + " fails: not published before what it read expires at " + run.scratchExpiresAt());
                    fail(progress, "not published before what it read expires (" + SyncRun.SCRATCH_LIFETIME.toHours()
                            + " hours after it was made)", false);
                    return; // its failure is published next
                }
                // Half applied: it is published without finishing (taking its events back could lose changes already
                // applied, where publishing them errs towards being seen: the next full run finds what is not applied, and
                // says it again). The decision is saved, so that what follows reads it, not the clock: the run confirms
                // nothing, and keeps nothing for the directory (see #keep); the next full run puts both right.
                LOG.log(System.Logger.Level.ERROR, "sync run " + run.id() + " of account " + run.accountId() + " publishes without"
                        + " finishing applying its changes to the account's snapshot: they expire at " + run.scratchExpiresAt()
                        + "; the account's next full run corrects the snapshot, and may repeat some of the run's events");
                progress.save(r -> r.applying(SyncRun.Applying.CUT_SHORT));
            } else if (!run.full()) {
                applyChanges(progress, run, turn);
            } else if (run.inPlace()) {
                applyInPlace(progress, run, turn);
            }
        }
        boolean cutShort = progress.current().applying() == SyncRun.Applying.CUT_SHORT;
        Map<String, Long> byType = new HashMap<>();
        // Kept for the delivery that follows where they are less than a page (a pass's), so that it need not read them again.
        List<ChangeEvent> events = new ArrayList<>();
        String after = EventPositions.firstOfRun(run.ordinal());
        while (true) {
            List<ChangeEvent> page = log.list(run.accountId(), after, EventPositions.firstOfRank(run.ordinal(), EventPositions.RUN_ENDED),
                    PAGE);
            page.forEach(e -> byType.merge(e.event(), 1L, Long::sum));
            events = events != null && events.size() + page.size() < PAGE ? events : null;
            if (events != null) {
                events.addAll(page);
            }
            if (page.size() < PAGE) {
                break;
            }
            after = page.get(page.size() - 1).position();
        }
        Instant ended = run.finishedAt();
        SyncRun.Counts counts = run.counts().withEvents(byType);
        SyncRun completed = run.ended(SyncRun.Status.COMPLETED, ended, null, counts);
        progress.flush();
        ChangeEvent end = runEvent(completed.inPhase(SyncRun.Phase.DONE), ChangeEvent.SYNC_RUN_COMPLETED, ended);
        log.put(run.accountId(), List.of(end));
        // What it read is confirmed as of when it began reading (its startedAt): no older than that.
        boolean written = turn.update(s -> run.id().equals(s.activeRunId()),
                s -> s.published(run.ordinal(), run.full() ? run.publishedGeneration() : s.currentGeneration())
                        .confirming(cutShort ? java.util.EnumSet.noneOf(DataKind.class) : run.confirms(), run.startedAt()));
        if (written && events != null) {
            events.add(end);
            turn.published = events; // the run's events, as this write published them
        }
        ended(progress.save(r -> afterPublish(r.ended(SyncRun.Status.COMPLETED, ended, null, counts))));
    }

    /**
     * A run whose end is published, into CLEAN where that has something to do (keep a completed full
     * run's data for the directory, delete a generation that is not scratch), else straight to DONE in
     * the same save (a pass, a failed run in place): one write of its item fewer. Either ends the
     * turn the same way (see {@link #advance}: DONE), and the account's next run may start once
     * either is saved (see {@link SyncService}).
     */
    private SyncRun afterPublish(SyncRun ended) {
        boolean cleans = !ended.scratch() || kept != null && ended.full() && ended.status() == SyncRun.Status.COMPLETED;
        return ended.inPhase(cleans ? SyncRun.Phase.CLEAN : SyncRun.Phase.DONE);
    }

    /**
     * A pass of changes goes into the account's snapshot, and into the directory's kept data, before
     * its events are out: from here on the pass is only ever retried (see {@link #failedAttempt}),
     * so that no change is kept without its event. Each step can be repeated.
     */
    private void applyChanges(RunProgress progress, SyncRun run, Turn turn) {
        if (turn.currentGeneration() != run.baseGeneration()) {
            return; // never so while the pass is the account's one run; a guard against writing into another run's generation
        }
        Runnable beginning = beginning(progress);
        new Overlay(snapshots, run).publish(beginning);
        if (kept != null) {
            turn.dataKey().ifPresent(dataKey -> kept.patch(run, dataKey, time.now(), beginning));
        }
    }

    /**
     * A full run in place goes into the account's current generation before its events are out,
     * as a pass does: from here on it is only ever retried (see {@link #failedAttempt}). Repeatable.
     */
    private void applyInPlace(RunProgress progress, SyncRun run, Turn turn) {
        if (turn.currentGeneration() != run.baseGeneration()) {
            return; // never so while the run is the account's one run
        }
        diff.inPlace(run).publish(beginning(progress));
    }

    /**
     * What runs before the first write of a run's PUBLISH into the account's current generation (or
     * the directory's kept data): the run saved as having begun applying, once (a write that fails may
     * have landed), with what was deferred (its move to PUBLISH, its end). An unchanged run writes
     * nothing there, and saves nothing more.
     */
    private static Runnable beginning(RunProgress progress) {
        return () -> {
            if (progress.current().applying() == SyncRun.Applying.NOT_BEGUN) {
                progress.save(r -> r.applying(SyncRun.Applying.BEGUN));
            }
        };
    }

    /**
     * Ends the run as failed. The failure is recorded first; publishing it (taking back every event
     * the run wrote, so nothing of a partial listing is published) follows as a step of its own,
     * which a worker that dies half-way repeats.
     */
    private void fail(RunProgress progress, String why, boolean needsReauth) {
        String error = needsReauth ? SyncRun.NEEDS_REAUTH + why : why;
        progress.save(r -> r.ended(SyncRun.Status.FAILED, time.now(), error, r.counts()).inPhase(SyncRun.Phase.PUBLISH));
    }

    private void publishFailure(RunProgress progress, Turn turn) {
        SyncRun run = progress.current();
        while (true) {
            List<ChangeEvent> page = log.list(run.accountId(), EventPositions.firstOfRun(run.ordinal()),
                    EventPositions.firstOfRank(run.ordinal(), EventPositions.RUN_ENDED), PAGE);
            if (page.isEmpty()) {
                break;
            }
            log.delete(run.accountId(), page.stream().map(ChangeEvent::position).toList());
        }
        Instant ended = run.finishedAt();
        if (run.failedForReauth()) {
            var data = ApiJson.MAPPER.createObjectNode().put("integrated_account_id", run.accountId()).put("status", "needs_reauth");
            log.put(run.accountId(), List.of(new ChangeEvent(eventId(run, "reauth"), ChangeEvent.ACCOUNT_NEEDS_REAUTH, run.tenantId(),
                    run.accountId(), ended, data, null, EventPositions.of(run.ordinal(), EventPositions.RUN_ENDED, EventPositions.ACCOUNT_KEY))));
        }
        log.put(run.accountId(), List.of(runEvent(run.inPhase(SyncRun.Phase.DONE), ChangeEvent.SYNC_RUN_FAILED, ended)));
        turn.update(s -> run.id().equals(s.activeRunId()), s -> s.published(run.ordinal(), s.currentGeneration()));
        ended(progress.save(this::afterPublish));
    }

    /**
     * A failed turn. A run that has not published is retried (backing off) until it has failed so
     * many times in a row; a run whose events are out (the account's published mark has reached it)
     * is only ever retried, so that nothing published is taken back.
     */
    private Outcome failedAttempt(RunProgress progress, RuntimeException failed) {
        // A contract error says what Buildkite did; anything else (an AWS error names ARNs) only by its class. The log has it whole.
        String why = failed instanceof ApiError ? failed.getMessage() : "an internal error (" + failed.getClass().getSimpleName() + ")";
        // Logged once, after the last save that could fail: where a save fails, its failure carries this one to the worker.
        String attempt = "sync run " + progress.current().id() + " of account " + progress.current().accountId() + ": an attempt failed";
        try {
            SyncRun run = progress.save(r -> r.failedAttempt(why));
            Instant later = time.now().plus(Duration.ofSeconds(30L << Math.min(run.attempts() - 1, 5)));
            // A pass, or a full run in place, changes the account's snapshot in its PUBLISH: it is never taken back from there.
            boolean published = run.finished() || (!run.full() || run.inPlace()) && run.phase() == SyncRun.Phase.PUBLISH
                    || syncs.account(run.accountId()).map(s -> s.publishedThrough() >= run.ordinal()).orElse(false);
            if (!published && run.attempts() >= MAX_FAILED_ATTEMPTS) {
                fail(progress, "gave up after " + run.attempts() + " failed attempts in a row; the last: " + why, false);
                LOG.log(System.Logger.Level.ERROR, attempt + " (" + run.attempts() + " in a row); the run ends as failed", failed);
                return Outcome.later(time.now()); // its failure is published by the next turn
            }
            LOG.log(System.Logger.Level.WARNING, attempt + " (" + run.attempts() + " in a row); it goes on at " + later, failed);
            return Outcome.later(later);
        } catch (RunProgress.Lost lost) {
            LOG.log(System.Logger.Level.WARNING, attempt + "; the run changed under this worker, and is looked at again later", failed);
            return Outcome.later(time.now().plus(LOST_RETRY));
        } catch (RuntimeException notSaved) {
            notSaved.addSuppressed(failed);
            throw notSaved;
        }
    }

    /**
     * A completed run's generation as the directory's kept data, while it is the account's current
     * one (a later run's is newer). Repeated by every CLEAN turn, it saves nothing once kept (see
     * {@link OrganizationDataService#confirmed}). A failure is the turn's failed attempt (logged
     * once, retried later); after {@link #KEEP_ATTEMPTS} in a row the run cleans up without it, and
     * the directory reads for itself as it would without syncs.
     */
    private void keep(RunProgress progress, Turn turn) {
        SyncRun run = progress.current();
        if (kept == null || run.status() != SyncRun.Status.COMPLETED || !run.full()) {
            return;
        }
        if (run.attempts() >= KEEP_ATTEMPTS) {
            LOG.log(System.Logger.Level.WARNING, "sync run " + run.id() + " of account " + run.accountId()
                    + " cleans up without keeping its data for the directory, after " + run.attempts() + " failed attempts");
            return;
        }
        if (turn.currentGeneration() != run.publishedGeneration()) {
            return;
        }
        if (run.applying() == SyncRun.Applying.CUT_SHORT) {
            return; // published without finishing applying its scratch (see #publish): the account's generation is not what it read
        }
        // Read again, not the turn's: the whole data is written anew here, and an account unlinked since must not get it back.
        Optional<String> dataKey = access.dataKey(run.tenantId(), run.accountId());
        if (dataKey.isPresent()) {
            kept.keep(run, dataKey.get());
        }
    }

    /**
     * Deletes the generation the run leaves behind: the base one after a completed full run not in
     * place, its own after a failed one; never the account's current generation. A pass's or a run in
     * place's own (its changed items and markers), completed or failed, is scratch: TTL deletes it
     * (see {@link SyncRun#scratchExpiresAt}), for free where a delete costs what a put does.
     */
    private boolean clean(RunProgress progress, Turn turn, Instant deadline) {
        SyncRun run = progress.current();
        if (run.scratch()) {
            return true;
        }
        long generation = run.status() == SyncRun.Status.FAILED ? run.generation() : run.baseGeneration();
        if (generation == 0 || generation == turn.currentGeneration()) {
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

    /** The run's end event, carrying the run as {@code GET /sync-runs/{id}} shows it once it is over. */
    private static ChangeEvent runEvent(SyncRun run, String type, Instant now) {
        return new ChangeEvent(eventId(run, type), type, run.tenantId(), run.accountId(), now, ApiJson.MAPPER.valueToTree(SyncRunView.of(run)),
                null, EventPositions.of(run.ordinal(), EventPositions.RUN_ENDED, EventPositions.RUN_END_KEY));
    }

    private static String eventId(SyncRun run, String what) {
        return eventId(run.accountId(), run.ordinal(), what);
    }

    /** The id of an account's event that is not a record's change (a run's end, the link), the same however often it is written. */
    static String eventId(String accountId, long ordinal, String what) {
        return "evt_" + SnapshotDiff.sha256(accountId + "|" + ordinal + "|" + what).substring(0, 32);
    }

    /**
     * Changes the account's sync state where {@code allowed}, over concurrent changes, from the state
     * as last {@code known} (read again only where a write over it fails: it changed meanwhile); empty
     * if not allowed or gone. The lease is taken over a state just read; what the turn asks of the
     * state it holds after that (this worker's lease, this run the account's active one) only this
     * worker's writes make true where it was false, so a held state that answers no is not read again.
     */
    private Optional<AccountSync> updateAccount(AccountSync known, Predicate<AccountSync> allowed, UnaryOperator<AccountSync> change) {
        Optional<AccountSync> state = Optional.of(known);
        for (int attempt = 0; attempt < 20; attempt++) {
            if (state.isEmpty() || !allowed.test(state.get())) {
                return Optional.empty();
            }
            Optional<AccountSync> changed = syncs.replaceAccount(change.apply(state.get()));
            if (changed.isPresent()) {
                return changed;
            }
            state = syncs.account(known.accountId());
        }
        throw new IllegalStateException("the sync state of account " + known.accountId() + " kept changing under this worker");
    }
}
