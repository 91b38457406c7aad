package dev.kitebridge.functions.health;

import java.util.Map;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

/**
 * {@code GET /health}, the one route without an API key: the API and its functions answer. It
 * builds nothing and reads no state, so that a load balancer's or a monitor's probe costs nothing
 * and says only that; the other routes' failures show in their own answers and metrics.
 */
public final class HealthHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(200)
                .withHeaders(Map.of("content-type", "application/json", "cache-control", "no-store"))
                .withBody("{\"status\":\"ok\"}")
                .withIsBase64Encoded(false)
                .build();
    }
}
