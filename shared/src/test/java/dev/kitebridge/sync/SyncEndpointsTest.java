package dev.kitebridge.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.api.ApiRequest;
import dev.kitebridge.api.ApiResponse;
import dev.kitebridge.app.Application;
import dev.kitebridge.app.SyncState;
import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.contract.ApiJson;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.time.TimeSource;

/** {@code /sync-runs} and {@code /events} through the application: starting, following, paging, and what is refused. */
class SyncEndpointsTest {

    @Test
    void aRunStartedOverTheApiIsFollowedToItsEventsPageByPage() {
        try (Sandbox sandbox = SyncFixture.sandbox(120, 4)) {
            List<String> queued = new CopyOnWriteArrayList<>();
            TimeSource time = TimeSource.scaled(sandbox.clock().scale());
            Application app = Application.create(Application.Wiring.builder()
                    .buildkite(new BuildkiteAccess.Endpoints(URI.create(sandbox.restUrl()), URI.create(sandbox.graphqlUrl())))
                    .time(time)
                    .sync(SyncState.inMemory((runId, delay) -> queued.add(runId)))
                    .build());
            String account = app.accountsService().link("tenant-1", BuildkiteToken.of(sandbox.token()), "sandbox").account().id();

            assertEquals(401, post(app, null, "{\"integrated_account_id\": \"" + account + "\"}").status());
            assertEquals(400, post(app, "tenant-1", "{}").status());
            assertEquals(404, post(app, "tenant-2", "{\"integrated_account_id\": \"" + account + "\"}").status());
            Answer started = post(app, "tenant-1", "{\"integrated_account_id\": \"" + account + "\"}");
            assertEquals(202, started.status(), started.body().toString());
            assertEquals("queued", started.body().get("status").asText());
            String runId = started.body().get("id").asText();
            assertEquals(List.of(runId), queued);
            Answer again = post(app, "tenant-1", "{\"integrated_account_id\": \"" + account + "\"}");
            assertEquals(200, again.status(), "one run per account at a time: the run under way is the answer");
            assertEquals(runId, again.body().get("id").asText());
            assertEquals(List.of(runId), queued, "a fresh run asked for again is not queued twice");
            assertEquals(new SyncSchedule.Tick(0, 0, 0, 0), app.syncSchedule().tick(), "the schedule starts nothing while a run is under way");

            while (app.syncRunner().work(runId, "worker", time.now().plus(Duration.ofMinutes(10))).kind() != SyncRunner.Outcome.Kind.DONE) {
                // a worker's slice at a time
            }
            Answer done = get(app, "tenant-1", "/sync-runs/" + runId, Map.of("id", runId), Map.of());
            assertEquals(200, done.status());
            assertEquals("completed", done.body().get("status").asText());
            assertEquals(120, done.body().at("/counts/users").asInt());
            assertEquals(404, get(app, "tenant-2", "/sync-runs/" + runId, Map.of("id", runId), Map.of()).status());

            List<JsonNode> events = new ArrayList<>();
            String cursor = null;
            while (true) {
                Map<String, String> query = new HashMap<>(Map.of("integrated_account_id", account, "limit", "50"));
                if (cursor != null) {
                    query.put("after", cursor);
                }
                Answer page = get(app, "tenant-1", "/events", Map.of(), query);
                assertEquals(200, page.status(), page.body().toString());
                if (page.body().get("result").isEmpty()) {
                    assertEquals(cursor, page.body().get("next_cursor").asText(), "caught up: the same cursor polls on");
                    break;
                }
                page.body().get("result").forEach(events::add);
                cursor = page.body().get("next_cursor").asText();
            }
            JsonNode last = events.get(events.size() - 1);
            assertEquals("sync_run.completed", last.get("event").asText());
            assertEquals(runId, last.at("/data/id").asText());
            assertEquals(get(app, "tenant-1", "/sync-runs/" + runId, Map.of("id", runId), Map.of()).body(), last.get("data"),
                    "the event carries the run as its GET shows it at its end");
            assertEquals(java.util.Set.of("id", "event", "tenant_id", "integrated_account_id", "created_at", "data"), fields(last));
            assertTrue(events.stream().allMatch(e -> e.get("id").asText().startsWith("evt_")));

            assertEquals(400, get(app, "tenant-1", "/events", Map.of(), Map.of("integrated_account_id", account, "after", "nonsense")).status());
            assertEquals(400, get(app, "tenant-1", "/events", Map.of(), Map.of()).status());
            assertEquals(400, get(app, "tenant-1", "/events", Map.of(), Map.of("integrated_account_id", account, "since", "x")).status());
            assertEquals(400, get(app, "tenant-1", "/events", Map.of(), Map.of("integrated_account_id", account, "limit", "0")).status());
            assertEquals(404, get(app, "tenant-2", "/events", Map.of(), Map.of("integrated_account_id", account)).status());

            assertEquals(1, app.syncSchedule().tick().polled(),
                    "the account was registered for the schedule when it was linked: synced, its audit events are asked for");

            String orphan = post(app, "tenant-1", "{\"integrated_account_id\": \"" + account + "\"}").body().get("id").asText();
            app.accountsService().unlink("tenant-1", account);
            assertEquals(SyncRunner.Outcome.Kind.DONE, app.syncRunner().work(orphan, "worker", time.now().plus(Duration.ofMinutes(1))).kind());
            assertEquals(404, get(app, "tenant-1", "/events", Map.of(), Map.of("integrated_account_id", account)).status());
            assertEquals("failed", get(app, "tenant-1", "/sync-runs/" + orphan, Map.of("id", orphan), Map.of()).body().get("status").asText(),
                    "a run of an unlinked account ends, and says so");
        }
    }

    private record Answer(int status, JsonNode body) {}

    private static Answer post(Application app, String tenant, String body) {
        return answer(app.sync().startRun(new ApiRequest("POST", "/sync-runs", Map.of(), Map.of(), Map.of(), body, "req", tenant)));
    }

    private static Answer get(Application app, String tenant, String path, Map<String, String> pathParameters, Map<String, String> query) {
        ApiRequest request = new ApiRequest("GET", path, pathParameters, query, Map.of(), null, "req", tenant);
        return answer(path.equals("/events") ? app.sync().events(request) : app.sync().getRun(request));
    }

    private static Answer answer(ApiResponse response) {
        try {
            return new Answer(response.statusCode(), ApiJson.MAPPER.readTree(response.body()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static java.util.Set<String> fields(JsonNode node) {
        java.util.Set<String> names = new java.util.TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
