package dev.kitebridge.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.model.Invitation;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.Population;

/** The dev server over real HTTP, as README's first command starts it: a walk of every user to the end. */
class LocalServerTest {

    @Test
    void pagingUsersToTheEndReturnsEveryMembershipOnce() throws Exception {
        Sandbox sandbox = LocalMain.startSandbox(Population.demo());
        try (LocalRuntime runtime = LocalRuntime.onSandbox(Template.load(Path.of("template.yaml")), sandbox);
             LocalServer server = new LocalServer(0).serve(runtime)) {
            HttpClient http = HttpClient.newHttpClient();
            Set<String> seen = new HashSet<>();
            String next = "";
            int pages = 0;
            do {
                String url = server.url() + "/unified/user-directory/users?integrated_account_id=" + runtime.accountId()
                        + "&limit=100" + (next.isEmpty() ? "" : "&next_cursor=" + next);
                JsonNode page = get(http, url);
                page.get("result").forEach(u -> assertTrue(seen.add(u.at("/organizations/0/id").asText() + "/" + u.get("id").asText())));
                next = page.get("next_cursor").isNull() ? "" : page.get("next_cursor").asText();
                pages++;
            } while (!next.isEmpty());
            int expected = 0;
            for (Organization org : sandbox.world().organizations()) {
                expected += sandbox.world().members(org.uuid()).size();
                expected += (int) sandbox.world().invitations(org.uuid()).stream().filter(i -> i.state() == Invitation.State.PENDING).count();
            }
            assertEquals(expected, seen.size());
            assertTrue(pages >= 4);
            assertEquals(4, get(http, server.url() + "/unified/user-directory/roles?integrated_account_id=" + runtime.accountId())
                    .get("result_count").asInt());
            String roles = server.url() + "/unified/user-directory/roles?integrated_account_id=" + runtime.accountId();
            assertEquals(401, http.send(HttpRequest.newBuilder(URI.create(roles)).build(), HttpResponse.BodyHandlers.ofString()).statusCode(),
                    "no key");
            assertEquals(401, http.send(HttpRequest.newBuilder(URI.create(roles)).header("Authorization", "Bearer kb_someone_elses_key_0000000")
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode(), "an unknown key");
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), "/health takes no key");
            assertEquals("{\"status\":\"ok\"}", health.body());
        }
    }

    /**
     * With the sandbox's fast clock too: a sync run asked for over HTTP is worked on in the process,
     * and its events reach a webhook subscribed to a local receiver once it ends.
     */
    @Test
    void aSyncRunsEventsReachAWebhookOnTheSandbox() throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        receiver.createContext("/hook", exchange -> {
            received.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        Sandbox sandbox = LocalMain.startSandbox(Population.of(20, 2));
        try (LocalRuntime runtime = LocalRuntime.onSandbox(Template.load(Path.of("template.yaml")), sandbox);
             LocalServer server = new LocalServer(0).serve(runtime)) {
            HttpClient http = HttpClient.newHttpClient();
            String target = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
            assertEquals(201, post(http, server.url() + "/webhooks", "{\"target_url\":\"" + target + "\",\"integrated_account_id\":\""
                    + runtime.accountId() + "\",\"event_types\":[\"sync_run.completed\"]}").statusCode());
            assertEquals(202, post(http, server.url() + "/sync-runs", "{\"integrated_account_id\":\"" + runtime.accountId() + "\"}")
                    .statusCode());
            // A bound on a wait, not a measure: a slow machine only makes the run end later.
            String delivery = received.poll(2, TimeUnit.MINUTES);
            assertTrue(delivery != null && delivery.contains("\"sync_run.completed\""), "delivered: " + delivery);
        } finally {
            receiver.stop(0);
        }
    }

    private static HttpResponse<String> post(HttpClient http, String url, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + LocalRuntime.DEMO_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode get(HttpClient http, String url) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + LocalRuntime.DEMO_KEY).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        while (response.statusCode() == 429) {
            Thread.sleep((long) (Long.parseLong(response.headers().firstValue("retry-after").orElseThrow()) * 1000 / LocalMain.DEMO_TIME_SCALE));
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        }
        assertEquals(200, response.statusCode(), response.body());
        return new ObjectMapper().readTree(response.body());
    }
}
