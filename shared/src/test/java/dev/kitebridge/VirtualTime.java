package dev.kitebridge;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import dev.kitebridge.buildkite.ratelimit.Budget;
import dev.kitebridge.buildkite.ratelimit.BudgetReading;
import dev.kitebridge.buildkite.ratelimit.BudgetState;
import dev.kitebridge.buildkite.ratelimit.InMemoryRateLimitGovernor;
import dev.kitebridge.buildkite.ratelimit.RateLimitGovernor;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.time.TimeSource;

/**
 * A clock that moves only when someone waits on it: a sleep moves it to the instant the sleeper
 * wakes at, and returns at once. Shared by a test's client and its sandbox (whose rate limiter
 * reads it), pacing tests count windows, not real seconds, so their outcome does not depend on how
 * fast the machine runs or what else runs beside them.
 *
 * <p>A sleep of {@code d} wakes at {@code d} after the time its thread last read, not after the
 * clock's time when it sleeps: callers compute their waits from what they read ({@code
 * Duration.between(now, refill)}), and several threads waiting for the same refill must all wake
 * at it, not one after the other.
 *
 * <p>With several threads, a sleep must not move the clock while another thread's call is on its
 * way to Buildkite: the governor granted it in one window and the sandbox would count it in the
 * next. Governors made by {@link #governor} tell the clock which calls are in flight, and a sleep
 * waits (in real time) until none is.
 */
public final class VirtualTime implements TimeSource {

    /** A watchdog, not a measure: a call in flight this long is a bug in the test or the code. */
    private static final long IN_FLIGHT_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final ThreadLocal<Instant> lastRead = new ThreadLocal<>();
    private Instant now;
    private int callsInFlight;

    public VirtualTime() {
        this.now = Instant.parse("2026-06-01T00:00:00Z");
    }

    /** A sandbox builder whose clock is this one. */
    public Sandbox.Builder sandbox() {
        return Sandbox.builder().clock(this::now);
    }

    /** An in-memory governor whose granted calls hold this clock still until they are settled. */
    public RateLimitGovernor governor() {
        return governor(new InMemoryRateLimitGovernor());
    }

    /** {@code delegate}, granting at this clock's present, and holding the clock still while a granted call is in flight. */
    public RateLimitGovernor governor(RateLimitGovernor delegate) {
        return new RateLimitGovernor() {
            @Override
            public Decision reserve(List<Budget> budgets, long cost, Instant asked) {
                synchronized (VirtualTime.this) {
                    // The caller read the clock a moment ago; a sleeper may have moved it since.
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
                synchronized (VirtualTime.this) {
                    callsInFlight--;
                    VirtualTime.this.notifyAll();
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
            long giveUp = System.nanoTime() + IN_FLIGHT_LIMIT_NANOS;
            while (callsInFlight > 0) {
                long left = giveUp - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException(callsInFlight + " call(s) stayed in flight for a minute of real time");
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            Instant from = lastRead.get() != null ? lastRead.get() : now;
            Instant wakeAt = from.plus(duration.isNegative() ? Duration.ZERO : duration);
            if (wakeAt.isAfter(now)) {
                now = wakeAt;
            }
            lastRead.set(now);
        }
    }

    /** Moves the clock on, as the test's own wait. */
    public synchronized void advance(Duration duration) {
        now = now.plus(duration);
    }
}
