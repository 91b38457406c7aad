package dev.kitebridge.buildkite.ratelimit;

import java.time.Instant;
import java.util.List;

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

    /** The outcome of {@link #reserve}: granted, or the instant before which it would not be. */
    sealed interface Decision {
        record Granted() implements Decision {}

        record NotBefore(Instant instant, Budget budget) implements Decision {}

        static Decision granted() {
            return new Granted();
        }
    }
}
