package dev.kitebridge.sandbox.faults;

import java.time.Duration;

/**
 * Faults to inject on a route. Rates are probabilities per request, drawn from a seeded generator.
 *
 * @param serverErrorRate answer 500, 502 or 503 without doing the work
 * @param resetRate drop the connection without an answer
 * @param truncateRate answer 200 with the JSON body cut short (its Content-Length matches the cut body)
 * @param latency added before every answer, in real time
 */
public record FaultPlan(double serverErrorRate, double resetRate, double truncateRate, Duration latency) {

    public static final FaultPlan NONE = new FaultPlan(0, 0, 0, Duration.ZERO);

    public FaultPlan {
        if (serverErrorRate + resetRate + truncateRate > 1) {
            throw new IllegalArgumentException("fault rates add up to more than 1");
        }
    }

    public static FaultPlan serverErrors(double rate) {
        return new FaultPlan(rate, 0, 0, Duration.ZERO);
    }

    public static FaultPlan resets(double rate) {
        return new FaultPlan(0, rate, 0, Duration.ZERO);
    }

    public static FaultPlan truncatedBodies(double rate) {
        return new FaultPlan(0, 0, rate, Duration.ZERO);
    }

    public static FaultPlan latency(Duration added) {
        return new FaultPlan(0, 0, 0, added);
    }
}
