package dev.kitebridge.functions.authorizer;

import java.util.Map;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;

import dev.kitebridge.api.HttpApiEvents;
import dev.kitebridge.functions.Dependencies;
import dev.kitebridge.tenants.ApiKeys;

/**
 * The HTTP API's Lambda authorizer (payload 2.0, simple responses): the API key in
 * {@code Authorization: Bearer <key>} names the tenant, which reaches every handler in the
 * authorizer's context. A missing header is refused by API Gateway itself (401). An unknown key
 * is let through without a tenant, and every handler answers it 401: an HTTP API authorizer that
 * says no makes API Gateway answer 403, and the contract wants 401.
 */
public final class AuthorizerHandler implements RequestHandler<APIGatewayV2CustomAuthorizerEvent, Map<String, Object>> {

    private final ApiKeys apiKeys;

    public AuthorizerHandler() {
        this(Dependencies.apiKeys());
    }

    public AuthorizerHandler(ApiKeys apiKeys) {
        this.apiKeys = apiKeys;
    }

    @Override
    public Map<String, Object> handleRequest(APIGatewayV2CustomAuthorizerEvent event, Context context) {
        Map<String, String> headers = event.getHeaders() == null ? Map.of() : event.getHeaders();
        String authorization = headers.getOrDefault("authorization", headers.get("Authorization"));
        return apiKeys.tenantOf(authorization)
                .<Map<String, Object>>map(tenant -> Map.of("isAuthorized", true, "context", Map.of(HttpApiEvents.TENANT_KEY, tenant)))
                .orElse(Map.of("isAuthorized", true, "context", Map.of()));
    }
}
