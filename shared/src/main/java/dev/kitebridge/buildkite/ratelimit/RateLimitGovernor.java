package dev.kitebridge.buildkite.ratelimit;

import java.time.Instant;
import java.util.List;

/**
 * Keeps calls inside Buildkite's budgets. The client asks before every call and reports what
 * Buildkite's headers said after it. Every client serving one organization or user must share one
 * governor's state, so that together they stay inside the budget: in memory within a process, in
 * DynamoDB across Lambda instances.
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

    /** Records what Buildkite's answer said about the budgets; the answer is the authority. */
    void observe(List<BudgetReading> readings);

    /** The outcome of {@link #reserve}: granted, or the instant before which it would not be. */
    sealed interface Decision {
        record Granted() implements Decision {}

        record NotBefore(Instant instant, Budget budget) implements Decision {}

        static Decision granted() {
            return new Granted();
        }
    }
}
