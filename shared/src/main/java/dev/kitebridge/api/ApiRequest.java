package dev.kitebridge.api;

import java.util.Map;

/**
 * An HTTP API request as the endpoints read it, whatever delivered it (API Gateway, the local
 * dev server).
 *
 * @param routeKey the route API Gateway matched, as template.yaml declares it
 *                 ({@code GET /unified/user-directory/users/{id}}): what {@link Routes} dispatches on;
 *                 null when the request came some other way (a direct invocation, a test calling an endpoint)
 * @param tenantId the caller's tenant, as the authorizer established it; null when none did
 */
public record ApiRequest(String routeKey, String method, String path, Map<String, String> pathParameters, Map<String, String> query,
                         Map<String, String> headers, String body, String requestId, String tenantId) {

    public ApiRequest {
        pathParameters = pathParameters == null ? Map.of() : Map.copyOf(pathParameters);
        query = query == null ? Map.of() : Map.copyOf(query);
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    /** A request that names no route: for calling an endpoint directly (tests, tools). */
    public ApiRequest(String method, String path, Map<String, String> pathParameters, Map<String, String> query,
                      Map<String, String> headers, String body, String requestId, String tenantId) {
        this(null, method, path, pathParameters, query, headers, body, requestId, tenantId);
    }

    public String pathParameter(String name) {
        return pathParameters.get(name);
    }
}
