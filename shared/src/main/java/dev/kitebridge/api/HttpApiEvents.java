package dev.kitebridge.api;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import dev.kitebridge.access.RequestCalls;
import dev.kitebridge.contract.ApiError;

/** API Gateway HTTP API (payload 2.0) events to requests, and responses back. */
public final class HttpApiEvents {

    /** Where the Lambda authorizer puts the caller's tenant in its context. */
    public static final String TENANT_KEY = "tenant_id";
    /** The route of an event that names none. */
    static final String UNMATCHED = "unmatched";

    private HttpApiEvents() {}

    /**
     * Answers an event with an endpoint, the one way every HTTP handler goes: a body that is not
     * valid base64 or not UTF-8, and an id or cursor longer than {@link RequestLimits} allows, answer
     * 400, and a request no authorizer gave a tenant answers 401 before any
     * endpoint sees it, so that no route can forget either; an endpoint that throws answers 500;
     * and every request, answered however, leaves one {@link RequestLog} line.
     */
    public static APIGatewayV2HTTPResponse handle(APIGatewayV2HTTPEvent event, Function<ApiRequest, ApiResponse> endpoint) {
        return handle(event, endpoint, RequestLog::record, true);
    }

    /**
     * Answers as {@link #handle} does, for a route without an API key (the connect page, whose URL's
     * secret is the credential): no tenant is asked for, and the request's path is its route's
     * ({@code /connect/{session}}), so that a failure's log line cannot carry the secret in it.
     */
    public static APIGatewayV2HTTPResponse handlePublic(APIGatewayV2HTTPEvent event, Function<ApiRequest, ApiResponse> endpoint) {
        return handle(event, endpoint, RequestLog::record, false);
    }

    /**
     * Answers as {@link #handle} does, for priming before a SnapStart snapshot: the request's line
     * is built but not printed, since priming is no one's request.
     */
    public static APIGatewayV2HTTPResponse prime(APIGatewayV2HTTPEvent event, Function<ApiRequest, ApiResponse> endpoint) {
        return handle(event, endpoint, RequestLog::line, true);
    }

    private static APIGatewayV2HTTPResponse handle(APIGatewayV2HTTPEvent event, Function<ApiRequest, ApiResponse> endpoint,
                                                   BiConsumer<RequestLog.Entry, Instant> log, boolean keyed) {
        Instant started = Instant.now();
        String tenant = tenant(event);
        RequestCalls calls = RequestCalls.start();
        ApiResponse response = null;
        try {
            response = answer(event, tenant, endpoint, keyed);
            return response(response);
        } finally {
            calls.end();
            log.accept(entry(event, tenant, response, calls, started), started);
        }
    }

    /** What the request's line says; a null response is one whose handler threw, which API Gateway answers 500. */
    private static RequestLog.Entry entry(APIGatewayV2HTTPEvent event, String tenant, ApiResponse response, RequestCalls calls,
                                          Instant started) {
        String account = event.getQueryStringParameters() == null ? null : event.getQueryStringParameters().get("integrated_account_id");
        int status = response == null ? 500 : response.statusCode();
        String budgetRemaining = response == null ? null : response.headers().get("ratelimit-remaining");
        boolean cursorMiss = status == 400 && response.body() != null && response.body().contains("\"invalid_cursor\"");
        return new RequestLog.Entry(requestId(event), tenant, account, route(event), status, calls.calls(), calls.rateLimited(),
                budgetRemaining, Duration.between(started, Instant.now()), cursorMiss);
    }

    private static ApiResponse answer(APIGatewayV2HTTPEvent event, String tenant, Function<ApiRequest, ApiResponse> endpoint,
                                      boolean keyed) {
        if (keyed && (tenant == null || tenant.isBlank())) {
            return Responses.error(401, "unauthorized", "missing or unknown API key", bodiless(event),
                    Map.of("x-request-id", requestId(event)), Map.of());
        }
        ApiRequest request;
        try {
            request = request(event, tenant, keyed);
            RequestLimits.check(request);
        } catch (ApiError refused) {
            return ErrorFrame.failure(refused, null, bodiless(event), new LinkedHashMap<>(Map.of("x-request-id", requestId(event))));
        }
        try {
            return endpoint.apply(request);
        } catch (RuntimeException e) {
            // The endpoints answer their own failures (an idempotency record that could not be read or kept comes here).
            return ErrorFrame.internalError(request, Map.of("x-request-id", request.requestId()), e);
        }
    }

    /**
     * The route as API Gateway names it ({@code GET /unified/user-directory/users/{id}}), for a metric
     * dimension: few values. An event without one (a direct invocation) is "unmatched", never its
     * path, which would make a metric of every id.
     */
    private static String route(APIGatewayV2HTTPEvent event) {
        return event.getRouteKey() != null && !event.getRouteKey().isBlank() ? event.getRouteKey() : UNMATCHED;
    }

    /** Enough of the request for an error answer. */
    private static ApiRequest bodiless(APIGatewayV2HTTPEvent event) {
        return new ApiRequest(event.getRouteKey(), method(event), routePath(event), Map.of(), Map.of(), Map.of(), null, requestId(event),
                null);
    }

    /** The path of the event's route ({@code /connect/{session}}), or "unmatched": never a path that may hold a secret. */
    private static String routePath(APIGatewayV2HTTPEvent event) {
        String route = route(event);
        int space = route.indexOf(' ');
        return space < 0 ? route : route.substring(space + 1);
    }

    private static String tenant(APIGatewayV2HTTPEvent event) {
        APIGatewayV2HTTPEvent.RequestContext context = event.getRequestContext();
        if (context != null && context.getAuthorizer() != null && context.getAuthorizer().getLambda() != null) {
            Object value = context.getAuthorizer().getLambda().get(TENANT_KEY);
            return value == null ? null : value.toString();
        }
        return null;
    }

    /** The request an event carries, as the endpoints read it. */
    private static ApiRequest request(APIGatewayV2HTTPEvent event, String tenant, boolean keyed) {
        Map<String, String> headers = new HashMap<>();
        if (event.getHeaders() != null) {
            event.getHeaders().forEach((name, value) -> headers.put(name.toLowerCase(Locale.ROOT), value));
        }
        String body = event.getBody();
        if (body != null && event.getIsBase64Encoded()) {
            body = utf8(base64(body));
        }
        return new ApiRequest(event.getRouteKey(), method(event), keyed ? event.getRawPath() : routePath(event), event.getPathParameters(),
                event.getQueryStringParameters(), headers, body, requestId(event), keyed ? tenant : null);
    }

    private static byte[] base64(String body) {
        try {
            return Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalidRequest("the request body is marked base64 but is not valid base64");
        }
    }

    /**
     * The body as text, refused if it is not UTF-8: decoding it with replacements would send
     * Buildkite a name of U+FFFD. (A body API Gateway hands over as a string was decoded before it
     * came here; only the base64 path, which binary bodies and the dev server's take, can tell.)
     */
    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw ApiError.invalidRequest("the request body is not valid UTF-8 (a JSON body is UTF-8 text)");
        }
    }

    private static String method(APIGatewayV2HTTPEvent event) {
        APIGatewayV2HTTPEvent.RequestContext context = event.getRequestContext();
        return context != null && context.getHttp() != null ? context.getHttp().getMethod() : "GET";
    }

    private static String requestId(APIGatewayV2HTTPEvent event) {
        APIGatewayV2HTTPEvent.RequestContext context = event.getRequestContext();
        return context != null && context.getRequestId() != null ? context.getRequestId() : "local";
    }

    private static APIGatewayV2HTTPResponse response(ApiResponse response) {
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(response.statusCode())
                .withHeaders(response.headers())
                .withBody(response.body())
                .withIsBase64Encoded(false)
                .build();
    }
}
