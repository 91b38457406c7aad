package dev.kitebridge.sandbox.faults;

import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The faults configured per route. A route is named by its template, e.g.
 * {@code GET /v2/organizations/{org}/members} or {@code POST /graphql}; {@link #ALL_ROUTES} applies to
 * every route that has no plan of its own.
 */
public final class Faults {

    public static final String ALL_ROUTES = "*";

    private final Map<String, FaultPlan> plans = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> bursts = new ConcurrentHashMap<>();
    private final Random random;
    private volatile long burstResetSeconds = 30;

    public Faults(long seed) {
        this.random = new Random(seed);
    }

    public Faults set(String route, FaultPlan plan) {
        plans.put(route, plan);
        return this;
    }

    /** The next {@code count} requests to the route answer 429 whatever their budget says. */
    public Faults burst429(String route, int count, long resetSeconds) {
        bursts.computeIfAbsent(route, r -> new AtomicInteger()).addAndGet(count);
        burstResetSeconds = resetSeconds;
        return this;
    }

    public long burstResetSeconds() {
        return burstResetSeconds;
    }

    public void clear() {
        plans.clear();
        bursts.clear();
    }

    public Duration latency(String route) {
        return plan(route).latency();
    }

    /** Draws the fault for one request to the route. */
    public Fault draw(String route) {
        if (takeBurst(route) || takeBurst(ALL_ROUTES)) {
            return Fault.RATE_LIMIT_BURST;
        }
        FaultPlan plan = plan(route);
        double x;
        synchronized (random) {
            x = random.nextDouble();
        }
        if (x < plan.serverErrorRate()) {
            return Fault.SERVER_ERROR;
        }
        if (x < plan.serverErrorRate() + plan.resetRate()) {
            return Fault.RESET;
        }
        if (x < plan.serverErrorRate() + plan.resetRate() + plan.truncateRate()) {
            return Fault.TRUNCATED;
        }
        return Fault.NONE;
    }

    /** Which 5xx status to answer, varied so that clients meet each. */
    public int serverErrorStatus() {
        synchronized (random) {
            return new int[] {500, 502, 503}[random.nextInt(3)];
        }
    }

    private FaultPlan plan(String route) {
        FaultPlan own = plans.get(route);
        return own != null ? own : plans.getOrDefault(ALL_ROUTES, FaultPlan.NONE);
    }

    private boolean takeBurst(String route) {
        AtomicInteger left = bursts.get(route);
        return left != null && left.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
    }
}
