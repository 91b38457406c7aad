package dev.kitebridge.buildkite.ratelimit;

import java.time.Instant;

/**
 * What one Buildkite answer said about a budget ({@code RateLimit-*} or {@code RateLimit-User-*}).
 *
 * @param resetsAt when the window closes: the answer's time plus {@code RateLimit-Reset} seconds,
 *     which Buildkite rounds, so it may lie up to a second after the true close
 * @param observedAt when the answer arrived
 */
public record BudgetReading(Budget budget, long limit, long remaining, Instant resetsAt, Instant observedAt) {

    /** Whether this answer is from a later window than {@code other}: it resets a window later, not a rounding or latency apart. */
    public boolean laterWindowThan(BudgetReading other) {
        return resetsAt.isAfter(other.resetsAt().plus(BudgetState.SAME_WINDOW));
    }
}
