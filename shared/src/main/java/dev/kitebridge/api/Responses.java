package dev.kitebridge.api;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.kitebridge.directory.Session;

/** What every answer shares: the contract's error shape, and the account's budget headers. */
final class Responses {

    private Responses() {}

    /** {@code ratelimit-limit}, {@code -remaining} and {@code -reset}: the account's REST budget, where Buildkite was called. */
    static void budgetHeaders(Session session, Map<String, String> headers) {
        session.restBudget().ifPresent(reading -> {
            headers.put("ratelimit-limit", Long.toString(reading.limit()));
            headers.put("ratelimit-remaining", Long.toString(Math.max(0, reading.remaining())));
            headers.put("ratelimit-reset", Long.toString(Math.max(0, Duration.between(session.now(), reading.resetsAt()).toSeconds())));
        });
    }

    /** The contract's error answer: {@code {"statusCode", "error", "message", "request_id", "details"?}}. */
    static ApiResponse error(int status, String code, String message, ApiRequest request, Map<String, String> headers,
                             Map<String, Object> details) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("statusCode", status);
        body.put("error", code);
        body.put("message", message);
        body.put("request_id", request.requestId());
        if (!details.isEmpty()) {
            body.put("details", details);
        }
        return ApiResponse.json(status, body, headers);
    }
}
