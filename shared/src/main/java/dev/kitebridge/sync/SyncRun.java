package dev.kitebridge.sync;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.kitebridge.buildkite.PageRequest;

/**
 * One sync run of an integrated account: what it is (ids, trigger), where it stands (phase and
 * checkpoint, saved after every page so a new worker resumes it), and what it found (counts).
 *
 * @param ordinal the run's number among its account's runs: its events sort after every earlier run's
 * @param baseGeneration the snapshot generation the run compares with (0: none, a first sync)
 * @param generation the snapshot generation the run writes: its ordinal, so a failed run's leftovers are never another's
 * @param attempts how many times working on the run has failed: one that keeps failing is ended
 * @param revision a change is written only over the revision it was made from
 */
public record SyncRun(
        String id,
        String tenantId,
        String accountId,
        long ordinal,
        String trigger,
        Status status,
        Phase phase,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        long baseGeneration,
        long generation,
        List<Organization> organizations,
        Read read,
        Diff diff,
        Counts counts,
        String error,
        int attempts,
        long revision) {

    public enum Status { QUEUED, RUNNING, COMPLETED, FAILED }

    /** READ Buildkite into the new generation; DIFF it with the base; HOLD deletions over the share; PUBLISH; CLEAN the old generation. */
    public enum Phase { READ, DIFF, HOLD, PUBLISH, CLEAN, DONE }

    public record Organization(String id, String slug, String name) {}

    /**
     * Where reading stands: the organization being read, and each lane's place in it. The GraphQL
     * lane reads member profiles; the REST lane reads members, teams, each team's roster
     * (members, then pipelines) and invitations, in that order.
     */
    public record Read(int organization, boolean profilesDone, String profilesAfter, RestStage restStage, PageRequest restNext,
                       String rosterTeam, boolean rosterPipelines, long rosterMembers,
                       List<dev.kitebridge.directory.orgdata.TeamRoster.PipelineAccess> rosterPipelinesSoFar) {

        public enum RestStage { MEMBERS, TEAMS, ROSTERS, INVITATIONS, DONE }

        public Read {
            rosterPipelinesSoFar = List.copyOf(rosterPipelinesSoFar);
        }

        public static Read start(int organization) {
            return new Read(organization, false, null, RestStage.MEMBERS, null, null, false, 0, List.of());
        }

        public boolean done() {
            return profilesDone && restStage == RestStage.DONE;
        }
    }

    /**
     * Where comparing stands: the last record compared (its key prefix), how many records the base
     * had and how many of them are gone; in HOLD, the last held event undone.
     */
    public record Diff(String afterRecord, long baseRecords, long deletions, String heldAfter) {
        public static final Diff START = new Diff(null, 0, 0, null);
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

    public static SyncRun queued(String id, String tenantId, String accountId, long ordinal, String trigger, Instant now,
                                 long baseGeneration) {
        return new SyncRun(id, tenantId, accountId, ordinal, trigger, Status.QUEUED, Phase.READ, now, null, null, baseGeneration,
                ordinal, List.of(), Read.start(0), Diff.START, Counts.ZERO, null, 0, 0);
    }

    public boolean finished() {
        return status == Status.COMPLETED || status == Status.FAILED;
    }

    public SyncRun started(Instant now, List<Organization> reached) {
        return new SyncRun(id, tenantId, accountId, ordinal, trigger, Status.RUNNING, phase, createdAt, now, finishedAt, baseGeneration,
                generation, List.copyOf(reached), read, diff, counts, error, attempts, revision);
    }

    public SyncRun failedAttempt(String why) {
        return new SyncRun(id, tenantId, accountId, ordinal, trigger, status, phase, createdAt, startedAt, finishedAt, baseGeneration,
                generation, organizations, read, diff, counts, why, attempts + 1, revision);
    }

    public SyncRun reading(Read next, Counts newCounts) {
        return new SyncRun(id, tenantId, accountId, ordinal, trigger, status, phase, createdAt, startedAt, finishedAt, baseGeneration,
                generation, organizations, next, diff, newCounts, error, attempts, revision);
    }

    public SyncRun comparing(Phase nextPhase, Diff next, Counts newCounts) {
        return new SyncRun(id, tenantId, accountId, ordinal, trigger, status, nextPhase, createdAt, startedAt, finishedAt, baseGeneration,
                generation, organizations, read, next, newCounts, error, attempts, revision);
    }

    public SyncRun ended(Status endStatus, Instant now, String why, Counts finalCounts) {
        return new SyncRun(id, tenantId, accountId, ordinal, trigger, endStatus, Phase.CLEAN, createdAt, startedAt, now, baseGeneration,
                generation, organizations, read, diff, finalCounts, why, attempts, revision);
    }

    public SyncRun inPhase(Phase nextPhase) {
        return new SyncRun(id, tenantId, accountId, ordinal, trigger, status, nextPhase, createdAt, startedAt, finishedAt, baseGeneration,
                generation, organizations, read, diff, counts, error, attempts, revision);
    }

    /** The run as stored by a replace: one revision on. */
    public SyncRun nextRevision() {
        return new SyncRun(id, tenantId, accountId, ordinal, trigger, status, phase, createdAt, startedAt, finishedAt, baseGeneration,
                generation, organizations, read, diff, counts, error, attempts, revision + 1);
    }
}
