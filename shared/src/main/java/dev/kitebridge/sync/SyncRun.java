package dev.kitebridge.sync;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.kitebridge.directory.orgdata.OrganizationReader.GraphqlLane;
import dev.kitebridge.directory.orgdata.OrganizationReader.Position;
import dev.kitebridge.directory.orgdata.OrganizationReader.RestLane;

/**
 * One sync run of an integrated account: what it is (ids, trigger), where it stands (phase and
 * checkpoint, saved after every page so a new worker resumes it), and what it found (counts).
 *
 * @param ordinal the run's number among its account's runs: its events sort after every earlier run's
 * @param subjects what a pass of changes re-reads (see {@link Subject}); null for a full run, which reads everything
 * @param allowDeletions the caller confirmed that deletions over the share are real: none is held
 * @param baseGeneration the snapshot generation the run compares with (0: none, a first sync)
 * @param generation the snapshot generation the run writes: its ordinal, so a failed run's leftovers are never another's
 * @param inPlace a full run over a base generation that writes into its own only what differs from the base, with
 *     markers of what it read, and publishes by changing the base in place (see {@link InPlace}); false for a first
 *     sync, a pass of changes, and a run made before runs were in place (a run's kind never changes once made)
 * @param attempts how many times working on the run has failed: one that keeps failing is ended
 * @param stalledSince since when every READ turn waited on a spent budget without a page read; null while pages are read
 * @param applying how far a pass's or a run in place's PUBLISH has gone into the account's current generation
 * @param revision a change is written only over the revision it was made from
 */
public record SyncRun(
        String id,
        String tenantId,
        String accountId,
        long ordinal,
        String trigger,
        List<Subject> subjects,
        boolean allowDeletions,
        Status status,
        Phase phase,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        long baseGeneration,
        long generation,
        boolean inPlace,
        List<Organization> organizations,
        Read read,
        Diff diff,
        Counts counts,
        String error,
        int attempts,
        Instant stalledSince,
        Applying applying,
        long revision) {

    public SyncRun {
        if (applying == null) {
            // (a run stored before runs said so: one in PUBLISH or after may have begun applying)
            applying = phase.compareTo(Phase.PUBLISH) >= 0 ? Applying.BEGUN : Applying.NOT_BEGUN;
        }
    }

    public enum Status { QUEUED, RUNNING, COMPLETED, FAILED }

    /**
     * How long a run's scratch lives (see {@link #scratchExpiresAt}): DynamoDB's TTL deletes it after
     * that, for free, where CLEAN's deletes cost as many write units as the items' puts. Two days: a
     * run must reach PUBLISH within {@link #PUBLISH_WITHIN} of being made, and then publishes in a
     * turn, or in retries of it a day long.
     */
    public static final Duration SCRATCH_LIFETIME = Duration.ofDays(2);
    /** A run with scratch that has not reached PUBLISH this long after it was made fails (its scratch must not expire under it). */
    public static final Duration PUBLISH_WITHIN = Duration.ofDays(1);

    /**
     * READ Buildkite into the new generation; DIFF it with the base; VERIFY each removal with
     * Buildkite; HOLD deletions over the share; PUBLISH (or, for a failed run, take back what it
     * wrote and publish its failure); CLEAN the generation left behind, where it is not scratch (TTL
     * deletes that: see {@link #scratchExpiresAt}), and keep a completed full run's data for the
     * directory. A run with nothing to clean goes from PUBLISH to DONE.
     */
    public enum Phase { READ, DIFF, VERIFY, HOLD, PUBLISH, CLEAN, DONE }

    public record Organization(String id, String slug, String name) {}

    /**
     * How far a pass's or a run in place's PUBLISH has gone into the account's current generation
     * (and the directory's kept data): the clock says whether its scratch is expiring, this says what
     * was done about it, so that a step repeated later reads the decision and not the clock.
     */
    public enum Applying {
        /** Nothing of the run written there: a run whose scratch is expiring can still fail as if it never published. */
        NOT_BEGUN,
        /** Saved before its first write there: from here on the run is only ever published. */
        BEGUN,
        /**
         * Published without finishing: its scratch was expiring while what it had begun to apply was not
         * done. The account's generation is not what it read: it confirms nothing and keeps nothing.
         */
        CUT_SHORT
    }

    /**
     * Where reading stands: the organization being read, and each lane's place in it. The GraphQL
     * lane reads member profiles, then pending invitations; the REST lane reads members, teams, and
     * each team's roster (its members, then its pipelines), in that order.
     */
    public record Read(int organization, GraphqlLane graphql, RestLane rest) {

        public static Read start(int organization) {
            Position everything = Position.everything();
            return new Read(organization, everything.graphql(), everything.rest());
        }

        public Position position() {
            return new Position(graphql, rest);
        }

        public boolean done() {
            return graphql.done() && rest.done();
        }

        public Read with(GraphqlLane lane) {
            return new Read(organization, lane, rest);
        }

        public Read with(RestLane lane) {
            return new Read(organization, graphql, lane);
        }
    }

    /**
     * Where comparing stands: the last record compared (its key prefix), how many records the base
     * had and how many of them are gone; in VERIFY and HOLD, the last removal event dealt with.
     */
    public record Diff(String afterRecord, long baseRecords, long deletions, String checkedAfter) {
        public static final Diff START = new Diff(null, 0, 0, null);

        public Diff checked(String position, long deletionsNow) {
            return new Diff(afterRecord, baseRecords, deletionsNow, position);
        }
    }

    /** What the run read and found; {@code events} by type. */
    public record Counts(long users, long invitations, long groups, long memberships, long buildkiteCalls, long rateLimited,
                         Map<String, Long> events, long deletionsHeld) {

        public static final Counts ZERO = new Counts(0, 0, 0, 0, 0, 0, Map.of(), 0);

        public Counts {
            events = java.util.Collections.unmodifiableMap(new TreeMap<>(events));
        }

        public Counts read(long moreUsers, long moreInvitations, long moreGroups, long moreMemberships) {
            return new Counts(users + moreUsers, invitations + moreInvitations, groups + moreGroups, memberships + moreMemberships,
                    buildkiteCalls, rateLimited, events, deletionsHeld);
        }

        public Counts calls(long moreCalls, long moreRateLimited) {
            return new Counts(users, invitations, groups, memberships, buildkiteCalls + moreCalls, rateLimited + moreRateLimited,
                    events, deletionsHeld);
        }

        public Counts withEvents(Map<String, Long> byType) {
            return new Counts(users, invitations, groups, memberships, buildkiteCalls, rateLimited, byType, deletionsHeld);
        }

        public Counts held(long deletions) {
            return new Counts(users, invitations, groups, memberships, buildkiteCalls, rateLimited, events, deletions);
        }

    }

    public static SyncRun queued(String id, String tenantId, String accountId, long ordinal, String trigger, boolean allowDeletions,
                                 Instant now, long baseGeneration) {
        return queued(id, tenantId, accountId, ordinal, trigger, null, allowDeletions, now, baseGeneration);
    }

    /** @param subjects what a pass of changes re-reads; null: a full run */
    public static SyncRun queued(String id, String tenantId, String accountId, long ordinal, String trigger, List<Subject> subjects,
                                 boolean allowDeletions, Instant now, long baseGeneration) {
        return queued(id, tenantId, accountId, ordinal, trigger, subjects, allowDeletions, now, baseGeneration, List.of());
    }

    /**
     * @param organizations a pass's organizations where they are known when it is queued (every subject's among them),
     *     which it reads in without asking Buildkite; empty: it asks Buildkite which it reaches when it starts, as a full run does
     */
    public static SyncRun queued(String id, String tenantId, String accountId, long ordinal, String trigger, List<Subject> subjects,
                                 boolean allowDeletions, Instant now, long baseGeneration, List<Organization> organizations) {
        if (subjects == null && !organizations.isEmpty()) {
            throw new IllegalArgumentException("a full run reads which organizations it reaches");
        }
        return new SyncRun(id, tenantId, accountId, ordinal, trigger, subjects == null ? null : List.copyOf(subjects), allowDeletions, Status.QUEUED, Phase.READ, now, null, null, baseGeneration,
                ordinal, subjects == null && baseGeneration != 0, List.copyOf(organizations), Read.start(0), Diff.START, Counts.ZERO, null, 0, null, Applying.NOT_BEGUN, 0);
    }

    /** A full run reads everything into a generation of its own; a pass of changes re-reads only its subjects. */
    public boolean full() {
        return subjects == null;
    }

    /**
     * The kinds of data this run confirms once it completes: a full run reads them all; a pass of
     * changes, only some members, teams or invitations, confirms no kind whole.
     */
    public java.util.Set<DataKind> confirms() {
        return full() ? java.util.EnumSet.allOf(DataKind.class) : java.util.EnumSet.noneOf(DataKind.class);
    }

    /**
     * Whether the run's own generation is scratch: a pass's (what it read otherwise, tombstones,
     * markers) or a run in place's (what differs, markers), which PUBLISH applies to the account's
     * current generation and nothing reads after. A full run not in place (a first sync) writes the
     * generation that becomes the current one: never scratch.
     */
    public boolean scratch() {
        return !full() || inPlace;
    }

    /**
     * When the items the run writes into its own generation expire: {@link #SCRATCH_LIFETIME} after
     * it was made, the same however often one is written again; null (never) where that generation is
     * not scratch.
     */
    public Instant scratchExpiresAt() {
        return scratch() ? createdAt.plus(SCRATCH_LIFETIME) : null;
    }

    /**
     * When the run's base generation (the account's current one) was last written, for a read of it
     * settled (see {@link SnapshotStore#listSettled}): before the run started, until its own PUBLISH
     * has begun to write there. Runs of an account take turns from their start through their PUBLISH,
     * and only a PUBLISH writes there; a run's KEEP (in CLEAN, once the next run may start) reads it
     * as it is. Null: read it as it is now (a PUBLISH begun before, in an attempt that died: one read
     * at the full price rather than an argument about what its own writes read stale would do).
     */
    Instant baseWrittenBefore() {
        return applying == Applying.NOT_BEGUN ? startedAt : null;
    }

    /** The generation the run leaves as the account's current one once published: the base, changed in place, or its own. */
    public long publishedGeneration() {
        return inPlace ? baseGeneration : generation;
    }

    /** The same run writing a generation of its own whole, as first syncs do (for comparisons of the two kinds of run). */
    public SyncRun inGenerationMode() {
        return new SyncRun(id, tenantId, accountId, ordinal, trigger, subjects, allowDeletions, status, phase, createdAt, startedAt, finishedAt,
                baseGeneration, generation, false, organizations, read, diff, counts, error, attempts, stalledSince, applying, revision);
    }

    public boolean finished() {
        return status == Status.COMPLETED || status == Status.FAILED;
    }

    public SyncRun started(Instant now, List<Organization> reached) {
        return new SyncRun(id, tenantId, accountId, ordinal, trigger, subjects, allowDeletions, Status.RUNNING, phase, createdAt, now, finishedAt, baseGeneration,
                generation, inPlace, List.copyOf(reached), read, diff, counts, error, attempts, stalledSince, applying, revision);
    }

    /** Prefixes the error of a run that ended because Buildkite refused the account's token. */
    public static final String NEEDS_REAUTH = "needs_reauth: ";

    public boolean failedForReauth() {
        return status == Status.FAILED && error != null && error.startsWith(NEEDS_REAUTH);
    }

    /** A turn that went well: failed attempts count from zero again (only failures in a row end a run). */
    public SyncRun progressed() {
        return new SyncRun(id, tenantId, accountId, ordinal, trigger, subjects, allowDeletions, status, phase, createdAt, startedAt, finishedAt,
                baseGeneration, generation, inPlace, organizations, read, diff, counts, error, 0, stalledSince, applying, revision);
    }

    /** A READ turn's outcome for the stall watch: null once a page was read, else since when none has been. */
    public SyncRun stalled(Instant since) {
        return new SyncRun(id, tenantId, accountId, ordinal, trigger, subjects, allowDeletions, status, phase, createdAt, startedAt, finishedAt,
                baseGeneration, generation, inPlace, organizations, read, diff, counts, error, attempts, since, applying, revision);
    }

    public SyncRun failedAttempt(String why) {
        return new SyncRun(id, tenantId, accountId, ordinal, trigger, subjects, allowDeletions, status, phase, createdAt, startedAt, finishedAt, baseGeneration,
                generation, inPlace, organizations, read, diff, counts, why, attempts + 1, stalledSince, applying, revision);
    }

    /** A pass of changes that found more to re-read (the teams a member joined or left, for their counts). */
    public SyncRun withSubjects(List<Subject> more) {
        return new SyncRun(id, tenantId, accountId, ordinal, trigger, List.copyOf(more), allowDeletions, status, phase, createdAt, startedAt,
                finishedAt, baseGeneration, generation, inPlace, organizations, read, diff, counts, error, attempts, stalledSince, applying, revision);
    }

    public SyncRun reading(Read next, Counts newCounts) {
        return new SyncRun(id, tenantId, accountId, ordinal, trigger, subjects, allowDeletions, status, phase, createdAt, startedAt, finishedAt, baseGeneration,
                generation, inPlace, organizations, next, diff, newCounts, error, attempts, stalledSince, applying, revision);
    }

    public SyncRun comparing(Phase nextPhase, Diff next, Counts newCounts) {
        return new SyncRun(id, tenantId, accountId, ordinal, trigger, subjects, allowDeletions, status, nextPhase, createdAt, startedAt, finishedAt, baseGeneration,
                generation, inPlace, organizations, read, next, newCounts, error, attempts, stalledSince, applying, revision);
    }

    /** How far its PUBLISH has gone into the account's current generation. */
    public SyncRun applying(Applying now) {
        return new SyncRun(id, tenantId, accountId, ordinal, trigger, subjects, allowDeletions, status, phase, createdAt, startedAt, finishedAt,
                baseGeneration, generation, inPlace, organizations, read, diff, counts, error, attempts, stalledSince, now, revision);
    }

    /** When the run ends, fixed before its end is published, so that a publication repeated says the same. */
    public SyncRun finishing(Instant when) {
        return new SyncRun(id, tenantId, accountId, ordinal, trigger, subjects, allowDeletions, status, phase, createdAt, startedAt, when,
                baseGeneration, generation, inPlace, organizations, read, diff, counts, error, attempts, stalledSince, applying, revision);
    }

    /** The run's end: its status, when, why (for a failure), and its final counts; its phase stays (what follows is its publication). */
    public SyncRun ended(Status endStatus, Instant now, String why, Counts finalCounts) {
        return new SyncRun(id, tenantId, accountId, ordinal, trigger, subjects, allowDeletions, endStatus, phase, createdAt, startedAt, now, baseGeneration,
                generation, inPlace, organizations, read, diff, finalCounts, why, attempts, stalledSince, applying, revision);
    }

    public SyncRun inPhase(Phase nextPhase) {
        return new SyncRun(id, tenantId, accountId, ordinal, trigger, subjects, allowDeletions, status, nextPhase, createdAt, startedAt, finishedAt, baseGeneration,
                generation, inPlace, organizations, read, diff, counts, error, attempts, stalledSince, applying, revision);
    }

    /** The run as stored by a replace: one revision on. */
    public SyncRun nextRevision() {
        return new SyncRun(id, tenantId, accountId, ordinal, trigger, subjects, allowDeletions, status, phase, createdAt, startedAt, finishedAt, baseGeneration,
                generation, inPlace, organizations, read, diff, counts, error, attempts, stalledSince, applying, revision + 1);
    }
}
