package dev.kitebridge.buildkite.ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The governor for one process. For each budget it keeps what Buildkite last reported as remaining
 * in the current window and, apart from it, what is reserved by calls in flight; a call is granted
 * when the reported remainder less the calls in flight covers its cost. A GraphQL query reserves
 * its requested complexity and gives back the difference when the answer reports what it really
 * cost.
 *
 * <p>Buildkite's windows open at the first call after the last one closed, so a call that leaves
 * late in one window may land in, and open, the next: calls in flight are therefore charged to
 * whatever window is current. Within one window the remainder only falls, so answers arriving out
 * of order are merged by taking the lower one.
 */
public final class InMemoryRateLimitGovernor implements RateLimitGovernor {

    /**
     * Readings of one window differ in their reset time by the rounding of {@code RateLimit-Reset} to
     * whole seconds and by latency; a new window resets a whole window length later.
     */
    static final Duration SAME_WINDOW = Duration.ofSeconds(5);

    /** How long to hold back when a fresh window is spent before any answer from it arrived. */
    static final Duration SETTLE = Duration.ofSeconds(1);

    /**
     * A budget as last seen.
     *
     * @param reported the remainder Buildkite last reported for the window (the full limit for a
     *     window no answer has described yet), less calls that got no answer
     * @param resetsAt when the described window closes; null for a window not yet described
     * @param closedAt when the last described window closed, to recognise its late answers
     * @param windowLength the longest window seen, to guess the close of an undescribed one
     * @param heldUntil no grant before this instant (after a 429 that named no budget)
     */
    private record State(long limit, long reported, long inFlight, Instant resetsAt, Instant closedAt,
                         Duration windowLength, Instant heldUntil) {

        long available() {
            return reported - inFlight;
        }
    }

    private final Map<Budget, State> states = new HashMap<>();

    @Override
    public synchronized Decision reserve(List<Budget> budgets, long cost, Instant now) {
        for (Budget budget : budgets) {
            State state = current(budget, now);
            if (state == null) {
                continue; // an unknown budget is granted: the first answer tells where it stands
            }
            if (state.heldUntil() != null && now.isBefore(state.heldUntil())) {
                return new Decision.NotBefore(state.heldUntil(), budget);
            }
            if (state.available() < cost) {
                if (state.resetsAt() != null) {
                    return new Decision.NotBefore(state.resetsAt(), budget);
                }
                // A fresh window spent before any answer described it: wait for the answers in flight,
                // or, with none coming, for the window to have surely closed.
                Instant retry = state.inFlight() > 0 || state.windowLength() == null
                        ? now.plus(SETTLE) : state.closedAt().plus(state.windowLength());
                return new Decision.NotBefore(retry.isAfter(now) ? retry : now.plus(SETTLE), budget);
            }
        }
        for (Budget budget : budgets) {
            State state = states.get(budget);
            states.put(budget, state == null
                    ? new State(Long.MAX_VALUE, Long.MAX_VALUE, cost, null, null, null, null)
                    : new State(state.limit(), state.reported(), state.inFlight() + cost, state.resetsAt(),
                            state.closedAt(), state.windowLength(), state.heldUntil()));
        }
        return Decision.granted();
    }

    @Override
    public synchronized void settle(List<Budget> budgets, long cost, List<BudgetReading> readings) {
        for (Budget budget : budgets) {
            State state = states.get(budget);
            if (state == null) {
                continue;
            }
            boolean answered = readings.stream().anyMatch(r -> r.budget().equals(budget));
            // A call that got no answer may still have been counted by Buildkite.
            long reported = answered || state.reported() == Long.MAX_VALUE ? state.reported() : state.reported() - cost;
            states.put(budget, new State(state.limit(), reported, Math.max(0, state.inFlight() - cost), state.resetsAt(),
                    state.closedAt(), state.windowLength(), state.heldUntil()));
        }
        for (BudgetReading reading : readings) {
            State known = states.get(reading.budget());
            State next = known == null ? null : merge(known, reading);
            if (known == null) {
                next = new State(reading.limit(), reading.remaining(), 0, reading.resetsAt(), null,
                        Duration.between(reading.observedAt(), reading.resetsAt()), null);
            }
            states.put(reading.budget(), next);
        }
    }

    @Override
    public synchronized void holdUntil(Budget budget, Instant until) {
        State state = states.get(budget);
        states.put(budget, state == null
                ? new State(Long.MAX_VALUE, Long.MAX_VALUE, 0, null, null, null, until)
                : new State(state.limit(), state.reported(), state.inFlight(), state.resetsAt(), state.closedAt(),
                        state.windowLength(), until));
    }

    private static State merge(State known, BudgetReading reading) {
        Duration length = longest(known.windowLength(), Duration.between(reading.observedAt(), reading.resetsAt()));
        if (known.limit() == Long.MAX_VALUE) {
            // The first answer about this budget.
            return new State(reading.limit(), reading.remaining(), known.inFlight(), reading.resetsAt(), null, length,
                    known.heldUntil());
        }
        if (known.closedAt() != null && !reading.resetsAt().isAfter(known.closedAt().plus(SAME_WINDOW))) {
            return known; // a late answer from a window that has already closed
        }
        if (known.resetsAt() == null) {
            // The first answer from the window that opened after the last one closed.
            return new State(reading.limit(), Math.min(known.reported(), reading.remaining()), known.inFlight(),
                    reading.resetsAt(), known.closedAt(), length, known.heldUntil());
        }
        if (reading.resetsAt().isAfter(known.resetsAt().plus(SAME_WINDOW))) {
            // A new window opened before the known one was due to close: a late call opened it.
            return new State(reading.limit(), reading.remaining(), known.inFlight(), reading.resetsAt(), known.resetsAt(),
                    length, known.heldUntil());
        }
        return new State(reading.limit(), Math.min(known.reported(), reading.remaining()), known.inFlight(),
                known.resetsAt(), known.closedAt(), length, known.heldUntil());
    }

    /** The state now: once a window has closed, the next starts full until an answer describes it. */
    private State current(Budget budget, Instant now) {
        State state = states.get(budget);
        if (state != null && state.resetsAt() != null && !now.isBefore(state.resetsAt())) {
            state = new State(state.limit(), state.limit(), state.inFlight(), null, state.resetsAt(),
                    state.windowLength(), state.heldUntil());
            states.put(budget, state);
        }
        return state;
    }

    private static Duration longest(Duration a, Duration b) {
        return a == null || b.compareTo(a) > 0 ? b : a;
    }
}
