package dev.kitebridge.buildkite;

import java.util.List;

import dev.kitebridge.buildkite.ratelimit.BudgetReading;

/** Hears of every call the client sends: for request logs, metrics and the {@code ratelimit-*} headers. */
@FunctionalInterface
public interface CallListener {

    /**
     * One attempt ended.
     *
     * @param status Buildkite's status, or 0 when no answer came
     * @param readings what the answer said about its budgets
     */
    void answered(String method, String path, int status, List<BudgetReading> readings);

    CallListener NONE = (method, path, status, readings) -> { };
}
