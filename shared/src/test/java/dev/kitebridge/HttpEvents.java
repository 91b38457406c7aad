package dev.kitebridge;

import java.util.Map;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;

import dev.kitebridge.api.HttpApiEvents;

/** API Gateway HTTP API events as the authorizer leaves them, for tests that go through the handlers' gate. */
public final class HttpEvents {

    private HttpEvents() {}

    /** A request to {@code routeKey} ("GET /unified/user-directory/users"), as {@code tenant} (null: none). */
    public static APIGatewayV2HTTPEvent of(String routeKey, String path, Map<String, String> query, String body, String tenant) {
        return APIGatewayV2HTTPEvent.builder()
                .withRouteKey(routeKey)
                .withRawPath(path)
                .withQueryStringParameters(query)
                .withHeaders(Map.of("authorization", "Bearer kb_not_logged"))
                .withBody(body)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withRequestId("req-event")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(routeKey.split(" ")[0]).build())
                        .withAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                                .withLambda(tenant == null ? Map.of() : Map.of(HttpApiEvents.TENANT_KEY, tenant)).build())
                        .build())
                .build();
    }
}
