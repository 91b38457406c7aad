package dev.kitebridge.api;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One JSON line per request: who asked (request id, tenant, account), what (route), how it went
 * (status, Buildkite calls and 429s, the budget left, duration). The same line carries the
 * request's metrics in CloudWatch's Embedded Metric Format, so that CloudWatch makes metrics of
 * it without an agent or an API call. Never a token: the line is built from named fields only
 * (no headers, no body, no query but the account id).
 *
 * <p>Logger "dev.kitebridge.requests" prints its lines itself: each message alone, one line, on
 * stdout (which Lambda sends to CloudWatch), and not through the root logger. So the line is JSON
 * whatever java.util.logging's global format is, and other loggers keep theirs.
 */
final class RequestLog {

    static final String LOGGER = "dev.kitebridge.requests";
    static final String NAMESPACE = "Kitebridge";
    /** Held here: java.util.logging keeps loggers weakly, and would drop the handler with the logger. */
    private static final Logger LOG = requestLogger();

    private RequestLog() {}

    private static Logger requestLogger() {
        Logger logger = Logger.getLogger(LOGGER);
        logger.setUseParentHandlers(false);
        logger.addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (isLoggable(record)) {
                    System.out.println(record.getMessage()); // System.out as it is now: Lambda's runtime sets it
                }
            }

            @Override
            public void flush() {
                System.out.flush();
            }

            @Override
            public void close() {}
        });
        return logger;
    }

    /** What one request was and how it went. */
    record Entry(String requestId, String tenant, String account, String route, int status, int buildkiteCalls,
                 int buildkiteRateLimited, String budgetRemaining, Duration took, boolean cursorMiss) {}

    /** Prints the line (unless the logger's level is off). */
    static void record(Entry entry, Instant at) {
        LOG.info(line(entry, at));
    }

    /** The line: the fields, the metrics as top-level numbers, and the EMF directive naming them. */
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
        line.put("BuildkiteCalls", entry.buildkiteCalls());
        line.put("BuildkiteRateLimited", entry.buildkiteRateLimited());
        line.put("CursorMisses", entry.cursorMiss() ? 1 : 0);
        line.put("ServerErrors", entry.status() >= 500 ? 1 : 0);
        line.put("Duration", entry.took().toMillis());
        line.put("_aws", Map.of(
                "Timestamp", at.toEpochMilli(),
                "CloudWatchMetrics", List.of(Map.of(
                        "Namespace", NAMESPACE,
                        "Dimensions", List.of(List.of("Route")),
                        "Metrics", List.of(
                                metric("BuildkiteCalls", "Count"), metric("BuildkiteRateLimited", "Count"),
                                metric("CursorMisses", "Count"), metric("ServerErrors", "Count"),
                                metric("Duration", "Milliseconds"))))));
        return ApiJson.write(line);
    }

    private static Map<String, String> metric(String name, String unit) {
        return Map.of("Name", name, "Unit", unit);
    }
}
