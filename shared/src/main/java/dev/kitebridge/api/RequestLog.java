package dev.kitebridge.api;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

import dev.kitebridge.metrics.Metrics;

/**
 * One JSON line per request: who asked (request id, tenant, account), what (route), how it went
 * (status, Buildkite calls and 429s, the budget left, duration). The same line carries the
 * request's metrics in CloudWatch's Embedded Metric Format, so that CloudWatch makes metrics of
 * it without an agent or an API call. Never a token: the line is built from named fields only
 * (no headers, no body, no query but the account id).
 *
 * <p>Logger "dev.kitebridge.requests" prints its lines itself: each message alone, one line, on
 * stdout (which Lambda sends to CloudWatch), and not through the root logger ({@link Metrics#stdoutLogger}).
 * So the line is JSON whatever java.util.logging's global format is, and other loggers keep theirs.
 */
final class RequestLog {

    static final String LOGGER = "dev.kitebridge.requests";
    private static final java.util.regex.Pattern BUDGET = java.util.regex.Pattern.compile("\\d{1,9}");
    /** Held here: java.util.logging keeps loggers weakly, and would drop the handler with the logger. */
    private static final Logger LOG = Metrics.stdoutLogger(LOGGER);

    private RequestLog() {}

    /** What one request was and how it went. */
    record Entry(String requestId, String tenant, String account, String route, int status, int buildkiteCalls,
                 int buildkiteRateLimited, String budgetRemaining, Duration took, boolean cursorMiss) {}

    /** Prints the line (unless the logger's level is off). */
    static void record(Entry entry, Instant at) {
        LOG.info(line(entry, at));
    }

    /**
     * The line: the fields, then the metrics by route and, with no dimension, in total for the stack
     * (what the template's alarms and dashboard read: an alarm cannot add up every route's metric).
     */
    static String line(Entry entry, Instant at) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("message", "request");
        line.put("request_id", entry.requestId());
        line.put("tenant", entry.tenant());
        line.put("account", entry.account());
        line.put("route", entry.route());
        line.put("status", entry.status());
        line.put("budget_remaining", entry.budgetRemaining());
        line.put("Route", entry.route());
        List<Metrics.Metric> metrics = new ArrayList<>(List.of(
                Metrics.Metric.count("BuildkiteCalls", entry.buildkiteCalls()),
                Metrics.Metric.count("BuildkiteRateLimited", entry.buildkiteRateLimited()),
                Metrics.Metric.count("CursorMisses", entry.cursorMiss() ? 1 : 0),
                Metrics.Metric.count("ServerErrors", entry.status() >= 500 ? 1 : 0),
                Metrics.Metric.milliseconds("Duration", entry.took().toMillis())));
        // The account's REST budget left after the request, where Buildkite said it (its minimum is what to watch).
        if (entry.budgetRemaining() != null && BUDGET.matcher(entry.budgetRemaining()).matches()) {
            metrics.add(Metrics.Metric.count("BuildkiteBudgetRemaining", Long.parseLong(entry.budgetRemaining())));
        }
        return Metrics.line(line, List.of(List.of("Route"), List.of()), metrics, at);
    }
}
