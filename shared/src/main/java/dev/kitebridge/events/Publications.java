package dev.kitebridge.events;

import java.util.List;

/**
 * What readers of the event log (the feed, webhook rounds) need of sync, which writes it: how far each
 * account's events are published (a run's events are published all at once when it ends), and the
 * accounts it keeps. Sync's store implements it.
 */
public interface Publications {

    /**
     * An account whose events are published, by tenant, with the ordinal of its last run whose events are, as read with
     * the list (a moment behind at most).
     */
    record Feed(String tenantId, String accountId, long publishedThrough) {}

    /** The ordinal of the last run whose events are published; 0 when none is (or no such account). */
    long publishedThrough(String accountId);

    /** Every account sync keeps. */
    List<Feed> feeds();
}
