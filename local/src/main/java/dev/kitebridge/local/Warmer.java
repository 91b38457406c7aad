package dev.kitebridge.local;

import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.kitebridge.api.HttpApiEvents;

/**
 * Walks every user once through the users handler, as a client would (waiting as 429 answers
 * say), so that the organizations' data is read before the first request of a demo, then waits
 * for the REST budget to refill. It says what it did in one line: its requests are not the
 * developer's, so the request log is quiet meanwhile.
 */
final class Warmer {

    private Warmer() {}

    static void walkUsers(LocalRuntime runtime, double timeScale) throws InterruptedException {
        Logger requests = Logger.getLogger("dev.kitebridge.requests"); // api.RequestLog's
        Level level = requests.getLevel();
        requests.setLevel(Level.OFF);
        long started = System.nanoTime();
        try {
            Walk walk = walk(runtime, timeScale);
            System.out.printf(Locale.ROOT, "Read the demo organizations' directory (what a sync keeps fresh in production): "
                    + "%d users, %d Buildkite calls, %.1f s%n", walk.users(), walk.buildkiteCalls(), (System.nanoTime() - started) / 1e9);
        } finally {
            requests.setLevel(level);
        }
    }

    private record Walk(int users, int buildkiteCalls) {}

    private static Walk walk(LocalRuntime runtime, double timeScale) throws InterruptedException {
        ObjectMapper json = new ObjectMapper();
        String cursor = null;
        int users = 0;
        int calls = 0;
        while (true) {
            Map<String, String> query = new java.util.HashMap<>(Map.of("integrated_account_id", runtime.accountId(),
                    "limit", "500", "include_remote_data", "false"));
            if (cursor != null) {
                query.put("next_cursor", cursor);
            }
            APIGatewayV2HTTPResponse response = runtime.invoke("UsersFunction", APIGatewayV2HTTPEvent.builder()
                    .withRouteKey("GET /unified/user-directory/users")
                    .withRawPath("/unified/user-directory/users")
                    .withQueryStringParameters(query)
                    .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                            .withRequestId("warm-up")
                            .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("GET").build())
                            .withAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                                    .withLambda(Map.of(HttpApiEvents.TENANT_KEY, LocalRuntime.TENANT)).build())
                            .build())
                    .build());
            if (response.getStatusCode() == 429) {
                Thread.sleep((long) (Long.parseLong(response.getHeaders().get("retry-after")) * 1000 / timeScale));
                continue;
            }
            if (response.getStatusCode() != 200) {
                throw new IllegalStateException("reading the demo's users failed: " + response.getBody());
            }
            JsonNode page;
            try {
                page = json.readTree(response.getBody());
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            users += page.get("result").size();
            calls += Integer.parseInt(response.getHeaders().getOrDefault("x-kitebridge-buildkite-calls", "0"));
            if (page.get("next_cursor").isNull()) {
                // Then let the REST budget the reading spent refill, so that the demo's first requests need not wait.
                String reset = response.getHeaders().get("ratelimit-reset");
                if (reset != null) {
                    Thread.sleep((long) ((Long.parseLong(reset) + 1) * 1000 / timeScale));
                }
                return new Walk(users, calls);
            }
            cursor = page.get("next_cursor").asText();
        }
    }
}
