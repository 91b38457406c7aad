package dev.kitebridge.bench.freshness;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

import dev.kitebridge.buildkite.ratelimit.Budget;
import dev.kitebridge.buildkite.ratelimit.BudgetReading;
import dev.kitebridge.buildkite.ratelimit.BudgetState;
import dev.kitebridge.buildkite.ratelimit.InMemoryRateLimitGovernor;
import dev.kitebridge.buildkite.ratelimit.RateLimitGovernor;
import dev.kitebridge.time.TimeSource;

/**
 * Buildkite's time for the freshness benchmark: a clock that moves only when someone waits on it
 * (as shared's test support {@code VirtualTime}: a sleep moves it to the instant the sleeper wakes
 * at, and waits, in real time, while a call the governor granted is on its way to the sandbox), and
 * that fires the actions scheduled on it ({@link #at}) at their own instants as it moves past them:
 * a change made in Buildkite while the worker waits for a budget happens in the middle of its run,
 * at its time, as it would deployed.
 */
public final class BuildkiteTime implements TimeSource {

    private static final long IN_FLIGHT_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(120);

    private record Scheduled(Instant at, long order, Runnable action) {}

    private final ThreadLocal<Instant> lastRead = new ThreadLocal<>();
    private final PriorityQueue<Scheduled> scheduled = new PriorityQueue<>((a, b) -> a.at.equals(b.at)
            ? Long.compare(a.order, b.order) : a.at.compareTo(b.at));
    private long order;
    private Instant now;
    private int callsInFlight;

    public BuildkiteTime(Instant start) {
        this.now = start;
    }

    /** Runs {@code action} when the clock reaches {@code when} (on the thread that moves it there, the clock reading {@code when}). */
    public synchronized void at(Instant when, Runnable action) {
        scheduled.add(new Scheduled(when.isBefore(now) ? now : when, order++, action));
    }

    /** When the next scheduled action is due, if any. */
    public synchronized Optional<Instant> nextScheduled() {
        return Optional.ofNullable(scheduled.peek()).map(Scheduled::at);
    }

    /** An in-memory governor whose granted calls hold this clock still until they are settled. */
    public RateLimitGovernor governor() {
        RateLimitGovernor delegate = new InMemoryRateLimitGovernor();
        return new RateLimitGovernor() {
            @Override
            public Decision reserve(List<Budget> budgets, long cost, Instant asked) {
                synchronized (BuildkiteTime.this) {
                    Decision decision = delegate.reserve(budgets, cost, now());
                    if (decision instanceof Decision.Granted) {
                        callsInFlight++;
                    }
                    return decision;
                }
            }

            @Override
            public void settle(List<Budget> budgets, long cost, List<BudgetReading> readings) {
                delegate.settle(budgets, cost, readings);
                synchronized (BuildkiteTime.this) {
                    callsInFlight--;
                    BuildkiteTime.this.notifyAll();
                }
            }

            @Override
            public void holdUntil(Budget budget, Instant until) {
                delegate.holdUntil(budget, until);
            }

            @Override
            public Optional<BudgetState> state(Budget budget) {
                return delegate.state(budget);
            }
        };
    }

    @Override
    public synchronized Instant now() {
        lastRead.set(now);
        return now;
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        synchronized (this) {
            Instant from = lastRead.get() != null ? lastRead.get() : now;
            moveTo(from.plus(duration.isNegative() ? Duration.ZERO : duration));
        }
    }

    /** Moves the clock on to {@code target} (not back), as the benchmark's own wait. */
    public synchronized void advanceTo(Instant target) {
        moveTo(target);
    }

    private void moveTo(Instant target) {
        long giveUp = System.nanoTime() + IN_FLIGHT_LIMIT_NANOS;
        while (callsInFlight > 0) {
            long left = giveUp - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException(callsInFlight + " call(s) stayed in flight for two minutes of real time");
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        while (!scheduled.isEmpty() && !scheduled.peek().at.isAfter(target)) {
            Scheduled next = scheduled.poll();
            if (next.at.isAfter(now)) {
                now = next.at;
            }
            next.action.run();
        }
        if (target.isAfter(now)) {
            now = target;
        }
        lastRead.set(now);
    }
}
