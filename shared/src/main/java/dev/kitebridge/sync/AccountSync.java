package dev.kitebridge.sync;

import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.events.EventPositions;

/**
 * An account's sync state: which snapshot generation is complete, how far its events are
 * published, and the one run that may be under way, with the lease of the worker running it.
 *
 * @param nextOrdinal the ordinal the account's next run gets
 * @param currentGeneration the last complete snapshot generation (0: never synced)
 * @param publishedThrough the ordinal of the last run whose events readers may see
 * @param activeRunId the run queued or under way, if any: one run per account at a time
 * @param leaseOwner the worker running the active run, until {@code leaseExpiresAt}: a worker that
 *     died stops blocking the account when its lease expires
 * @param confirmed when each kind of data was last confirmed by a completed run (never null; a
 *     state stored before it was kept reads as {@link Confirmed#NEVER})
 * @param audit where polling each organization's audit events stands, by organization id (empty: never polled)
 * @param counts what the last look at Buildkite's counts saw, and when (none: never looked, or a full run since)
 * @param revision a change is written only over the revision it was made from
 */
public record AccountSync(
        String accountId,
        String tenantId,
        long nextOrdinal,
        long currentGeneration,
        long publishedThrough,
        String activeRunId,
        String leaseOwner,
        Instant leaseExpiresAt,
        Confirmed confirmed,
        java.util.Map<String, AuditCursor> audit,
        CountsSeen counts,
        long revision) {

    public AccountSync {
        confirmed = confirmed == null ? Confirmed.NEVER : confirmed;
        audit = audit == null ? java.util.Map.of() : java.util.Map.copyOf(audit);
        counts = counts == null ? CountsSeen.NONE : counts;
    }

    /** An account that has never synced and whose log has nothing published. */
    public static AccountSync first(String accountId, String tenantId) {
        return new AccountSync(accountId, tenantId, 1, 0, 0, null, null, null, Confirmed.NEVER, java.util.Map.of(), CountsSeen.NONE, 0);
    }

    /**
     * A newly linked account: its link is its log's first "run" ({@link EventPositions#LINK_ORDINAL}), already
     * published (its {@code integrated_account.created}), and its first sync run comes after it.
     */
    public static AccountSync linked(String accountId, String tenantId) {
        return new AccountSync(accountId, tenantId, EventPositions.LINK_ORDINAL + 1, 0, EventPositions.LINK_ORDINAL, null, null, null, Confirmed.NEVER, java.util.Map.of(), CountsSeen.NONE, 0);
    }

    /**
     * {@code integrated_account.created}: the first event of an account's log, at the place of the
     * "run" its link is ({@link #linked}), with the account as the API shows it.
     */
    public static ChangeEvent accountCreated(String tenantId, String accountId, Instant linkedAt, JsonNode account) {
        return new ChangeEvent(SyncRunner.eventId(accountId, EventPositions.LINK_ORDINAL, "created"),
                ChangeEvent.ACCOUNT_CREATED, tenantId, accountId, linkedAt, account, null,
                EventPositions.of(EventPositions.LINK_ORDINAL, EventPositions.ACCOUNT_LINKED, EventPositions.ACCOUNT_KEY));
    }

    public AccountSync withActiveRun(String runId, long ordinalTaken) {
        return new AccountSync(accountId, tenantId, ordinalTaken + 1, currentGeneration, publishedThrough, runId, null, null, confirmed, audit, counts, revision);
    }

    public boolean leasedAt(Instant now) {
        return leaseOwner != null && leaseExpiresAt != null && now.isBefore(leaseExpiresAt);
    }

    public AccountSync leasedTo(String owner, Instant until) {
        return new AccountSync(accountId, tenantId, nextOrdinal, currentGeneration, publishedThrough, activeRunId, owner, until, confirmed,
                audit, counts, revision);
    }

    /** After a run's events are published: its generation (if it completed) is the current one, and no run is active. */
    public AccountSync published(long ordinal, long generation) {
        return new AccountSync(accountId, tenantId, nextOrdinal, generation, ordinal, null, null, null, confirmed, audit, counts, revision);
    }

    /** These kinds of data confirmed by a completed run that began reading at {@code at} (no time moves backwards). */
    public AccountSync confirming(java.util.Set<DataKind> kinds, Instant at) {
        return new AccountSync(accountId, tenantId, nextOrdinal, currentGeneration, publishedThrough, activeRunId, leaseOwner,
                leaseExpiresAt, confirmed.confirming(kinds, at), audit, counts, revision);
    }

    /** Where polling each organization's audit events stands, by organization id. */
    public AccountSync withAudit(java.util.Map<String, AuditCursor> cursors) {
        return new AccountSync(accountId, tenantId, nextOrdinal, currentGeneration, publishedThrough, activeRunId, leaseOwner,
                leaseExpiresAt, confirmed, cursors, counts, revision);
    }

    /** What the last look at Buildkite's counts saw (see {@link LightWatch}); none after a full run, which the next look compares with. */
    public AccountSync withCounts(CountsSeen seen) {
        return new AccountSync(accountId, tenantId, nextOrdinal, currentGeneration, publishedThrough, activeRunId, leaseOwner,
                leaseExpiresAt, confirmed, audit, seen, revision);
    }

    public java.util.Map<String, dev.kitebridge.buildkite.graphql.SignalsQueries.Signals> signals() {
        return counts.byOrganization();
    }

    public AuditCursor audit(String organizationId) {
        return audit.getOrDefault(organizationId, AuditCursor.UNKNOWN);
    }

    public AccountSync nextRevision() {
        return new AccountSync(accountId, tenantId, nextOrdinal, currentGeneration, publishedThrough, activeRunId, leaseOwner,
                leaseExpiresAt, confirmed, audit, counts, revision + 1);
    }
}
