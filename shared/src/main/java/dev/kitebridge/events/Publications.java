package dev.kitebridge.events;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What readers of the event log (the feed, webhook rounds) need of sync, which writes it: how far each
 * account's events are published (a run's events are published all at once when it ends), and the
 * accounts it keeps. Sync's store implements it.
 */
public interface Publications {

    /**
     * An account whose events are published, by tenant, with the ordinal of its last run whose events are, as read with
     * the list (a moment behind at most).
     *
     * @param heldUntil until when the worker that published the last of them delivers them alone (the account's sync
     *     lease kept for that with the mark, see {@link Publication#heldUntil}); null: no such hold. The same write moves
     *     the mark and sets the hold, so a read that sees the one sees the other.
     */
    record Feed(String tenantId, String accountId, long publishedThrough, Instant heldUntil) {
        public Feed(String tenantId, String accountId, long publishedThrough) {
            this(tenantId, accountId, publishedThrough, null);
        }
    }

    /** The ordinal of the last run whose events are published; 0 when none is (or no such account). */
    long publishedThrough(String accountId);

    /** Every account sync keeps. */
    List<Feed> feeds();

    /** One account's, read as it is now (strongly consistent); empty for an account sync does not keep. */
    Optional<Feed> feed(String accountId);
}
