package dev.kitebridge.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.model.Population;

/**
 * template.yaml, events/ and the handlers agree: every handler the template names exists, every
 * function has events, and every event, read as the Lambda runtime reads it, goes through the
 * handler the template names and gets the answer its name promises (bad-* events a 400, others a 2xx).
 */
class TemplateEventsTest {

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
        java.util.Map<?, ?> known = (java.util.Map<?, ?>) runtime.invokeAny(authorizer, read(Path.of("events", authorizer, "known-key.json"),
                APIGatewayV2CustomAuthorizerEvent.class));
        assertEquals(java.util.Map.of("tenant_id", LocalRuntime.TENANT), known.get("context"));
        java.util.Map<?, ?> unknown = (java.util.Map<?, ?>) runtime.invokeAny(authorizer, read(Path.of("events", authorizer, "unknown-key.json"),
                APIGatewayV2CustomAuthorizerEvent.class));
        assertEquals(java.util.Map.of(), unknown.get("context"), "no tenant: every handler answers 401");
    }

    @Test
    void everyEventGoesThroughItsHandler() throws IOException, InterruptedException {
        int invoked = 0;
        for (Template.Function function : template.functions()) {
            if (function.name().equals(template.authorizerFunction())) {
                invoked += eventsOf(function.name()).size();
                continue;
            }
            if (function.routes().isEmpty()) {
                // A queue's or a schedule's function: its events, read as the type its handler takes, are taken without a failure.
                for (Path file : eventsOf(function.name())) {
                    Object answer = runtime.invokeAny(function.name(), read(file, runtime.eventType(function.name())));
                    assertNotNull(answer, file.toString());
                    if (answer instanceof SQSBatchResponse batch) {
                        assertEquals(List.of(), batch.getBatchItemFailures(), file + ": no message is left to come back");
                    }
                    invoked++;
                }
                continue;
            }
            for (Path file : eventsOf(function.name())) {
                APIGatewayV2HTTPEvent event = read(file, APIGatewayV2HTTPEvent.class);
                assertTrue(function.routes().stream().anyMatch(r -> r.match(event.getRequestContext().getHttp().getMethod(),
                        event.getRawPath()) != null), file + " is on one of " + function.name() + "'s routes");
                APIGatewayV2HTTPResponse response = runtime.invoke(function.name(), event);
                while (response.getStatusCode() == 429) {
                    // As any client would: wait as long as Retry-After says (on the sandbox's clock), then ask again.
                    Thread.sleep((long) (Long.parseLong(response.getHeaders().get("retry-after")) * 1000 / LocalMain.DEMO_TIME_SCALE));
                    response = runtime.invoke(function.name(), event);
                }
                JsonNode body = new ObjectMapper().readTree(response.getBody());
                if (file.getFileName().toString().startsWith("bad-")) {
                    assertEquals(400, response.getStatusCode(), file + ": " + body);
                    assertTrue(body.get("error").asText().startsWith("invalid_"), body.toString());
                } else {
                    assertEquals(2, response.getStatusCode() / 100, file + ": " + body);
                }
                assertEquals("application/json", response.getHeaders().get("content-type"));
                invoked++;
            }
        }
        assertEquals(47, invoked, "every file in events/");
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
