package dev.kitebridge.api;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import dev.kitebridge.directory.BuildkiteAccess;
import dev.kitebridge.directory.DirectoryException;
import dev.kitebridge.directory.Session;
import dev.kitebridge.proxy.ProxyService;

/**
 * {@code ANY /proxy/{path+}} and {@code POST /proxy/graphql}: Buildkite's answer with Buildkite's
 * status, a list in the envelope, the account's budget in {@code ratelimit-*}.
 */
public final class ProxyEndpoints {

    private static final String PREFIX = "/proxy/";
    /** Headers that ask a proxy to aim elsewhere; this one aims only at Buildkite, and says so. */
    private static final Set<String> STEERING = Set.of("forwarded", "x-forwarded-host", "x-original-url", "x-rewrite-url",
            "x-http-method-override", "x-forwarded-server");

    private final BuildkiteAccess access;
    private final ProxyService proxy;

    public ProxyEndpoints(BuildkiteAccess access, ProxyService proxy) {
        this.access = access;
        this.proxy = proxy;
    }

    public ApiResponse handle(ApiRequest request) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-request-id", request.requestId());
        Session session = null;
        try {
            if (request.tenantId() == null || request.tenantId().isBlank()) {
                return Responses.error(401, "unauthorized", "missing or unknown API key", request, headers, Map.of());
            }
            for (String header : request.headers().keySet()) {
                if (STEERING.contains(header)) {
                    throw DirectoryException.invalidRequest("the proxy does not take a " + header + " header: it only calls Buildkite");
                }
            }
            String path = request.path() == null || !request.path().startsWith(PREFIX) ? "" : request.path().substring(PREFIX.length());
            String given = request.pathParameter("path");
            ProxyService.segments(path);
            if (given != null) {
                ProxyService.segments(given);
            }
            String accountId = request.query().get("integrated_account_id");
            if (accountId == null || accountId.isBlank()) {
                throw DirectoryException.invalidRequest("integrated_account_id is required");
            }
            session = access.open(request.tenantId(), accountId, DirectoryEndpoints.REQUEST_BUDGET);
            Session open = session;
            ProxyService.Result result = path.equals("graphql") && request.method().equals("POST")
                    ? proxy.graphql(open, request.body())
                    : proxy.rest(open, request.method(), path, request.query(), request.body());
            Responses.budgetHeaders(session, headers);
            if (result.body() != null) {
                return ApiResponse.json(result.status(), result.body(), headers);
            }
            headers.put("content-type", "application/json");
            String body = result.raw() == null ? "" : new String(result.raw(), StandardCharsets.UTF_8);
            return new ApiResponse(result.status(), headers, body);
        } catch (DirectoryException e) {
            return Responses.failure(e, session, request, headers);
        } catch (RuntimeException e) {
            return Responses.internalError(request, headers, e);
        }
    }
}
