package dev.kitebridge.api;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.kitebridge.access.Session;

/** What every answer shares: the contract's error shape, the list envelope, and the account's budget headers. */
final class Responses {

    static final String BUILDKITE_CALLS = "x-kitebridge-buildkite-calls";
    static final String BUILDKITE_RATE_LIMITED = "x-kitebridge-buildkite-rate-limited";

    private Responses() {}

    /**
     * {@code ratelimit-limit}, {@code -remaining} and {@code -reset}: the account's REST budget, where
     * Buildkite was called; and what this request spent of it ({@code x-kitebridge-buildkite-calls},
     * {@code x-kitebridge-buildkite-rate-limited}: Buildkite's 429s, which should stay 0).
     */
    static void budgetHeaders(Session session, Map<String, String> headers) {
        headers.put(BUILDKITE_CALLS, Integer.toString(session.buildkiteCalls()));
        headers.put(BUILDKITE_RATE_LIMITED, Integer.toString(session.rateLimitedAnswers()));
        session.restBudget().ifPresent(reading -> {
            headers.put("ratelimit-limit", Long.toString(reading.limit()));
            headers.put("ratelimit-remaining", Long.toString(Math.max(0, reading.remaining())));
            headers.put("ratelimit-reset", Long.toString(Math.max(0, Duration.between(session.now(), reading.resetsAt()).toSeconds())));
        });
    }

    /** A list answered whole, in the contract's envelope (no cursor: there is no next page). */
    static ApiResponse wholeList(List<?> all, Map<String, String> headers) {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("result", all);
        envelope.put("next_cursor", null);
        envelope.put("result_count", all.size());
        return ApiResponse.json(200, envelope, headers);
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
