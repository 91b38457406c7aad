package dev.kitebridge.buildkite.ratelimit;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The governor for one process: each budget's {@link BudgetState} in a map. */
public final class InMemoryRateLimitGovernor implements RateLimitGovernor {

    private final Map<Budget, BudgetState> states = new HashMap<>();

    @Override
    public synchronized Decision reserve(List<Budget> budgets, long cost, Instant now) {
        for (Budget budget : budgets) {
            BudgetState state = states.getOrDefault(budget, BudgetState.unknown()).at(now);
            states.put(budget, state);
            if (state.neverGrants(cost)) {
                return new Decision.OverLimit(budget, state.limit());
            }
            Instant notBefore = state.notBefore(cost, now);
            if (notBefore != null) {
                return new Decision.NotBefore(notBefore, budget);
            }
        }
        for (Budget budget : budgets) {
            states.put(budget, states.get(budget).reserved(cost, now));
        }
        return Decision.granted();
    }

    @Override
    public synchronized void settle(List<Budget> budgets, long cost, List<BudgetReading> readings) {
        for (Budget budget : budgets) {
            boolean answered = readings.stream().anyMatch(r -> r.budget().equals(budget));
            states.computeIfPresent(budget, (b, state) -> state.settled(cost, answered));
        }
        for (BudgetReading reading : readings) {
            states.put(reading.budget(), states.getOrDefault(reading.budget(), BudgetState.unknown()).observed(reading));
        }
    }

    @Override
    public synchronized Optional<BudgetState> state(Budget budget) {
        return Optional.ofNullable(states.get(budget));
    }

    @Override
    public synchronized void holdUntil(Budget budget, Instant until) {
        states.put(budget, states.getOrDefault(budget, BudgetState.unknown()).held(until));
    }
}
