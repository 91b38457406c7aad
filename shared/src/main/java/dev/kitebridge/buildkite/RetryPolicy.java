package dev.kitebridge.buildkite;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How transient failures are retried: 5xx answers, timeouts, dropped connections and truncated
 * bodies, for idempotent calls only. Delays grow exponentially up to a cap, with full jitter so
 * that many Lambda instances do not retry in step.
 *
 * @param maxAttempts attempts in all, the first one included
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay) {

    public static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(5));
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO);

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("at least one attempt is needed");
        }
    }

    /** The pause before attempt {@code attempt + 1}, after {@code attempt} failed ones. */
    public Duration delayAfter(int attempt) {
        long capMillis = Math.min(maxDelay.toMillis(), baseDelay.toMillis() * (1L << Math.min(attempt - 1, 20)));
        return Duration.ofMillis(capMillis <= 0 ? 0 : ThreadLocalRandom.current().nextLong(capMillis + 1));
    }
}
