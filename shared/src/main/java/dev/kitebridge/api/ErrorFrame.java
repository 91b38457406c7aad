package dev.kitebridge.api;

import java.util.Map;

import dev.kitebridge.access.Session;
import dev.kitebridge.contract.ApiError;

/**
 * The one frame every endpoint answers in, and the one logging policy for a request that failed:
 * <ul>
 *   <li>no tenant (no authorizer named one): 401;</li>
 *   <li>the contract's error ({@link ApiError}): its status and body, with
 *       {@code Retry-After} and the account's budget where Buildkite was called. A 5xx (Buildkite
 *       failing, or not answering) is logged with its code and message, never its stack: it is
 *       Buildkite's failure, and its trace is the client's. A 4xx is an answer, not a failure;</li>
 *   <li>anything else is a bug of ours: 500 with the contract's body (the caller learns the request
 *       id only), logged once, with its stack, which the log's formatter redacts by shape.</li>
 * </ul>
 */
final class ErrorFrame {

    private static final System.Logger LOG = System.getLogger(ErrorFrame.class.getName());

    private ErrorFrame() {}

    /** What a route does inside the frame. */
    interface Work {
        ApiResponse answer(Exchange exchange);
    }

    static ApiResponse answer(ApiRequest request, Work work) {
        Exchange exchange = new Exchange(request);
        try {
            if (!hasTenant(request)) {
                return unauthorized(request);
            }
            return work.answer(exchange);
        } catch (ApiError e) {
            return failure(e, exchange.session(), request, exchange.headers());
        } catch (RuntimeException e) {
            return internalError(request, exchange.headers(), e);
        }
    }

    static boolean hasTenant(ApiRequest request) {
        return request.tenantId() != null && !request.tenantId().isBlank();
    }

    static ApiResponse unauthorized(ApiRequest request) {
        return Responses.error(401, "unauthorized", "missing or unknown API key", request, new Exchange(request).headers(), Map.of());
    }

    /**
     * The contract's error answer, with {@code Retry-After} (whole seconds, rounded up) when it says
     * when to come back, and the account's budget where Buildkite was called.
     *
     * @param session the request's session, or null if it had none yet
     */
    static ApiResponse failure(ApiError e, Session session, ApiRequest request, Map<String, String> headers) {
        log(e, request);
        if (session != null) {
            Responses.budgetHeaders(session, headers);
        }
        if (e.retryAfter() != null) {
            headers.put("retry-after", Long.toString(Math.max(1, (e.retryAfter().toMillis() + 999) / 1000)));
        }
        return Responses.error(e.status(), e.error(), e.getMessage(), request, headers, e.details());
    }

    /** A 5xx is a failure, logged with its code and message; a refusal (4xx) is an answer, not logged. */
    static void log(ApiError e, ApiRequest request) {
        if (e.status() >= 500) {
            LOG.log(System.Logger.Level.WARNING, "request " + request.requestId() + " answered " + e.status() + " (" + e.error() + "): "
                    + e.getMessage());
        }
    }

    /**
     * 500, for a failure of Kitebridge's own: the caller learns only the request id, the log the rest
     * (the failure with its stack, through the log's redaction, as its message may quote what the request carried).
     */
    static ApiResponse internalError(ApiRequest request, Map<String, String> headers, RuntimeException failure) {
        LOG.log(System.Logger.Level.ERROR, "request " + request.requestId() + " failed: " + request.method() + " " + request.path(), failure);
        return Responses.error(500, "internal_error", "something went wrong on our side; the request id tells us where", request, headers,
                Map.of());
    }
}
