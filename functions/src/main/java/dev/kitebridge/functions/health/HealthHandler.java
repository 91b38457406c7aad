package dev.kitebridge.functions.health;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import dev.kitebridge.api.ApiResponse;
import dev.kitebridge.api.Routes;

/**
 * {@code GET /health}, the one route without an API key: the API and its functions answer. It
 * builds nothing and reads no state, so that a load balancer's or a monitor's probe costs nothing
 * and says only that; the other routes' failures show in their own answers and metrics. Its answer
 * is the routes table's {@link Routes#health}, without the table (which needs the application).
 */
public final class HealthHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        ApiResponse health = Routes.health(null);
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(health.statusCode())
                .withHeaders(health.headers())
                .withBody(health.body())
                .withIsBase64Encoded(false)
                .build();
    }
}
