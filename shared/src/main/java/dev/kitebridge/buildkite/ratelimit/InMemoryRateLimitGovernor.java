package dev.kitebridge.buildkite.ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The governor for one process: the last known state of each budget, drawn down by each
 * reservation, with the calls still in flight counted, so that concurrent callers never spend the
 * same remainder twice.
 *
 * <p>Buildkite's windows open at the first call after the last one closed, so a call reserved
 * late in one window may land in the next: calls in flight are therefore charged to a window that
 * opens while they travel. Within one window the remainder only falls, so answers that arrive out
 * of order are merged by taking the lower one.
 */
public final class InMemoryRateLimitGovernor implements RateLimitGovernor {

    /**
     * Readings of one window differ in their reset time by the rounding of {@code RateLimit-Reset} to
     * whole seconds and by latency; a new window resets a whole window length later.
     */
    static final Duration SAME_WINDOW = Duration.ofSeconds(5);

    /** How long to hold back when a fresh window's remainder is spent before any answer from it arrived. */
    static final Duration SETTLE = Duration.ofSeconds(1);

    /**
     * A budget as last seen.
     *
     * @param resetsAt null for a window that no answer has described yet
     * @param closedAt when the last described window closed, to recognise its late answers
     */
    private record State(long limit, long remaining, Instant resetsAt, long inFlight, Instant closedAt) {

        State withRemaining(long value, Instant reset) {
            return new State(limit, value, reset, inFlight, closedAt);
        }

        State withInFlight(long value) {
            return new State(limit, remaining, resetsAt, value, closedAt);
        }
    }

    private final Map<Budget, State> states = new HashMap<>();

    @Override
    public synchronized Decision reserve(List<Budget> budgets, long cost, Instant now) {
        for (Budget budget : budgets) {
            State state = current(budget, now);
            if (state != null && state.remaining() < cost) {
                if (state.resetsAt() != null) {
                    return new Decision.NotBefore(state.resetsAt(), budget);
                }
                // A fresh window spent before any answer described it: wait for the calls in flight to answer.
                if (state.inFlight() > 0) {
                    return new Decision.NotBefore(now.plus(SETTLE), budget);
                }
            }
        }
        for (Budget budget : budgets) {
            // An unknown budget is granted: the first answer tells where it stands.
            State state = states.getOrDefault(budget, new State(Long.MAX_VALUE, Long.MAX_VALUE, null, 0, null));
            states.put(budget, new State(state.limit(), state.remaining() - cost, state.resetsAt(),
                    state.inFlight() + cost, state.closedAt()));
        }
        return Decision.granted();
    }

    @Override
    public synchronized void settle(List<Budget> budgets, long cost, List<BudgetReading> readings) {
        for (Budget budget : budgets) {
            State state = states.get(budget);
            if (state != null) {
                states.put(budget, state.withInFlight(Math.max(0, state.inFlight() - cost)));
            }
        }
        for (BudgetReading reading : readings) {
            State known = states.get(reading.budget());
            long inFlight = known == null ? 0 : known.inFlight();
            // What the answer says is left, less what is on its way and may land in the same window.
            long left = reading.remaining() - inFlight;
            if (known == null || known.limit() == Long.MAX_VALUE) {
                states.put(reading.budget(), new State(reading.limit(), left, reading.resetsAt(), inFlight, null));
            } else if (known.closedAt() != null && !reading.resetsAt().isAfter(known.closedAt().plus(SAME_WINDOW))) {
                // A late answer from a window that has already closed: nothing to learn.
                continue;
            } else if (known.resetsAt() == null) {
                // The first answer from the window that opened after the last one closed.
                states.put(reading.budget(), new State(reading.limit(), Math.min(known.remaining(), left),
                        reading.resetsAt(), inFlight, known.closedAt()));
            } else if (reading.resetsAt().isAfter(known.resetsAt().plus(SAME_WINDOW))) {
                // A new window opened before the known one was due to close (a late call opened it).
                states.put(reading.budget(), new State(reading.limit(), left, reading.resetsAt(), inFlight, known.resetsAt()));
            } else {
                states.put(reading.budget(), known.withRemaining(Math.min(known.remaining(), left), known.resetsAt()));
            }
        }
    }

    /** The state now: once a window has closed, the next counts down from the full limit, less what is in flight. */
    private State current(Budget budget, Instant now) {
        State state = states.get(budget);
        if (state != null && state.resetsAt() != null && !now.isBefore(state.resetsAt())) {
            state = new State(state.limit(), state.limit() - state.inFlight(), null, state.inFlight(), state.resetsAt());
            states.put(budget, state);
        }
        return state;
    }
}
