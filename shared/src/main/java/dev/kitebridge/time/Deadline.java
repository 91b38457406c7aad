package dev.kitebridge.time;

import java.time.Instant;
import java.util.Objects;

/**
 * The latest time a call may wait until for a spent budget: past it, the call answers rate limited
 * rather than wait. A request's calls carry the request's deadline (less the time the call itself
 * takes), so that a request near its end does not wait for a refill it cannot use.
 */
public record Deadline(Instant instant) {

    public Deadline {
        Objects.requireNonNull(instant, "instant");
    }

    public static Deadline at(Instant instant) {
        return new Deadline(instant);
    }

    /** Whether a call that could go at {@code instant} would go too late. */
    public boolean isBefore(Instant instant) {
        return this.instant.isBefore(instant);
    }
}
