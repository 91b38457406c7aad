package dev.kitebridge.buildkite.ratelimit;

import java.time.Duration;
import java.time.Instant;

/**
 * What one Buildkite answer said about a budget ({@code RateLimit-*} or {@code RateLimit-User-*}).
 *
 * @param resetsAt when the window closes: the answer's time plus {@code RateLimit-Reset} seconds,
 *     which Buildkite rounds, so it may lie up to a second after the true close
 * @param observedAt when the answer arrived
 */
public record BudgetReading(Budget budget, long limit, long remaining, Instant resetsAt, Instant observedAt) {

    /**
     * Resets at least this far apart are of different windows: Buildkite opens a window at the first call after the
     * last one closed, so a later one resets a window length (REST's minute, GraphQL's five) or more after an earlier
     * one; half the shortest leaves room for a slow answer (a request times out after 10 s).
     */
    static final Duration OTHER_WINDOW = Duration.ofSeconds(30);

    /** Where an answer's window lies against another's, as far as their resets tell. */
    public enum Window { EARLIER, SAME, LATER, UNKNOWN }

    /**
     * This answer's window against {@code other}'s: the same where their resets are within rounding and latency
     * ({@link BudgetState#SAME_WINDOW}), earlier or later where they are {@link #OTHER_WINDOW} apart or more; in
     * between not known: a reset is the answer's arrival plus {@code RateLimit-Reset}, so a slow answer's lies late.
     */
    public Window windowAgainst(BudgetReading other) {
        Duration apart = Duration.between(other.resetsAt(), resetsAt).abs();
        if (apart.compareTo(BudgetState.SAME_WINDOW) <= 0) {
            return Window.SAME;
        }
        if (apart.compareTo(OTHER_WINDOW) < 0) {
            return Window.UNKNOWN;
        }
        return resetsAt.isAfter(other.resetsAt()) ? Window.LATER : Window.EARLIER;
    }
}
