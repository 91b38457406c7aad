package dev.kitebridge.functions.webhooks;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import dev.kitebridge.api.HttpApiEvents;
import dev.kitebridge.api.Routes;
import dev.kitebridge.functions.Dependencies;

/** {@code /webhooks}: subscribe, list, get, unsubscribe, and replay parked deliveries. */
public final class WebhooksHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    private final Routes routes;

    public WebhooksHandler() {
        this(Dependencies.application().routes());
    }

    public WebhooksHandler(Routes routes) {
        this.routes = routes;
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return HttpApiEvents.handle(event, routes::answer);
    }
}
