package dev.kitebridge.api;

import java.nio.charset.StandardCharsets;
import java.util.Set;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.access.Session;
import dev.kitebridge.contract.ApiError;
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

    /** {@code POST /proxy/graphql}: the body to Buildkite's GraphQL API. */
    public ApiResponse graphql(ApiRequest request) {
        return call(request, (session, path) -> proxy.graphql(session, request.body()));
    }

    /** {@code ANY /proxy/{path+}}: the method, path, query and body to Buildkite's REST API. */
    public ApiResponse rest(ApiRequest request) {
        return call(request, (session, path) -> proxy.rest(session, request.method(), path, request.query(), request.body()));
    }

    /** A call to Buildkite on the account's session, given the path after {@code /proxy/}. */
    private interface Call {
        ProxyService.Result make(Session session, String path);
    }

    private ApiResponse call(ApiRequest request, Call call) {
        return ErrorFrame.answer(request, exchange -> {
            for (String header : request.headers().keySet()) {
                if (STEERING.contains(header)) {
                    throw ApiError.invalidRequest("the proxy does not take a " + header + " header: it only calls Buildkite");
                }
            }
            String path = request.path() == null || !request.path().startsWith(PREFIX) ? "" : request.path().substring(PREFIX.length());
            String given = request.pathParameter("path");
            ProxyService.segments(path);
            if (given != null) {
                ProxyService.segments(given);
            }
            ProxyService.Result result = call.make(exchange.open(access, Exchange.accountId(request)), path);
            if (result.body() != null) {
                return exchange.json(result.status(), result.body());
            }
            exchange.budgetHeaders();
            exchange.headers().put("content-type", "application/json");
            String body = result.raw() == null ? "" : new String(result.raw(), StandardCharsets.UTF_8);
            return new ApiResponse(result.status(), exchange.headers(), body);
        });
    }
}
