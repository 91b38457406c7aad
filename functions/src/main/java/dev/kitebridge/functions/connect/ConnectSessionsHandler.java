package dev.kitebridge.functions.connect;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import dev.kitebridge.api.HttpApiEvents;
import dev.kitebridge.api.Routes;
import dev.kitebridge.functions.Dependencies;

/** {@code POST /connect-sessions} and {@code GET|PUT /connect-settings}: the tenant's side of connect sessions. */
public final class ConnectSessionsHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    private final Routes routes;

    public ConnectSessionsHandler() {
        this(Dependencies.application().routes());
    }

    public ConnectSessionsHandler(Routes routes) {
        this.routes = routes;
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return HttpApiEvents.handle(event, routes::answer);
    }
}
