package dev.kitebridge.sandbox.limits;

import java.time.Duration;
import java.time.Instant;

/**
 * One fixed rate-limit window: it opens at the first use after the last one closed and counts
 * requests (REST) or complexity points (GraphQL) until it closes.
 */
final class Window {

    private final long limit;
    private final Duration length;
    private Instant openedAt;
    private long used;

    Window(long limit, Duration length) {
        this.limit = limit;
        this.length = length;
    }

    synchronized void roll(Instant now) {
        if (openedAt == null || !now.isBefore(openedAt.plus(length))) {
            openedAt = now;
            used = 0;
        }
    }

    synchronized boolean exhausted(Instant now) {
        roll(now);
        return used >= limit;
    }

    synchronized void add(Instant now, long amount) {
        roll(now);
        used += amount;
    }

    synchronized Usage usage(Instant now) {
        roll(now);
        long millisLeft = Duration.between(now, openedAt.plus(length)).toMillis();
        // Rounded up, so that a client waiting this many seconds finds the window closed.
        long resetSeconds = Math.max(1, (millisLeft + 999) / 1000);
        return new Usage(limit, used, Math.max(0, limit - used), resetSeconds);
    }
}
