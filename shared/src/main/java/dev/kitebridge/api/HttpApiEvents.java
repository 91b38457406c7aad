package dev.kitebridge.api;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

/** API Gateway HTTP API (payload 2.0) events to requests, and responses back. */
public final class HttpApiEvents {

    /** Where the Lambda authorizer puts the caller's tenant in its context. */
    public static final String TENANT_KEY = "tenant_id";

    private HttpApiEvents() {}

    public static ApiRequest request(APIGatewayV2HTTPEvent event) {
        APIGatewayV2HTTPEvent.RequestContext context = event.getRequestContext();
        String method = context != null && context.getHttp() != null ? context.getHttp().getMethod() : "GET";
        String requestId = context != null && context.getRequestId() != null ? context.getRequestId() : "local";
        String tenant = null;
        if (context != null && context.getAuthorizer() != null && context.getAuthorizer().getLambda() != null) {
            Object value = context.getAuthorizer().getLambda().get(TENANT_KEY);
            tenant = value == null ? null : value.toString();
        }
        Map<String, String> headers = new HashMap<>();
        if (event.getHeaders() != null) {
            event.getHeaders().forEach((name, value) -> headers.put(name.toLowerCase(Locale.ROOT), value));
        }
        String body = event.getBody();
        if (body != null && event.getIsBase64Encoded()) {
            body = new String(java.util.Base64.getDecoder().decode(body), java.nio.charset.StandardCharsets.UTF_8);
        }
        return new ApiRequest(method, event.getRawPath(), event.getPathParameters(), event.getQueryStringParameters(),
                headers, body, requestId, tenant);
    }

    public static APIGatewayV2HTTPResponse response(ApiResponse response) {
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(response.statusCode())
                .withHeaders(response.headers())
                .withBody(response.body())
                .withIsBase64Encoded(false)
                .build();
    }
}
