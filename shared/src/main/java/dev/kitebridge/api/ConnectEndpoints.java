package dev.kitebridge.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.kitebridge.connect.ConnectService;
import dev.kitebridge.connect.ConnectSession;
import dev.kitebridge.connect.RedirectOrigins;
import dev.kitebridge.contract.ApiError;

/**
 * The tenant's side of connect sessions: {@code POST /connect-sessions} makes one (its URL is in
 * this answer only), and {@code GET|PUT /connect-settings} read and set the tenant's allowed
 * redirect origins.
 */
public final class ConnectEndpoints {

    private static final int MAX_LABEL = 200;
    private static final int MAX_STATE = 1_000;

    private final ConnectService connect;

    public ConnectEndpoints(ConnectService connect) {
        this.connect = connect;
    }

    /** {@code POST /connect-sessions}. */
    public ApiResponse createSession(ApiRequest request) {
        return ErrorFrame.answer(request, exchange -> {
            JsonBody body = request.body() == null || request.body().isBlank() ? JsonBody.parse("{}", Set.of())
                    : JsonBody.parse(request.body(), Set.of("label", "redirect_url", "state", "required_scopes"));
            ConnectService.Created created = connect.create(request.tenantId(), body.string("label", MAX_LABEL),
                    body.string("state", MAX_STATE), body.string("redirect_url", RedirectOrigins.MAX_URL),
                    body.optionalStrings("required_scopes", 20, 100));
            ConnectSession session = created.session();
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("id", session.id());
            json.put("url", baseUrl(request) + "/connect/" + created.secret());
            json.put("expires_at", session.expiresAt().toString());
            json.put("label", session.label());
            json.put("redirect_url", session.redirectUrl());
            json.put("required_scopes", session.requiredScopes());
            return ApiResponse.json(201, json, exchange.headers());
        });
    }

    /** {@code GET /connect-settings} */
    public ApiResponse getSettings(ApiRequest request) {
        return ErrorFrame.answer(request, exchange -> ApiResponse.json(200, settings(connect.redirectOrigins(request.tenantId())),
                exchange.headers()));
    }

    /** {@code PUT /connect-settings} */
    public ApiResponse putSettings(ApiRequest request) {
        return ErrorFrame.answer(request, exchange -> {
            JsonBody body = JsonBody.parse(request.body(), Set.of("allowed_redirect_origins"));
            List<String> origins = body.optionalStrings("allowed_redirect_origins", 100, 300);
            if (origins == null) {
                throw ApiError.invalidRequest("allowed_redirect_origins is required (an empty list allows none)");
            }
            return ApiResponse.json(200, settings(connect.setRedirectOrigins(request.tenantId(), origins)), exchange.headers());
        });
    }

    private static Map<String, Object> settings(List<String> origins) {
        return Map.of("allowed_redirect_origins", origins);
    }

    /**
     * Where the API is, as the caller reached it: API Gateway's {@code host} and
     * {@code x-forwarded-proto} (https unless it says otherwise); relative where a request has no host.
     */
    static String baseUrl(ApiRequest request) {
        String host = request.headers().get("host");
        if (host == null || host.isBlank() || !host.matches("[A-Za-z0-9.:\\[\\]-]+")) {
            return "";
        }
        String proto = request.headers().getOrDefault("x-forwarded-proto", "https");
        return (proto.equals("http") ? "http" : "https") + "://" + host;
    }
}
