package dev.kitebridge.contract;

import java.time.Duration;
import java.util.Map;

/**
 * A request the directory answers with an error of the contract: a status, a short code and a
 * message that names the problem. Messages never carry a token.
 */
public final class DirectoryException extends RuntimeException {

    /** The error of a call no window of a budget can ever grant. */
    public static final String BUDGET_TOO_SMALL = "budget_too_small";

    private final int status;
    private final String error;
    private final Duration retryAfter;
    private final Map<String, Object> details;

    private DirectoryException(int status, String error, String message, Duration retryAfter, Map<String, Object> details) {
        super(message, null, false, false);
        this.status = status;
        this.error = error;
        this.retryAfter = retryAfter;
        this.details = details;
    }

    public static DirectoryException invalidRequest(String message) {
        return new DirectoryException(400, "invalid_request", message, null, Map.of());
    }

    public static DirectoryException invalidCursor() {
        return new DirectoryException(400, "invalid_cursor",
                "next_cursor is unknown, has expired, or was issued for another list", null, Map.of());
    }

    public static DirectoryException notFound(String message) {
        return new DirectoryException(404, "not_found", message, null, Map.of());
    }

    public static DirectoryException missingScope(String scope) {
        return new DirectoryException(403, "missing_scope",
                "the integrated account's Buildkite token lacks the " + scope + " scope", null, Map.of("missing_scope", scope));
    }

    public static DirectoryException forbidden(String message) {
        return new DirectoryException(403, "forbidden", message, null, Map.of());
    }

    /** A proxied path that would leave Buildkite's API (400). */
    public static DirectoryException invalidPath(String message) {
        return new DirectoryException(400, "invalid_path", message, null, Map.of());
    }

    public static DirectoryException methodNotAllowed(String message) {
        return new DirectoryException(405, "method_not_allowed", message, null, Map.of());
    }

    /** A token to link that Buildkite refuses (422). */
    public static DirectoryException invalidToken(String reason) {
        return new DirectoryException(422, "invalid_token", reason, null, Map.of());
    }

    /** A request body over the size limit (413). */
    public static DirectoryException tooLarge(String message) {
        return new DirectoryException(413, "payload_too_large", message, null, Map.of());
    }

    /** Buildkite refused a write (422), with Buildkite's reason. */
    public static DirectoryException refused(String buildkiteReason) {
        return new DirectoryException(422, "buildkite_refused", buildkiteReason, null, Map.of());
    }

    /** A change made from a state that another request changed meanwhile (409): sending it again is safe. */
    public static DirectoryException conflict(String message) {
        return new DirectoryException(409, "conflict", message, null, Map.of());
    }

    public static DirectoryException needsReauth(String accountId) {
        return new DirectoryException(424, "needs_reauth", "integrated account " + accountId
                + " needs a new Buildkite token: Buildkite refused the stored one", null, Map.of());
    }

    public static DirectoryException rateLimited(Duration retryAfter, String message) {
        return new DirectoryException(429, "rate_limited", message, retryAfter, Map.of());
    }

    /**
     * A call that costs more than a whole window of one of Buildkite's budgets (503): it can never be
     * made, so the request fails at once rather than answering 429 for ever.
     */
    public static DirectoryException budgetTooSmall(String message) {
        return new DirectoryException(503, BUDGET_TOO_SMALL, message, null, Map.of());
    }

    /** A read that got no call through Buildkite's budgets for many windows (503): stuck, not waiting. */
    public static DirectoryException noProgress(String message) {
        return new DirectoryException(503, "no_progress", message, null, Map.of());
    }

    public static DirectoryException upstream(int status, String message) {
        return new DirectoryException(status, status == 504 ? "upstream_timeout" : "upstream_error", message, null, Map.of());
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
