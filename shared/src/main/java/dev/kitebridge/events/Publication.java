package dev.kitebridge.events;

import java.time.Instant;
import java.util.List;

/**
 * What the worker that ended a run knows of its publication, for the delivery of its events that
 * follows at once: the account's publication mark as its turn wrote (or read) it with the run
 * published, and whether that write kept the account's sync lease for the delivery.
 *
 * @param through the mark with the run published; {@link #NOT_KNOWN} where the turn did not see it published
 * @param before the mark that write moved on from (where {@code heldUntil} is set)
 * @param heldUntil until when that write kept the account's sync lease for this worker (null: it did not): until
 *     then no other worker publishes the account's events (their runs wait for the lease), and the webhook rounds
 *     leave the account's deliveries to this worker (see {@link Publications.Feed#heldUntil})
 * @param events where {@code heldUntil} is set, the events of the runs after {@code before} through {@code through}
 *     as the worker read and wrote them to publish them (its run's, its end last: the runs in between, whose ordinals
 *     were taken and never run, have none), so that the delivery need not read them again; null: not known (read them)
 */
public record Publication(long through, long before, Instant heldUntil, List<ChangeEvent> events) {

    /** A mark not known: the delivery reads it. */
    public static final long NOT_KNOWN = Long.MAX_VALUE;

    /** The worker did not see the run published (an unlinked account's run, one that ended before this turn). */
    public static final Publication UNKNOWN = new Publication(NOT_KNOWN, 0, null, null);

    public Publication {
        events = events == null ? null : List.copyOf(events);
    }

    /** Seen published, through {@code through}, with no lease kept. */
    public static Publication seen(long through) {
        return new Publication(through, 0, null, null);
    }
}
