package dev.kitebridge.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.kitebridge.sandbox.model.Population;

/**
 * template.yaml, events/ and the handlers agree: every handler the template names exists, every
 * function and every route has events, and every event goes through the handler the template names
 * as {@code invoke} sends it (read as the Lambda runtime reads it), and gets the answer its name promises.
 */
class TemplateEventsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Template template;
    private static LocalRuntime runtime;

    @BeforeAll
    static void start() throws IOException {
        template = Template.load(Path.of("template.yaml"));
        runtime = LocalRuntime.onSandbox(template, LocalMain.startSandbox(Population.demo()));
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    @Test
    void everyHandlerExistsAndEveryFunctionHasRoutesAndEvents() throws IOException {
        assertFalse(template.functions().isEmpty());
        for (Template.Function function : template.functions()) {
            Class<?> handler = assertDoesNotThrowClass(function.handlerClass());
            assertTrue(RequestHandler.class.isAssignableFrom(handler), function.handlerClass() + " is a RequestHandler");
            assertTrue(function.name().equals(template.authorizerFunction()) || !function.routes().isEmpty()
                            || !function.triggers().isEmpty(),
                    function.name() + " has an HttpApi route or another trigger (a queue, a schedule), or is the API's authorizer");
            assertTrue(function.routes().isEmpty() || function.triggers().isEmpty(), function.name() + " is an API function or an event's, not both");
            assertFalse(eventsOf(function.name()).isEmpty(), function.name() + " has an event in events/" + function.name());
        }
        Set<String> eventDirectories = new TreeSet<>();
        try (Stream<Path> dirs = Files.list(Path.of("events"))) {
            dirs.forEach(d -> eventDirectories.add(d.getFileName().toString()));
        }
        Set<String> functions = new TreeSet<>(template.functions().stream().map(Template.Function::name).toList());
        assertEquals(functions, eventDirectories, "events/ has a folder per function, and no other");
    }

    @Test
    void theAuthorizerNamesTheTenantOfAKnownKeyOnly() throws IOException {
        String authorizer = template.authorizerFunction();
        assertEquals("AuthorizerFunction", authorizer);
        assertEquals(APIGatewayV2CustomAuthorizerEvent.class, runtime.eventType(authorizer));
        JsonNode known = invoke(authorizer, Path.of("events", authorizer, "known-key.json"));
        assertEquals(LocalRuntime.TENANT, known.path("context").path("tenant_id").asText(), known.toString());
        assertTrue(known.get("isAuthorized").asBoolean());
        JsonNode unknown = invoke(authorizer, Path.of("events", authorizer, "unknown-key.json"));
        assertEquals(0, unknown.path("context").size(), "no tenant: every handler answers 401; " + unknown);
    }

    @Test
    void everyRouteHasASampleEvent() throws IOException {
        for (Template.Function function : template.functions()) {
            for (Template.Route route : function.routes()) {
                String key = route.method() + " " + route.path();
                boolean sampled = false;
                for (Path file : eventsOf(function.name())) {
                    sampled |= key.equals(JSON.readTree(file.toFile()).path("routeKey").asText());
                }
                assertTrue(sampled, "events/" + function.name() + " has an event of route " + key);
            }
        }
    }

    /**
     * Every event through the path {@code invoke} takes ({@link LocalRuntime#invokeJson}): read as the
     * type its handler takes, answered as JSON. bad-* events answer 400, missing-* (an id that a fresh
     * dev server does not have) 404, the others a 2xx; a queue's or a schedule's event leaves nothing to retry.
     */
    @Test
    void everyEventGoesThroughItsHandler() throws IOException, InterruptedException {
        List<Path> files = new ArrayList<>();
        for (Template.Function function : template.functions()) {
            files.addAll(eventsOf(function.name()));
        }
        // Unlinking the demo account last: every other event reads through it.
        Path unlink = Path.of("events", "AccountsFunction", "unlink.json");
        assertTrue(files.remove(unlink), "events/AccountsFunction has unlink.json");
        files.add(unlink);
        for (Path file : files) {
            String function = file.getParent().getFileName().toString();
            String name = file.getFileName().toString();
            if (function.equals(template.authorizerFunction())) {
                assertTrue(invoke(function, file).has("isAuthorized"), file.toString());
                continue;
            }
            if (template.function(function).routes().isEmpty()) {
                JsonNode answer = invoke(function, file);
                assertFalse(answer.isNull(), file.toString());
                assertEquals(0, answer.path("batchItemFailures").size(), file + ": no message is left to come back; " + answer);
                continue;
            }
            APIGatewayV2HTTPEvent event = read(file, APIGatewayV2HTTPEvent.class);
            assertTrue(template.function(function).routes().stream().anyMatch(r -> r.match(event.getRequestContext().getHttp().getMethod(),
                    event.getRawPath()) != null), file + " is on one of " + function + "'s routes");
            JsonNode response = invoke(function, file);
            while (response.get("statusCode").asInt() == 429) {
                // As any client would: wait as long as Retry-After says (on the sandbox's clock), then ask again.
                Thread.sleep((long) (response.path("headers").path("retry-after").asLong() * 1000 / LocalMain.DEMO_TIME_SCALE));
                response = invoke(function, file);
            }
            int status = response.get("statusCode").asInt();
            if (response.path("headers").path("content-type").asText().startsWith("text/html")
                    || event.getRequestContext().getHttp().getMethod().equals("POST") && status == 303) {
                checkPage(file, event, response);
                continue;
            }
            JsonNode body = JSON.readTree(response.get("body").asText());
            if (name.startsWith("bad-")) {
                assertEquals(400, status, file + ": " + body);
                assertTrue(body.get("error").asText().startsWith("invalid_"), body.toString());
            } else if (name.startsWith("missing-")) {
                assertEquals(404, status, file + ": " + body);
                assertEquals("not_found", body.get("error").asText(), body.toString());
            } else {
                assertEquals(2, status / 100, file + ": " + body);
            }
            assertEquals("application/json", response.path("headers").path("content-type").asText(), file.toString());
        }
        assertEquals(countEventFiles(), files.size(), "every file in events/");
    }

    /**
     * An answer of the connect page: HTML (bad-* 400, missing-* 404, the others 200), or a form's
     * post answered 303 See Other; either way with the page's safety headers and no-store.
     */
    private static void checkPage(Path file, APIGatewayV2HTTPEvent event, JsonNode response) {
        String name = file.getFileName().toString();
        int status = response.get("statusCode").asInt();
        JsonNode headers = response.path("headers");
        int expected = name.startsWith("bad-") ? 400 : name.startsWith("missing-") ? 404
                : event.getRequestContext().getHttp().getMethod().equals("POST") ? 303 : 200;
        assertEquals(expected, status, file + ": " + response.path("body").asText());
        if (status != 303) {
            assertEquals("text/html; charset=utf-8", headers.path("content-type").asText(), file.toString());
            assertTrue(response.path("body").asText().startsWith("<!doctype html>"), file.toString());
        }
        assertTrue(headers.path("content-security-policy").asText().contains("frame-ancestors 'none'"), file.toString());
        assertEquals("no-store", headers.path("cache-control").asText(), file.toString());
        assertEquals("no-referrer", headers.path("referrer-policy").asText(), file.toString());
    }

    @Test
    void everyHandlerAnswers401WhenNoAuthorizerNamedATenant() throws IOException {
        for (Template.Function function : template.functions()) {
            if (function.name().equals(template.authorizerFunction()) || function.routes().stream().noneMatch(Template.Route::authorized)) {
                continue; // the authorizer itself, and /health, which takes no key
            }
            APIGatewayV2HTTPEvent event = read(eventsOf(function.name()).get(0), APIGatewayV2HTTPEvent.class);
            event.getRequestContext().setAuthorizer(null);
            APIGatewayV2HTTPResponse response = runtime.invoke(function.name(), event);
            assertEquals(401, response.getStatusCode(), function.name() + ": " + response.getBody());
            assertEquals("unauthorized", new ObjectMapper().readTree(response.getBody()).get("error").asText());
        }
    }

    /** The answer as {@code invoke} prints it. */
    private static JsonNode invoke(String function, Path event) throws IOException {
        try (InputStream in = Files.newInputStream(event)) {
            return JSON.readTree(runtime.invokeJson(function, in));
        }
    }

    private static long countEventFiles() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("events"))) {
            return files.filter(f -> f.toString().endsWith(".json")).count();
        }
    }

    private <T> T read(Path file, Class<T> type) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return LambdaEventSerializers.serializerFor(type, getClass().getClassLoader()).fromJson(in);
        }
    }

    private static List<Path> eventsOf(String function) throws IOException {
        Path dir = Path.of("events", function);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
    }

    private static Class<?> assertDoesNotThrowClass(String name) {
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            throw new AssertionError("template.yaml names " + name + ", which does not exist");
        }
    }
}
