package dev.kitebridge.buildkite.ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The governor for one process: the last known state of each budget, drawn down locally by each
 * reservation so that concurrent callers do not all spend the same remainder.
 *
 * <p>Within one window the remainder only falls, so answers that arrive out of order are merged
 * by taking the lower one. A window is over at its reset time; until an answer describes the next
 * one, the budget counts down from its full limit.
 */
public final class InMemoryRateLimitGovernor implements RateLimitGovernor {

    /** How long to hold back when a fresh window's remainder is spent before any answer from it arrived. */
    static final Duration SETTLE = Duration.ofSeconds(1);

    /** A budget as last seen. A null {@code resetsAt} means a window that no answer has described yet. */
    private record State(long limit, long remaining, Instant resetsAt) {}

    private final Map<Budget, State> states = new HashMap<>();

    @Override
    public synchronized Decision reserve(List<Budget> budgets, long cost, Instant now) {
        for (Budget budget : budgets) {
            State state = current(budget, now);
            // An unknown budget is granted: the first answer tells where it stands.
            if (state != null && state.remaining() < cost) {
                Instant retry = state.resetsAt() != null ? state.resetsAt() : now.plus(SETTLE);
                return new Decision.NotBefore(retry, budget);
            }
        }
        for (Budget budget : budgets) {
            State state = current(budget, now);
            if (state != null) {
                states.put(budget, new State(state.limit(), state.remaining() - cost, state.resetsAt()));
            }
        }
        return Decision.granted();
    }

    @Override
    public synchronized void observe(List<BudgetReading> readings) {
        for (BudgetReading reading : readings) {
            State known = states.get(reading.budget());
            if (known == null || (known.resetsAt() != null && !reading.observedAt().isBefore(known.resetsAt()))) {
                // The first word on this budget, or the first answer after its window closed.
                states.put(reading.budget(), new State(reading.limit(), reading.remaining(), reading.resetsAt()));
            } else if (known.resetsAt() == null) {
                // The first answer from a new window: it may not yet count reservations made since it opened.
                states.put(reading.budget(), new State(reading.limit(),
                        Math.min(known.remaining(), reading.remaining()), reading.resetsAt()));
            } else {
                states.put(reading.budget(), new State(reading.limit(),
                        Math.min(known.remaining(), reading.remaining()), known.resetsAt()));
            }
        }
    }

    /** The state now: a window that has closed is full again until an answer describes the next one. */
    private State current(Budget budget, Instant now) {
        State state = states.get(budget);
        if (state != null && state.resetsAt() != null && !now.isBefore(state.resetsAt())) {
            state = new State(state.limit(), state.limit(), null);
            states.put(budget, state);
        }
        return state;
    }
}
