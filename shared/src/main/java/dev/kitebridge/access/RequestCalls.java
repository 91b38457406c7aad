package dev.kitebridge.access;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.kitebridge.buildkite.CallListener;
import dev.kitebridge.buildkite.ratelimit.BudgetReading;

/**
 * The calls to Buildkite one request makes, counted where they are made, for the request's log
 * line: every client {@link BuildkiteAccess.Endpoints#client} builds while a thread answers a
 * request reports to that request's tally, whatever the route (a token check when an account is
 * linked, a list, the proxy) and however the request ends, a 500 included. A client keeps the tally
 * it was built with, so its calls from other threads (an organization read in parallel) count too.
 */
public final class RequestCalls implements CallListener {

    private static final ThreadLocal<RequestCalls> CURRENT = new ThreadLocal<>();

    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger rateLimited = new AtomicInteger();

    private RequestCalls() {}

    /** Starts counting for the request this thread answers now, until {@link #end}. */
    public static RequestCalls start() {
        RequestCalls tally = new RequestCalls();
        CURRENT.set(tally);
        return tally;
    }

    /** The tally of the request this thread answers; none outside a request (a tool, a test calling a service). */
    static CallListener current() {
        RequestCalls tally = CURRENT.get();
        return tally == null ? CallListener.NONE : tally;
    }

    /** The request is answered: this thread's next clients count for the next one. */
    public void end() {
        CURRENT.remove();
    }

    @Override
    public void answered(String method, String path, int status, List<BudgetReading> readings) {
        calls.incrementAndGet();
        if (status == 429) {
            rateLimited.incrementAndGet();
        }
    }

    /** Calls sent, each attempt counted (as Buildkite counts them against its limits). */
    public int calls() {
        return calls.get();
    }

    /** Of those, the ones Buildkite answered 429 (the governor exists so that this stays 0). */
    public int rateLimited() {
        return rateLimited.get();
    }
}
