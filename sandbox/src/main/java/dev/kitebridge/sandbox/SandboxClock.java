package dev.kitebridge.sandbox;

import java.time.Instant;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The sandbox's sense of time. With a scale of 60, one real second is one Buildkite minute, so a
 * rate-limit window of 60 s passes in one real second while every header and body still speaks in
 * Buildkite's seconds. A driven clock reads another's time instead: a test's virtual clock, which
 * only moves when the test or its client waits, so that what the test sees does not depend on how
 * fast the machine runs.
 */
public final class SandboxClock {

    private final double scale;
    private final Supplier<Instant> source;

    public SandboxClock(double scale) {
        if (!(scale > 0)) {
            throw new IllegalArgumentException("time scale must be positive, was " + scale);
        }
        this.scale = scale;
        Instant origin = Instant.now();
        long originNanos = System.nanoTime();
        this.source = () -> origin.plusNanos((long) ((System.nanoTime() - originNanos) * scale));
    }

    private SandboxClock(Supplier<Instant> source) {
        this.scale = Double.NaN;
        this.source = Objects.requireNonNull(source);
    }

    /** A clock that tells the time {@code source} tells. */
    public static SandboxClock driven(Supplier<Instant> source) {
        return new SandboxClock(source);
    }

    public Instant now() {
        return source.get();
    }

    /** Buildkite seconds per real second; a driven clock has none. */
    public double scale() {
        if (Double.isNaN(scale)) {
            throw new IllegalStateException("a driven sandbox clock has no scale: share its source with the client instead");
        }
        return scale;
    }
}
