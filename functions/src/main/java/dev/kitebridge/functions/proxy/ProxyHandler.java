package dev.kitebridge.functions.proxy;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import dev.kitebridge.api.HttpApiEvents;
import dev.kitebridge.api.Routes;
import dev.kitebridge.functions.Dependencies;

/** {@code ANY /proxy/{path+}} and {@code POST /proxy/graphql}: Buildkite, 1 to 1, with the stored token. */
public final class ProxyHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    private final Routes routes;

    public ProxyHandler() {
        this(Dependencies.application().routes());
    }

    public ProxyHandler(Routes routes) {
        this.routes = routes;
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return HttpApiEvents.handle(event, routes::answer);
    }
}
