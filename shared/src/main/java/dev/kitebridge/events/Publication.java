package dev.kitebridge.events;

import java.util.List;

/**
 * What the worker that ended a run knows of its publication, for the delivery of its events that
 * follows at once, so that the delivery need not read again what the worker has just read or written.
 *
 * @param through the account's publication mark as the worker's turn wrote (or read) it with the run published;
 *     {@link #NOT_KNOWN} where the turn did not see it published
 * @param events where the turn's own write published the run (its ordinal is {@code through}), the run's events as
 *     the worker read and wrote them to publish them, its end last; null: not known (a delivery reads them)
 */
public record Publication(long through, List<ChangeEvent> events) {

    /** A mark not known: the delivery reads it. */
    public static final long NOT_KNOWN = Long.MAX_VALUE;

    /** The worker did not see the run published (an unlinked account's run, one that ended before this turn). */
    public static final Publication UNKNOWN = new Publication(NOT_KNOWN, null);

    public Publication {
        events = events == null ? null : List.copyOf(events);
    }

}
