package dev.kitebridge.bench.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import dev.kitebridge.time.TimeSource;

/**
 * Buildkite's clock for the fleet benchmark, shared by the benchmark's sandbox and the probe's
 * process: {@code scale} seconds a real second, and jumps forward ({@link #jump}) for the idle time
 * between passes (an hour of schedule ticks is 60 minutes on it, not three real minutes of waiting).
 * Both processes read the same time: the probe's is started from the benchmark's {@link #handOver()}
 * (Buildkite's time at a wall-clock millisecond), and every jump is made on both.
 */
final class FleetClock implements TimeSource {

    private final Instant origin;
    private final long originNanos;
    private final double scale;
    private final AtomicLong jumpedNanos = new AtomicLong();

    private FleetClock(Instant origin, double scale) {
        if (!(scale > 0)) {
            throw new IllegalArgumentException("time scale must be positive, was " + scale);
        }
        this.origin = origin;
        this.originNanos = System.nanoTime();
        this.scale = scale;
    }

    static FleetClock start(double scale) {
        return new FleetClock(Instant.now(), scale);
    }

    /** The clock {@link #handOver()} described, in another process. */
    static FleetClock fromHandOver(String handOver, double scale) {
        String[] parts = handOver.split("@");
        Instant then = Instant.ofEpochSecond(0, Long.parseLong(parts[0]));
        long wallThen = Long.parseLong(parts[1]);
        return new FleetClock(then.plusNanos((long) ((System.currentTimeMillis() - wallThen) * 1_000_000L * scale)), scale);
    }

    /** Buildkite's time now (nanoseconds since the epoch) and the wall clock's (milliseconds), for another process. */
    String handOver() {
        Instant now = now();
        long wall = System.currentTimeMillis();
        return (now.getEpochSecond() * 1_000_000_000L + now.getNano()) + "@" + wall;
    }

    @Override
    public Instant now() {
        return origin.plusNanos((long) ((System.nanoTime() - originNanos) * scale) + jumpedNanos.get());
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
        long realNanos = (long) (duration.toNanos() / scale);
        if (realNanos > 0) {
            Thread.sleep(realNanos / 1_000_000, (int) (realNanos % 1_000_000));
        }
    }

    /** Buildkite's time moves on by {@code duration} at once: idle time, with nothing under way. */
    void jump(Duration duration) {
        jumpedNanos.addAndGet(duration.toNanos());
    }
}
