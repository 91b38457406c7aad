package dev.kitebridge.time;

import java.time.Duration;
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

    /**
     * The deadline {@code remaining} from now on {@code time}: an invocation's end (what Lambda says is
     * left of it), on the clock the work compares it with, not the wall clock.
     */
    public static Deadline in(TimeSource time, Duration remaining) {
        return new Deadline(time.now().plus(remaining));
    }

    /** Whether a call that could go at {@code instant} would go too late. */
    public boolean isBefore(Instant instant) {
        return this.instant.isBefore(instant);
    }
}
