package dev.kitebridge.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.HttpEvents;
import dev.kitebridge.LogCapture;
import dev.kitebridge.buildkite.TimeSource;
import dev.kitebridge.state.IntegratedAccount;
import dev.kitebridge.state.memory.InMemoryAccountStore;
import dev.kitebridge.state.memory.InMemoryDeadLetterStore;
import dev.kitebridge.state.memory.InMemoryEventLog;
import dev.kitebridge.state.memory.InMemorySyncStore;
import dev.kitebridge.state.memory.InMemoryWebhookStore;
import dev.kitebridge.sync.EventFeed;
import dev.kitebridge.webhooks.WebhookDeliverer;
import dev.kitebridge.webhooks.WebhooksService;

/** {@code /webhooks} through the handlers' gate, with API Gateway's events. */
class WebhookEndpointsTest {

    private final InMemoryAccountStore accounts = new InMemoryAccountStore();
    private final InMemoryWebhookStore webhooks = new InMemoryWebhookStore();
    private final InMemoryDeadLetterStore deadLetters = new InMemoryDeadLetterStore();
    private final EventFeed feed = new EventFeed(new InMemoryEventLog(), new InMemorySyncStore());
    private final WebhookEndpoints endpoints = new WebhookEndpoints(new WebhooksService(webhooks, deadLetters, accounts, feed,
            TimeSource.SYSTEM), new WebhookDeliverer(webhooks, deadLetters, feed, WebhookDeliverer.httpClient(Duration.ofSeconds(1)),
            TimeSource.SYSTEM, WebhookDeliverer.Policy.DEFAULT));

    private record Answer(int status, JsonNode body, String raw) {}

    private Answer call(String method, String id, String body, String tenant) {
        return call(method, id, "", body, tenant);
    }

    /** A call to {@code /webhooks}, {@code /webhooks/{id}} or, with a suffix, {@code /webhooks/{id}/replay}. */
    private Answer call(String method, String id, String suffix, String body, String tenant) {
        String path = (id == null ? "/webhooks" : "/webhooks/" + id) + suffix;
        APIGatewayV2HTTPEvent event = HttpEvents.of(method + (id == null ? " /webhooks" : " /webhooks/{id}" + suffix), path, Map.of(), body,
                tenant);
        if (id != null) {
            event.setPathParameters(Map.of("id", id));
        }
        APIGatewayV2HTTPResponse response = HttpApiEvents.handle(event, endpoints::handle);
        try {
            return new Answer(response.getStatusCode(), ApiJson.MAPPER.readTree(response.getBody()), response.getBody());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Answer subscribe(String body) {
        return call("POST", null, body, "tenant-a");
    }

    @Test
    void subscribeListGetAndUnsubscribeWithTheSecretShownOnce() {
        accounts.create(IntegratedAccount.linked("acct_1", "tenant-a", "one", List.of(), List.of(), null, Instant.now(), null));
        Answer made = subscribe("{\"target_url\":\"https://hooks.example.com/kb\",\"event_types\":[\"user.created\",\"group.deleted\"],"
                + "\"integrated_account_id\":\"acct_1\"}");

        assertEquals(201, made.status(), made.raw());
        String id = made.body().get("id").asText();
        String secret = made.body().get("signing_secret").asText();
        assertTrue(secret.startsWith("whsec_") && secret.length() > 40, secret.length() + " characters");
        assertEquals("https://hooks.example.com/kb", made.body().get("target_url").asText());
        assertEquals("[\"user.created\",\"group.deleted\"]", made.body().get("event_types").toString());
        assertEquals("acct_1", made.body().get("integrated_account_id").asText());

        Answer list = call("GET", null, null, "tenant-a");
        assertEquals(200, list.status());
        assertEquals(1, list.body().get("result_count").asInt());
        assertEquals(id, list.body().get("result").get(0).get("id").asText());
        Answer one = call("GET", id, null, "tenant-a");
        assertEquals(200, one.status());
        assertEquals(id, one.body().get("id").asText());
        for (Answer answer : List.of(list, one)) {
            assertFalse(answer.raw().contains(secret), "the secret is shown only when made");
            assertFalse(answer.raw().contains("signing_secret"));
        }

        assertEquals(404, call("GET", id, null, "tenant-b").status(), "another tenant's webhook does not exist for it");
        assertEquals(404, call("DELETE", id, null, "tenant-b").status());
        assertEquals(0, call("GET", null, null, "tenant-b").body().get("result_count").asInt());
        assertEquals(200, call("DELETE", id, null, "tenant-a").status());
        assertEquals(404, call("GET", id, null, "tenant-a").status());
        assertEquals(404, call("DELETE", id, null, "tenant-a").status());
    }

    @Test
    void aSubscriptionForAllAccountsNeedsNoAccount() {
        Answer made = subscribe("{\"target_url\":\"http://localhost:8080/hooks\",\"event_types\":[\"sync_run.completed\"]}");
        assertEquals(201, made.status(), made.raw());
        assertTrue(made.body().get("integrated_account_id").isNull());
    }

    @Test
    void badSubscriptionsAnswer400NamingTheProblem() {
        Map<String, String> refusals = Map.of(
                "{\"target_url\":\"https://h.example.com\",\"event_types\":[\"user.created\",\"user.exploded\"]}", "'user.exploded'",
                "{\"target_url\":\"https://h.example.com\",\"event_types\":[]}", "event_types must not be empty",
                "{\"target_url\":\"https://h.example.com\"}", "event_types is required",
                "{\"event_types\":[\"user.created\"]}", "target_url is required",
                "{\"target_url\":\"http://hooks.example.com/kb\",\"event_types\":[\"user.created\"]}", "must use https",
                "{\"target_url\":\"https://me:pw@hooks.example.com/kb\",\"event_types\":[\"user.created\"]}", "credentials",
                "{\"target_url\":\"https://169.254.169.254/latest\",\"event_types\":[\"user.created\"]}", "metadata",
                "{\"target_url\":\"https://[fd00:ec2::254]/\",\"event_types\":[\"user.created\"]}", "metadata",
                "{\"target_url\":\"ftp://hooks.example.com/\",\"event_types\":[\"user.created\"]}", "https URL",
                "{\"target_url\":\"https://h.example.com\",\"event_types\":[\"user.created\"],\"secret\":\"x\"}", "unknown field secret");
        refusals.forEach((body, named) -> {
            Answer answer = subscribe(body);
            assertEquals(400, answer.status(), body);
            assertTrue(answer.body().get("message").asText().contains(named), answer.body().get("message").asText());
        });
        assertEquals(201, subscribe("{\"target_url\":\"http://127.0.0.1:9/hooks\",\"event_types\":[\"user.created\"]}").status(),
                "http to loopback, for local development");
    }

    @Test
    void anotherTenantsAccountCannotBeSubscribedTo() {
        accounts.create(IntegratedAccount.linked("acct_b", "tenant-b", "theirs", List.of(), List.of(), null, Instant.now(), null));
        Answer answer = subscribe("{\"target_url\":\"https://h.example.com\",\"event_types\":[\"user.created\"],"
                + "\"integrated_account_id\":\"acct_b\"}");
        assertEquals(404, answer.status());
        assertEquals("no integrated account acct_b", answer.body().get("message").asText());
    }

    @Test
    void theSecretIsInNoLogLine() {
        List<String> secrets = new ArrayList<>();
        try (LogCapture logs = LogCapture.of("", "dev.kitebridge.requests", "dev.kitebridge.metrics")) {
            for (int i = 0; i < 3; i++) {
                secrets.add(subscribe("{\"target_url\":\"https://h.example.com\",\"event_types\":[\"user.created\"]}")
                        .body().get("signing_secret").asText());
            }
            call("GET", null, null, "tenant-a");
            assertTrue(logs.lines().stream().anyMatch(l -> l.contains("\"message\":\"request\"")), "request lines are scanned too");
            for (String line : logs.lines()) {
                secrets.forEach(secret -> assertFalse(line.contains(secret), "a log line shows a secret: " + line));
            }
        }
    }

    @Test
    void replayingSendsTheParkedDeliveriesOfOnesOwnSubscriptionOnly() {
        Answer made = subscribe("{\"target_url\": \"https://hooks.example.com/kitebridge\", \"event_types\": [\"user.created\"]}");
        assertEquals(201, made.status(), made.raw());
        String id = made.body().get("id").asText();
        assertEquals(405, call("POST", id, null, "tenant-a").status(), "a POST to the subscription itself is no replay");
        Answer replayed = call("POST", id, "/replay", null, "tenant-a");
        assertEquals(200, replayed.status(), replayed.raw());
        assertEquals("caught_up", replayed.body().get("status").asText(), "nothing parked, nothing to send");
        assertEquals(0, replayed.body().get("delivered").asInt());
        assertEquals(404, call("POST", id, "/replay", null, "tenant-b").status(), "another tenant's subscription does not exist");
    }
}
