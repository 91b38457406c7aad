package dev.kitebridge.metrics;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import dev.kitebridge.contract.ApiJson;

/**
 * CloudWatch's Embedded Metric Format: a JSON line on stdout whose named numbers CloudWatch makes
 * metrics of (namespace {@code Kitebridge}), with no agent and no API call. The request line
 * (the API's {@code RequestLog}) is written here, and so are the lines of what happens outside a request:
 * sync runs ended, sync workers' Buildkite calls, webhook deliveries.
 */
public final class Metrics {

    public static final String NAMESPACE = "Kitebridge";
    /** The logger of the lines outside requests; like the request log's, it prints each line alone on stdout. */
    public static final String LOGGER = "dev.kitebridge.metrics";
    /** Held here: java.util.logging keeps loggers weakly, and would drop the handler with the logger. */
    private static final Logger LOG = stdoutLogger(LOGGER);

    private Metrics() {}

    /** One metric on a line. */
    public record Metric(String name, String unit, Number value) {
        public static Metric count(String name, long value) {
            return new Metric(name, "Count", value);
        }

        public static Metric milliseconds(String name, long value) {
            return new Metric(name, "Milliseconds", value);
        }
    }

    /**
     * Prints an event's line: its fields, then its metrics with no dimension, so that each is one
     * total for the stack (what the template's alarms watch).
     */
    public static void emit(String message, Map<String, ?> fields, List<Metric> metrics, Instant at) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("message", message);
        line.putAll(fields);
        LOG.info(line(line, List.of(List.of()), metrics, at));
    }

    /** The line: the fields, each metric as a top-level number, and the EMF directive naming them under these dimension sets. */
    public static String line(Map<String, Object> fields, List<List<String>> dimensions, List<Metric> metrics, Instant at) {
        Map<String, Object> line = new LinkedHashMap<>(fields);
        metrics.forEach(metric -> line.put(metric.name(), metric.value()));
        line.put("_aws", Map.of(
                "Timestamp", at.toEpochMilli(),
                "CloudWatchMetrics", List.of(Map.of(
                        "Namespace", NAMESPACE,
                        "Dimensions", dimensions,
                        "Metrics", metrics.stream().map(m -> Map.of("Name", m.name(), "Unit", m.unit())).toList()))));
        return ApiJson.write(line);
    }

    /**
     * A logger that prints each message alone, one line, on stdout (which Lambda sends to CloudWatch),
     * and not through the root logger: the line stays JSON whatever java.util.logging's format is.
     */
    public static Logger stdoutLogger(String name) {
        Logger logger = Logger.getLogger(name);
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
}
