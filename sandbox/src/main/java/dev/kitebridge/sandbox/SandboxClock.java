package dev.kitebridge.sandbox;

import java.time.Instant;

/**
 * The sandbox's sense of time. With a scale of 60, one real second is one Buildkite minute, so a
 * rate-limit window of 60 s passes in one real second while every header and body still speaks in
 * Buildkite's seconds.
 */
public final class SandboxClock {

    private final double scale;
    private final Instant origin;
    private final long originNanos;

    public SandboxClock(double scale) {
        if (!(scale > 0)) {
            throw new IllegalArgumentException("time scale must be positive, was " + scale);
        }
        this.scale = scale;
        this.origin = Instant.now();
        this.originNanos = System.nanoTime();
    }

    public Instant now() {
        long elapsed = System.nanoTime() - originNanos;
        return origin.plusNanos((long) (elapsed * scale));
    }

    public double scale() {
        return scale;
    }
}
