package dev.kitebridge;

import java.time.Duration;
import java.time.Instant;

import dev.kitebridge.buildkite.TimeSource;
import dev.kitebridge.sandbox.Sandbox;

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
 */
public final class VirtualTime implements TimeSource {

    private final ThreadLocal<Instant> lastRead = new ThreadLocal<>();
    private Instant now;

    public VirtualTime() {
        this.now = Instant.parse("2026-06-01T00:00:00Z");
    }

    /** A sandbox builder whose clock is this one. */
    public Sandbox.Builder sandbox() {
        return Sandbox.builder().clock(this::now);
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
