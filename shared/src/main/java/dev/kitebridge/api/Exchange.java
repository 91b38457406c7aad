package dev.kitebridge.api;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.access.Session;
import dev.kitebridge.contract.ApiError;

/**
 * One request's answer in the making, inside the {@link ErrorFrame}: the headers every answer
 * carries ({@code x-request-id}), and the Buildkite session once the route opened one, so that an
 * error answer still says what the request spent.
 */
final class Exchange {

    /** How long one request may spend on Buildkite: well inside API Gateway's 30 seconds. */
    static final Duration REQUEST_BUDGET = Duration.ofSeconds(8);

    private final ApiRequest request;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private Session session;

    Exchange(ApiRequest request) {
        this.request = request;
        headers.put("x-request-id", request.requestId());
    }

    Map<String, String> headers() {
        return headers;
    }

    /** The session the route opened, or null if it opened none (yet). */
    Session session() {
        return session;
    }

    /** The query's {@code integrated_account_id}, which a route on Buildkite requires. */
    static String accountId(ApiRequest request) {
        String accountId = request.query().get("integrated_account_id");
        if (accountId == null || accountId.isBlank()) {
            throw ApiError.invalidRequest("integrated_account_id is required");
        }
        return accountId;
    }

    /** Opens the tenant's integrated account for this request's {@link #REQUEST_BUDGET}. */
    Session open(BuildkiteAccess access, String accountId) {
        session = access.open(request.tenantId(), accountId, REQUEST_BUDGET);
        return session;
    }

    /** A JSON answer, with the account's budget headers where a session was opened. */
    ApiResponse json(int status, Object body) {
        budgetHeaders();
        return ApiResponse.json(status, body, headers);
    }

    /** Adds the account's budget headers, where a session was opened. */
    void budgetHeaders() {
        if (session != null) {
            Responses.budgetHeaders(session, headers);
        }
    }
}
