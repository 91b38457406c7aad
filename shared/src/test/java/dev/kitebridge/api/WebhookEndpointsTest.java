package dev.kitebridge.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.HttpEvents;
import dev.kitebridge.LogCapture;
import dev.kitebridge.access.IntegratedAccount;
import dev.kitebridge.contract.ApiJson;
import dev.kitebridge.events.EventFeed;
import dev.kitebridge.state.memory.InMemoryAccountStore;
import dev.kitebridge.state.memory.InMemoryDeadLetterStore;
import dev.kitebridge.state.memory.InMemoryEventLog;
import dev.kitebridge.state.memory.InMemorySyncStore;
import dev.kitebridge.state.memory.InMemoryWebhookStore;
import dev.kitebridge.time.TimeSource;
import dev.kitebridge.webhooks.WebhookDeliverer;
import dev.kitebridge.webhooks.WebhookTargets;
import dev.kitebridge.webhooks.WebhooksService;

/** {@code /webhooks} through the handlers' gate, with API Gateway's events. */
class WebhookEndpointsTest {

    private final InMemoryAccountStore accounts = new InMemoryAccountStore();
    private final InMemoryWebhookStore webhooks = new InMemoryWebhookStore();
    private final InMemoryDeadLetterStore deadLetters = new InMemoryDeadLetterStore();
    private final EventFeed feed = new EventFeed(new InMemoryEventLog(), new InMemorySyncStore());
    /** The names these tests subscribe to, resolved here: no lookup leaves the machine (nothing is delivered to them either). */
    private static final Map<String, String> NAMES = Map.of("hooks.example.com", "203.0.114.10", "h.example.com", "203.0.114.11",
            "internal.example.com", "10.0.0.1", "mixed.example.com", "203.0.114.12,127.0.0.1");
    private static final WebhookTargets.Resolver RESOLVER = host -> {
        if (!NAMES.containsKey(host)) {
            throw new UnknownHostException(host);
        }
        List<InetAddress> addresses = new ArrayList<>();
        for (String address : NAMES.get(host).split(",")) {
            addresses.add(InetAddress.getByName(address)); // literals: no lookup
        }
        return addresses;
    };
    /** As a deployed stack's, by default. */
    private WebhookEndpoints endpoints = endpoints(new WebhookTargets(false, RESOLVER));

    private WebhookEndpoints endpoints(WebhookTargets targets) {
        return new WebhookEndpoints(new WebhooksService(webhooks, deadLetters, accounts, feed, targets, TimeSource.SYSTEM),
                new WebhookDeliverer(webhooks, deadLetters, feed, targets, TimeSource.SYSTEM, WebhookDeliverer.Policy.DEFAULT), TimeSource.SYSTEM);
    }

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
        APIGatewayV2HTTPResponse response = HttpApiEvents.handle(event, new Routes(Map.of("POST /webhooks", endpoints::subscribe, "GET /webhooks", endpoints::list,
                "GET /webhooks/{id}", endpoints::get, "DELETE /webhooks/{id}", endpoints::unsubscribe, "POST /webhooks/{id}/replay",
                endpoints::replay))::answer);
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
        Answer made = subscribe("{\"target_url\":\"https://hooks.example.com/all\",\"event_types\":[\"sync_run.completed\"]}");
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
        assertEquals(400, subscribe("{\"target_url\":\"http://127.0.0.1:9/hooks\",\"event_types\":[\"user.created\"]}").status(),
                "no http, nor loopback, in a deployed stack");
        endpoints = endpoints(new WebhookTargets(true, RESOLVER));
        assertEquals(201, subscribe("{\"target_url\":\"http://127.0.0.1:9/hooks\",\"event_types\":[\"user.created\"]}").status(),
                "http to loopback where the deployment allows private targets: the dev server, for local development");
    }

    @Test
    void targetsThatAreNotPublicAnswer400NamingTargetUrlHoweverSpelled() {
        List<String> refused = List.of("https://127.0.0.1/", "https://2130706433/", "https://0x7f000001/", "https://0177.0.0.1/",
                "https://127.1/", "https://[::ffff:127.0.0.1]/", "https://[::1]/", "https://0.0.0.0/", "https://[::]/",
                "https://10.1.2.3/", "https://172.16.0.1/", "https://192.168.1.1/", "https://100.64.0.1/", "https://198.18.0.1/",
                "https://[fd12::1]/", "https://[fe80::1]/", "https://224.0.0.1/", "https://255.255.255.255/",
                "https://127.0.0.1:9001/2018-06-01/runtime/invocation/next", "https://internal.example.com/",
                "https://mixed.example.com/", "https://nowhere.example.com/", "https://localhost/", "https://1.2.3.4.5/");
        for (String url : refused) {
            Answer answer = subscribe("{\"target_url\":\"" + url + "\",\"event_types\":[\"user.created\"]}");
            assertEquals(400, answer.status(), url);
            assertTrue(answer.body().get("message").asText().startsWith("target_url"), answer.body().get("message").asText());
        }
        assertEquals(subscribe("{\"target_url\":\"https://internal.example.com/\",\"event_types\":[\"user.created\"]}").raw()
                .replaceAll("internal|\"request_id\":\"[^\"]*\"", ""),
                subscribe("{\"target_url\":\"https://nowhere.example.com/\",\"event_types\":[\"user.created\"]}").raw()
                        .replaceAll("nowhere|\"request_id\":\"[^\"]*\"", ""),
                "a name resolving to a private address is refused as one that does not resolve: nothing is told of internal DNS");
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
