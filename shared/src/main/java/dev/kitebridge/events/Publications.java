package dev.kitebridge.events;

import java.util.List;
import java.util.Optional;

/**
 * What readers of the event log (the feed, webhook rounds) need of sync, which writes it: how far each
 * account's events are published (a run's events are published all at once when it ends), the accounts
 * it keeps, and which account a finished run was for. Sync's store implements it.
 */
public interface Publications {

    /** An account whose events are published, by tenant. */
    record Feed(String tenantId, String accountId) {}

    /** The ordinal of the last run whose events are published; 0 when none is (or no such account). */
    long publishedThrough(String accountId);

    /** Every account sync keeps. */
    List<Feed> feeds();

    /** The account of the run, once it has finished; empty while it runs, or when there is no such run. */
    Optional<Feed> finishedRun(String runId);
}
