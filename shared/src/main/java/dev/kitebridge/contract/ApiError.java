package dev.kitebridge.contract;

import java.time.Duration;
import java.util.Map;

/**
 * The contract's error, thrown by every service and answered by the API's error frame: a status, a
 * short code and a message that names the problem.
 * Messages never carry a token.
 */
public final class ApiError extends RuntimeException {

    /** The error of a call no window of a budget can ever grant. */
    public static final String BUDGET_TOO_SMALL = "budget_too_small";

    private final int status;
    private final String error;
    private final Duration retryAfter;
    private final Map<String, Object> details;

    private ApiError(int status, String error, String message, Duration retryAfter, Map<String, Object> details) {
        super(message, null, false, false);
        this.status = status;
        this.error = error;
        this.retryAfter = retryAfter;
        this.details = details;
    }

    public static ApiError invalidRequest(String message) {
        return new ApiError(400, "invalid_request", message, null, Map.of());
    }

    public static ApiError invalidCursor() {
        return new ApiError(400, "invalid_cursor",
                "next_cursor is unknown, has expired, or was issued for another list", null, Map.of());
    }

    public static ApiError notFound(String message) {
        return new ApiError(404, "not_found", message, null, Map.of());
    }

    public static ApiError missingScope(String scope) {
        return new ApiError(403, "missing_scope",
                "the integrated account's Buildkite token lacks the " + scope + " scope", null, Map.of("missing_scope", scope));
    }

    public static ApiError forbidden(String message) {
        return new ApiError(403, "forbidden", message, null, Map.of());
    }

    /** A proxied path that would leave Buildkite's API (400). */
    public static ApiError invalidPath(String message) {
        return new ApiError(400, "invalid_path", message, null, Map.of());
    }

    public static ApiError methodNotAllowed(String message) {
        return new ApiError(405, "method_not_allowed", message, null, Map.of());
    }

    /** A token to link that Buildkite refuses (422). */
    public static ApiError invalidToken(String reason) {
        return new ApiError(422, "invalid_token", reason, null, Map.of());
    }

    /** A request body over the size limit (413). */
    public static ApiError tooLarge(String message) {
        return new ApiError(413, "payload_too_large", message, null, Map.of());
    }

    /** Buildkite refused a write (422), with Buildkite's reason. */
    public static ApiError refused(String buildkiteReason) {
        return new ApiError(422, "buildkite_refused", buildkiteReason, null, Map.of());
    }

    /** A change made from a state that another request changed meanwhile (409): sending it again is safe. */
    public static ApiError conflict(String message) {
        return new ApiError(409, "conflict", message, null, Map.of());
    }

    public static ApiError needsReauth(String accountId) {
        return new ApiError(424, "needs_reauth", "integrated account " + accountId
                + " needs a new Buildkite token: Buildkite refused the stored one", null, Map.of());
    }

    public static ApiError rateLimited(Duration retryAfter, String message) {
        return new ApiError(429, "rate_limited", message, retryAfter, Map.of());
    }

    /**
     * A call that costs more than a whole window of one of Buildkite's budgets (503): it can never be
     * made, so the request fails at once rather than answering 429 for ever.
     */
    public static ApiError budgetTooSmall(String message) {
        return new ApiError(503, BUDGET_TOO_SMALL, message, null, Map.of());
    }

    /** A read that got no call through Buildkite's budgets for many windows (503): stuck, not waiting. */
    public static ApiError noProgress(String message) {
        return new ApiError(503, "no_progress", message, null, Map.of());
    }

    public static ApiError upstream(int status, String message) {
        return new ApiError(status, status == 504 ? "upstream_timeout" : "upstream_error", message, null, Map.of());
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    /** For 429: when to come back. */
    public Duration retryAfter() {
        return retryAfter;
    }

    public Map<String, Object> details() {
        return details;
    }
}
