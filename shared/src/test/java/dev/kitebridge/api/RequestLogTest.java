package dev.kitebridge.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.HttpEvents;
import dev.kitebridge.LogCapture;
import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.app.Application;
import dev.kitebridge.contract.ApiJson;
import dev.kitebridge.logging.JsonLogFormatter;
import dev.kitebridge.metrics.Metrics;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Population;
import dev.kitebridge.time.TimeSource;

/** One JSON line per request through the handlers' gate, with its metrics in Embedded Metric Format, and never a token. */
class RequestLogTest {

    @Test
    void everyRequestLeavesOneJsonLineWithItsMetrics() throws Exception {
        try (Sandbox sandbox = Sandbox.builder().population(Population.of(30, 2))
                .limits(RateLimits.BUILDKITE.withRest(10_000, 10_000).withGraphql(1_000_000, 1_000_000)).start();
             LogCapture logs = LogCapture.of(RequestLog.LOGGER)) {
            Application app = inMemory(sandbox);

            APIGatewayV2HTTPResponse linked = HttpApiEvents.handle(HttpEvents.of("POST /integrated-accounts", "/integrated-accounts", Map.of(),
                    "{\"token\":\"" + sandbox.token() + "\"}", "tenant-a"), app.routes()::answer);
            assertEquals(201, linked.getStatusCode(), linked.getBody());
            String account = ApiJson.MAPPER.readTree(linked.getBody()).get("id").asText();
            APIGatewayV2HTTPResponse users = HttpApiEvents.handle(HttpEvents.of("GET /unified/user-directory/users", "/unified/user-directory/users",
                    Map.of("integrated_account_id", account, "limit", "5"), null, "tenant-a"), app.routes()::answer);
            assertEquals(200, users.getStatusCode(), users.getBody());
            HttpApiEvents.handle(HttpEvents.of("GET /unified/user-directory/users", "/unified/user-directory/users",
                    Map.of("integrated_account_id", account, "next_cursor", "forged"), null, "tenant-a"), app.routes()::answer);
            HttpApiEvents.handle(HttpEvents.of("GET /unified/user-directory/users", "/unified/user-directory/users", Map.of(), null, null),
                    app.routes()::answer);

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
            assertEquals(list.get("budget_remaining").asLong(), list.get("BuildkiteBudgetRemaining").asLong(), "the budget left, as a metric");
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

    @Test
    void theLineIsPrintedAloneOnOneLineOfStdoutAsJsonWithItsEmfDirective() throws Exception {
        PrintStream stdout = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (LogCapture root = LogCapture.of("")) {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            HttpApiEvents.handle(HttpEvents.of("GET /unified/user-directory/roles", "/unified/user-directory/roles",
                    Map.of("integrated_account_id", "acct_1"), null, "tenant-a"), request -> ApiResponse.json(200, Map.of(), Map.of()));
            assertEquals(List.of(), root.lines(), "the request line does not go through the root logger and its format");
        } finally {
            System.setOut(stdout);
        }

        String output = printed.toString(StandardCharsets.UTF_8);
        assertTrue(output.startsWith("{\"message\":\"request\","), "the message alone, no date or level: " + output);
        assertTrue(output.endsWith("}" + System.lineSeparator()), output);
        assertEquals(1, output.lines().count(), "one line: " + output);
        JsonNode line = ApiJson.MAPPER.readTree(output);
        assertEquals("GET /unified/user-directory/roles", line.get("Route").asText());
        assertEquals(200, line.get("status").asInt());
        JsonNode aws = line.get("_aws");
        assertTrue(aws.get("Timestamp").isIntegralNumber(), aws.toString());
        assertEquals(1, aws.get("CloudWatchMetrics").size());
        JsonNode directive = aws.at("/CloudWatchMetrics/0");
        assertEquals("Kitebridge", directive.get("Namespace").asText());
        assertEquals("[[\"Route\"],[]]", directive.get("Dimensions").toString(), "by route, and in total");
        List<String> metrics = new ArrayList<>();
        for (JsonNode metric : directive.get("Metrics")) {
            metrics.add(metric.get("Name").asText());
            assertTrue(line.get(metric.get("Name").asText()).isNumber(), "each metric named is a number on the line: " + metric);
        }
        assertEquals(List.of("BuildkiteCalls", "BuildkiteRateLimited", "CursorMisses", "ServerErrors", "Duration"), metrics);
    }

    @Test
    void anEndpointThatThrowsLeavesALineWithStatus500AndItsFailureOneLineWithItsStack() throws Exception {
        try (LogCapture logs = LogCapture.of(RequestLog.LOGGER);
             LogCapture failures = LogCapture.of(new JsonLogFormatter(), "dev.kitebridge")) {
            APIGatewayV2HTTPResponse failed = HttpApiEvents.handle(HttpEvents.of("GET /unified/user-directory/me",
                    "/unified/user-directory/me", Map.of(), null, "tenant-a"), request -> {
                        throw new IllegalStateException("a bug");
                    });
            assertEquals(500, failed.getStatusCode());
            assertEquals("internal_error", ApiJson.MAPPER.readTree(failed.getBody()).get("error").asText());
            assertEquals("req-event", failed.getHeaders().get("x-request-id"));
            // An Error passes through (Lambda reports it, API Gateway answers 500), and the line is still written.
            assertThrows(NoClassDefFoundError.class, () -> HttpApiEvents.handle(HttpEvents.of("GET /unified/user-directory/me",
                    "/unified/user-directory/me", Map.of(), null, "tenant-a"), request -> {
                        throw new NoClassDefFoundError("dev/kitebridge/Missing");
                    }));

            List<String> lines = logs.lines().stream().map(RequestLogTest::message).toList();
            assertEquals(2, lines.size(), "one line per request: " + lines);
            for (String line : lines) {
                JsonNode json = ApiJson.MAPPER.readTree(line);
                assertEquals(500, json.get("status").asInt(), line);
                assertEquals(1, json.get("ServerErrors").asInt(), line);
            }
            // The exception that was answered 500 (the Error is Lambda's to report).
            assertEquals(1, failures.lines().size(), "one line per failure: " + failures.lines());
            JsonNode failure = ApiJson.MAPPER.readTree(failures.lines().get(0));
            assertEquals("ERROR", failure.get("level").asText());
            assertEquals("request req-event failed: GET /unified/user-directory/me", failure.get("message").asText());
            assertEquals("java.lang.IllegalStateException", failure.get("exception").asText());
            assertTrue(failure.get("stack").asText().startsWith("java.lang.IllegalStateException: a bug\n\tat "), failure.toString());
        }
    }

    @Test
    void everyRouteCountsTheBuildkiteCallsItMade() throws Exception {
        try (Sandbox sandbox = Sandbox.builder().population(Population.of(30, 2))
                .limits(RateLimits.BUILDKITE.withRest(10_000, 10_000).withGraphql(1_000_000, 1_000_000)).start();
             LogCapture logs = LogCapture.of(RequestLog.LOGGER)) {
            Application app = inMemory(sandbox);
            String link = "{\"token\":\"" + sandbox.token() + "\"}";

            // Linking checks the token with Buildkite, and its answer has no x-kitebridge-buildkite-calls header.
            APIGatewayV2HTTPResponse linked = HttpApiEvents.handle(HttpEvents.of("POST /integrated-accounts", "/integrated-accounts",
                    Map.of(), link, "tenant-a"), app.routes()::answer);
            assertEquals(201, linked.getStatusCode(), linked.getBody());
            long linkCalls = sandbox.journal().entries().size();
            // A request that called Buildkite and then failed.
            HttpApiEvents.handle(HttpEvents.of("POST /integrated-accounts", "/integrated-accounts", Map.of(), link, "tenant-a"), request -> {
                app.routes().answer(request);
                throw new IllegalStateException("a bug after the calls");
            });

            List<JsonNode> lines = new ArrayList<>();
            for (String line : logs.lines()) {
                lines.add(ApiJson.MAPPER.readTree(message(line)));
            }
            assertTrue(linkCalls > 0);
            assertEquals(linkCalls, lines.get(0).get("BuildkiteCalls").asLong(), "every call Buildkite received: " + lines.get(0));
            assertEquals(500, lines.get(1).get("status").asInt());
            assertEquals(sandbox.journal().entries().size() - linkCalls, lines.get(1).get("BuildkiteCalls").asLong(), lines.get(1).toString());
        }
    }

    @Test
    void anEventWithoutARouteIsUnmatchedNotItsPath() throws Exception {
        String id = "0185c636-fcbf-4a6c-b49d-c4048e7b8aea";
        APIGatewayV2HTTPEvent event = HttpEvents.of("GET /unified/user-directory/users/{id}", "/unified/user-directory/users/" + id,
                Map.of(), null, "tenant-a");
        event.setRouteKey(null); // a direct invocation, not through API Gateway
        try (LogCapture logs = LogCapture.of(RequestLog.LOGGER)) {
            HttpApiEvents.handle(event, request -> ApiResponse.json(200, Map.of(), Map.of()));
            JsonNode line = ApiJson.MAPPER.readTree(message(logs.lines().get(0)));
            assertEquals("unmatched", line.get("Route").asText());
            assertFalse(line.toString().contains(id), "no path, so no id, in the line: " + line);
        }
    }

    /** The logged message, without the test's log formatter's date and level. */
    private static String message(String formatted) {
        return formatted.substring(formatted.indexOf('{')).strip();
    }

    private static Application inMemory(Sandbox sandbox) {
        return Application.create(Application.Wiring.builder()
                .buildkite(new BuildkiteAccess.Endpoints(URI.create(sandbox.restUrl()), URI.create(sandbox.graphqlUrl())))
                .time(TimeSource.scaled(sandbox.clock().scale()))
                .build());
    }
}
