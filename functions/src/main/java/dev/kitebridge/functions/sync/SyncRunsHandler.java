package dev.kitebridge.functions.sync;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import dev.kitebridge.api.HttpApiEvents;
import dev.kitebridge.api.Routes;
import dev.kitebridge.functions.Dependencies;

/** {@code POST /sync-runs}, {@code GET /sync-runs/{id}} and {@code GET /events}. */
public final class SyncRunsHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    private final Routes routes;

    public SyncRunsHandler() {
        this(Dependencies.application().routes());
    }

    public SyncRunsHandler(Routes routes) {
        this.routes = routes;
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return HttpApiEvents.handle(event, routes::answer);
    }
}
