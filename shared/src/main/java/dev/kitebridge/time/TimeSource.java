package dev.kitebridge.time;

import java.time.Duration;
import java.time.Instant;

/**
 * The client's sense of time, in Buildkite's seconds. Production uses the system clock; tests and
 * benchmarks use a scaled one that matches a time-scaled sandbox, so that waiting out a 60-second
 * rate-limit window takes one real second at scale 60.
 */
public interface TimeSource {

    Instant now();

    void sleep(Duration duration) throws InterruptedException;

    TimeSource SYSTEM = new TimeSource() {
        @Override
        public Instant now() {
            return Instant.now();
        }

        @Override
        public void sleep(Duration duration) throws InterruptedException {
            if (!duration.isNegative() && !duration.isZero()) {
                Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000);
            }
        }
    };

    /** A clock stopped at {@code instant}, for tests that judge one moment; nothing may wait on it. */
    static TimeSource fixed(Instant instant) {
        return new TimeSource() {
            @Override
            public Instant now() {
                return instant;
            }

            @Override
            public void sleep(Duration duration) {
                throw new UnsupportedOperationException("a fixed clock never moves: nothing can wait on it");
            }
        };
    }

    /** A clock on which {@code scale} seconds pass per real second. */
    static TimeSource scaled(double scale) {
        if (!(scale > 0)) {
            throw new IllegalArgumentException("time scale must be positive, was " + scale);
        }
        Instant origin = Instant.now();
        long originNanos = System.nanoTime();
        return new TimeSource() {
            @Override
            public Instant now() {
                return origin.plusNanos((long) ((System.nanoTime() - originNanos) * scale));
            }

            @Override
            public void sleep(Duration duration) throws InterruptedException {
                long realNanos = (long) (duration.toNanos() / scale);
                if (realNanos > 0) {
                    Thread.sleep(realNanos / 1_000_000, (int) (realNanos % 1_000_000));
                }
            }
        };
    }
}
