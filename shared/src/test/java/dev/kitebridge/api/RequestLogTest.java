package dev.kitebridge.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.HttpEvents;
import dev.kitebridge.LogCapture;
import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.buildkite.TimeSource;
import dev.kitebridge.buildkite.ratelimit.InMemoryRateLimitGovernor;
import dev.kitebridge.directory.BuildkiteAccess;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Population;
import dev.kitebridge.state.memory.InMemoryAccountStore;
import dev.kitebridge.state.memory.InMemoryApiKeyStore;
import dev.kitebridge.state.memory.InMemoryCursorStore;
import dev.kitebridge.state.memory.InMemoryIdempotencyStore;
import dev.kitebridge.state.memory.InMemoryOrganizationDataStore;
import dev.kitebridge.state.memory.InMemoryTokenVault;

/** One JSON line per request through the handlers' gate, with its metrics in Embedded Metric Format, and never a token. */
class RequestLogTest {

    @Test
    void everyRequestLeavesOneJsonLineWithItsMetrics() throws Exception {
        try (Sandbox sandbox = Sandbox.builder().population(Population.of(30, 2))
                .limits(RateLimits.BUILDKITE.withRest(10_000, 10_000).withGraphql(1_000_000, 1_000_000)).start();
             LogCapture logs = LogCapture.of(RequestLog.LOGGER)) {
            Application app = Application.create(new Application.Wiring(new InMemoryAccountStore(), new InMemoryTokenVault(),
                    new InMemoryCursorStore(), new InMemoryOrganizationDataStore(), new InMemoryApiKeyStore(), new InMemoryIdempotencyStore(),
                    new InMemoryRateLimitGovernor(), new BuildkiteAccess.Endpoints(URI.create(sandbox.restUrl()), URI.create(sandbox.graphqlUrl())),
                    TimeSource.scaled(sandbox.clock().scale())));

            APIGatewayV2HTTPResponse linked = HttpApiEvents.handle(HttpEvents.of("POST /integrated-accounts", "/integrated-accounts", Map.of(),
                    "{\"token\":\"" + sandbox.token() + "\"}", "tenant-a"), app.accounts()::handle);
            assertEquals(201, linked.getStatusCode(), linked.getBody());
            String account = ApiJson.MAPPER.readTree(linked.getBody()).get("id").asText();
            APIGatewayV2HTTPResponse users = HttpApiEvents.handle(HttpEvents.of("GET /unified/user-directory/users", "/unified/user-directory/users",
                    Map.of("integrated_account_id", account, "limit", "5"), null, "tenant-a"), app.directory()::users);
            assertEquals(200, users.getStatusCode(), users.getBody());
            HttpApiEvents.handle(HttpEvents.of("GET /unified/user-directory/users", "/unified/user-directory/users",
                    Map.of("integrated_account_id", account, "next_cursor", "forged"), null, "tenant-a"), app.directory()::users);
            HttpApiEvents.handle(HttpEvents.of("GET /unified/user-directory/users", "/unified/user-directory/users", Map.of(), null, null),
                    app.directory()::users);

            List<String> lines = logs.lines().stream().map(RequestLogTest::message).toList();
            assertEquals(4, lines.size(), "one line per request: " + lines);
            JsonNode list = ApiJson.MAPPER.readTree(lines.get(1));
            assertEquals("tenant-a", list.get("tenant").asText());
            assertEquals(account, list.get("account").asText());
            assertEquals("GET /unified/user-directory/users", list.get("route").asText());
            assertEquals(200, list.get("status").asInt());
            assertTrue(list.get("BuildkiteCalls").asInt() > 0, list.toString());
            assertEquals(0, list.get("BuildkiteRateLimited").asInt());
            assertTrue(list.hasNonNull("budget_remaining"));
            JsonNode directive = list.at("/_aws/CloudWatchMetrics/0");
            assertEquals("Kitebridge", directive.get("Namespace").asText());
            for (JsonNode metric : directive.get("Metrics")) {
                assertTrue(list.get(metric.get("Name").asText()).isNumber(), "EMF: each metric named is a number on the line");
            }
            directive.get("Dimensions").get(0).forEach(d -> assertTrue(list.get(d.asText()).isTextual()));
            assertEquals(1, ApiJson.MAPPER.readTree(lines.get(2)).get("CursorMisses").asInt());
            assertEquals(401, ApiJson.MAPPER.readTree(lines.get(3)).get("status").asInt());
            for (String line : lines) {
                assertFalse(line.contains(sandbox.token()), "a log line shows the token: " + line);
                assertFalse(line.contains("\n"), "one line");
            }
        }
    }

    /** The logged message, without the test's log formatter's date and level. */
    private static String message(String formatted) {
        return formatted.substring(formatted.indexOf('{')).strip();
    }
}
