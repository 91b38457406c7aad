package dev.kitebridge.buildkite.ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Keeps calls inside Buildkite's budgets. The client reserves before every call and settles after
 * it with what Buildkite's headers said. Every client serving one organization or user must share
 * one governor's state, so that together they stay inside the budget: in memory within a process,
 * in DynamoDB across Lambda instances.
 *
 * <p>The governor never sleeps: it answers "go" or "not before" and the caller decides whether it
 * can wait that long.
 */
public interface RateLimitGovernor {

    /**
     * Reserves {@code cost} (1 for a REST request; the expected complexity for a GraphQL query) from
     * every budget, or says when to ask again.
     */
    Decision reserve(List<Budget> budgets, long cost, Instant now);

    /**
     * Ends a reserved call: it is no longer in flight, and {@code readings} (empty when no answer
     * came) say where its budgets stand. Buildkite's answer is the authority; a call that got no
     * answer is assumed to have been counted.
     */
    void settle(List<Budget> budgets, long cost, List<BudgetReading> readings);

    /** Refuses the budget until {@code until}: for a 429 that did not say which budget is spent. */
    void holdUntil(Budget budget, Instant until);

    /** Where a budget stands, as far as this governor knows; empty for one it has never seen. For logs. */
    Optional<BudgetState> state(Budget budget);

    /**
     * How long a read or a sync run may go without a step before it is stuck, not waiting: three of
     * Buildkite's longest windows (GraphQL's 5 minutes). Every budget refills within one window, so
     * a caller that got no call through in three will not get one by waiting longer.
     */
    Duration NO_PROGRESS_LIMIT = Duration.ofMinutes(15);

    /**
     * The outcome of {@link #reserve}: granted, the instant before which it would not be, or never
     * (the call costs more than the budget's whole limit, so no refill can cover it).
     */
    sealed interface Decision {
        record Granted() implements Decision {}

        record NotBefore(Instant instant, Budget budget) implements Decision {}

        record OverLimit(Budget budget, long limit) implements Decision {}

        static Decision granted() {
            return new Granted();
        }
    }
}
