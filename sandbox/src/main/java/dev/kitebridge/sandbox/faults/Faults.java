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
    private final Map<String, Burst> bursts = new ConcurrentHashMap<>();
    private final Random random;

    /** Injected 429s left on a route, and the reset they announce. */
    private record Burst(AtomicInteger left, long resetSeconds) {}

    public Faults(long seed) {
        this.random = new Random(seed);
    }

    public Faults set(String route, FaultPlan plan) {
        plans.put(route, plan);
        return this;
    }

    /** The next {@code count} requests to the route answer 429 whatever their budget says. */
    public Faults burst429(String route, int count, long resetSeconds) {
        bursts.put(route, new Burst(new AtomicInteger(count), resetSeconds));
        return this;
    }

    /** The reset an injected 429 on the route announces. */
    public long burstResetSeconds(String route) {
        Burst burst = bursts.containsKey(route) ? bursts.get(route) : bursts.get(ALL_ROUTES);
        return burst == null ? 30 : burst.resetSeconds();
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
        Burst burst = bursts.get(route);
        return burst != null && burst.left().getAndUpdate(n -> Math.max(0, n - 1)) > 0;
    }
}
