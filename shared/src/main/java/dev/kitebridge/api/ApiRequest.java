package dev.kitebridge.api;

import java.util.Map;

/**
 * An HTTP API request as the endpoints read it, whatever delivered it (API Gateway, the local
 * dev server).
 *
 * @param tenantId the caller's tenant, as the authorizer established it; null when none did
 */
public record ApiRequest(String method, String path, Map<String, String> pathParameters, Map<String, String> query,
                         Map<String, String> headers, String body, String requestId, String tenantId) {

    public ApiRequest {
        pathParameters = pathParameters == null ? Map.of() : Map.copyOf(pathParameters);
        query = query == null ? Map.of() : Map.copyOf(query);
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    public String pathParameter(String name) {
        return pathParameters.get(name);
    }
}
