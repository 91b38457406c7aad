package dev.kitebridge.events;

import java.util.List;

/**
 * An account's published events, in order: what {@code GET /events} pages through and webhooks
 * deliver. A run's events are written while it runs and published all at once when it ends, so a
 * reader never sees part of a run, nor an event appear before one it has already passed.
 */
public final class EventFeed {

    private final EventLog log;
    private final Publications syncs;

    public EventFeed(EventLog log, Publications syncs) {
        this.log = log;
        this.syncs = syncs;
    }

    /** Published events after {@code afterPosition} (null: from the first), at most {@code limit}. */
    public List<ChangeEvent> after(String accountId, String afterPosition, int limit) {
        return after(accountId, afterPosition, publishedThrough(accountId), limit);
    }

    /**
     * Events after {@code afterPosition} of the runs through {@code publishedThrough}, a publication mark the caller
     * read (from {@link #publishedThrough}, or with the accounts' listing): a reader paging through reads it once.
     */
    public List<ChangeEvent> after(String accountId, String afterPosition, long publishedThrough, int limit) {
        if (publishedThrough == 0) {
            return List.of();
        }
        return log.list(accountId, afterPosition, EventPositions.firstOfRun(publishedThrough + 1), limit);
    }

    /** The ordinal of the account's last run whose events are published (0: none). */
    public long publishedThrough(String accountId) {
        return syncs.publishedThrough(accountId);
    }

    /**
     * The position after every event published so far: reading after it gives only what is
     * published later (where a new webhook subscription starts).
     */
    public String end(String accountId) {
        long published = syncs.publishedThrough(accountId);
        return EventPositions.firstOfRun(published + 1);
    }
}
