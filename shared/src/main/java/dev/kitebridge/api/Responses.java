package dev.kitebridge.api;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.kitebridge.directory.DirectoryException;
import dev.kitebridge.directory.Session;

/** What every answer shares: the contract's error shape, and the account's budget headers. */
final class Responses {

    /** Every failure of a request, logged here once: a 500's with its stack, an upstream error's with its message. */
    private static final System.Logger LOG = System.getLogger(Responses.class.getName());

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

    /**
     * A request the contract refuses: its error answer, with {@code Retry-After} (whole seconds,
     * rounded up) when it says when to come back, and the account's budget where Buildkite was called.
     * A 5xx (Buildkite failing, or not answering) is logged, with the error's message; a refusal (4xx)
     * is an answer, not a failure.
     *
     * @param session the request's session, or null if it had none yet
     */
    static ApiResponse failure(DirectoryException e, Session session, ApiRequest request, Map<String, String> headers) {
        logFailure(e, request);
        if (session != null) {
            budgetHeaders(session, headers);
        }
        if (e.retryAfter() != null) {
            headers.put("retry-after", Long.toString(Math.max(1, (e.retryAfter().toMillis() + 999) / 1000)));
        }
        return error(e.status(), e.error(), e.getMessage(), request, headers, e.details());
    }

    /** A 5xx is a failure, logged with the error's message; a refusal (4xx) is an answer, not logged. */
    static void logFailure(DirectoryException e, ApiRequest request) {
        if (e.status() >= 500) {
            LOG.log(System.Logger.Level.WARNING, "request " + request.requestId() + " answered " + e.status(), e);
        }
    }

    /** A list answered whole, in the contract's envelope (no cursor: there is no next page). */
    static ApiResponse wholeList(List<?> all, Map<String, String> headers) {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("result", all);
        envelope.put("next_cursor", null);
        envelope.put("result_count", all.size());
        return ApiResponse.json(200, envelope, headers);
    }

    /** An endpoint's work: its answer, given the headers every answer carries (x-request-id). */
    interface TenantWork {
        ApiResponse answer(Map<String, String> headers);
    }

    /**
     * The frame of an endpoint that needs no Buildkite session: 401 without a tenant, the contract's
     * error for a {@link DirectoryException}, and a 500 for anything else.
     */
    static ApiResponse forTenant(ApiRequest request, TenantWork work) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-request-id", request.requestId());
        try {
            if (request.tenantId() == null || request.tenantId().isBlank()) {
                return error(401, "unauthorized", "missing or unknown API key", request, headers, Map.of());
            }
            return work.answer(headers);
        } catch (DirectoryException e) {
            return failure(e, null, request, headers);
        } catch (RuntimeException e) {
            return internalError(request, headers, e);
        }
    }

    /**
     * 500, for a failure of Kitebridge's own: the caller learns only the request id, the log the rest
     * (the failure with its stack, through the log's redaction, as its message may quote what the request carried).
     */
    static ApiResponse internalError(ApiRequest request, Map<String, String> headers, RuntimeException failure) {
        LOG.log(System.Logger.Level.ERROR, "request " + request.requestId() + " failed: " + request.method() + " " + request.path(), failure);
        return error(500, "internal_error", "something went wrong on our side; the request id tells us where", request, headers,
                Map.of());
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
