package dev.kitebridge.accounts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.api.ApiRequest;
import dev.kitebridge.contract.ApiJson;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Population;

/**
 * {@code GET /sync-runs} and the account's {@code last_confirmed}, through the routes table, on
 * in-memory state and on dynalite: an account's runs newest first a page at a time, when each kind
 * of its data was last confirmed (by completed runs only), and what is refused.
 */
class SyncRunsListTest {

    private static final List<String> KINDS = List.of("users", "profiles", "groups", "invitations");

    @Test
    void anAccountsRunsArePagedNewestFirstWithWhatTheyConfirmed() throws Exception {
        try (AppFixture fixture = AppFixture.inMemory(sandbox())) {
            check(fixture);
        }
    }

    @Test
    void theSameOnAws() throws Exception {
        try (AppFixture fixture = AppFixture.onAws(sandbox())) {
            check(fixture);
        }
    }

    private static Sandbox sandbox() {
        return Sandbox.builder().population(Population.of(12, 2).withOrganizations(1, 0))
                .limits(RateLimits.BUILDKITE.withRest(10_000, 10_000)).start();
    }

    private static void check(AppFixture fixture) throws Exception {
        String account = fixture.link("tenant-a", fixture.sandbox.token());
        String other = fixture.link("tenant-b", fixture.sandbox.token());

        // Linked, never synced: nothing confirmed, on the account, in the list, in its first event and beside no runs.
        assertNeverConfirmed(fixture.accounts("tenant-a", "GET", account, null).body().get("last_confirmed"));
        assertNeverConfirmed(fixture.accounts("tenant-a", "GET", null, null).body().at("/result/0/last_confirmed"));
        AppFixture.Answer none = runs(fixture, "tenant-a", Map.of("integrated_account_id", account));
        assertEquals(200, none.status(), none.raw());
        assertEquals(0, none.body().get("result_count").asInt());
        assertTrue(none.body().get("next_cursor").isNull());
        assertNeverConfirmed(none.body().get("last_confirmed"));
        JsonNode created = firstEvent(fixture, account);
        assertEquals("integrated_account.created", created.get("event").asText());
        assertNeverConfirmed(created.at("/data/last_confirmed"));

        // Three completed runs: the account's data is confirmed as of the last one's start.
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            JsonNode run = ApiJson.MAPPER.readTree(fixture.sync("tenant-a", account).get(1));
            assertEquals("completed", run.get("status").asText(), run.toString());
            ids.add(0, run.get("id").asText());
        }
        fixture.sync("tenant-b", other);
        JsonNode newest = ApiJson.MAPPER.readTree(get(fixture, "tenant-a", ids.get(0)));
        String startedAt = newest.get("started_at").asText();
        JsonNode confirmed = fixture.accounts("tenant-a", "GET", account, null).body().get("last_confirmed");
        for (String kind : KINDS) {
            assertEquals(startedAt, confirmed.get(kind).asText(), kind + " confirmed when the last run began reading: " + confirmed);
        }
        assertEquals(confirmed, fixture.accounts("tenant-a", "GET", null, null).body().at("/result/0/last_confirmed"));

        // Two to a page, newest first, each as GET /sync-runs/{id} shows it; the envelope carries last_confirmed.
        AppFixture.Answer first = runs(fixture, "tenant-a", Map.of("integrated_account_id", account, "limit", "2"));
        assertEquals(200, first.status(), first.raw());
        assertEquals(List.of(ids.get(0), ids.get(1)), idsOf(first.body()));
        assertEquals(2, first.body().get("result_count").asInt());
        assertEquals(newest, first.body().at("/result/0"));
        assertEquals(confirmed, first.body().get("last_confirmed"));
        String cursor = first.body().get("next_cursor").asText();
        assertNotNull(cursor);
        AppFixture.Answer second = runs(fixture, "tenant-a", Map.of("integrated_account_id", account, "limit", "2", "next_cursor", cursor));
        assertEquals(200, second.status(), second.raw());
        assertEquals(List.of(ids.get(2)), idsOf(second.body()));
        assertTrue(second.body().get("next_cursor").isNull(), "the last page");
        assertEquals(ids, idsOf(runs(fixture, "tenant-a", Map.of("integrated_account_id", account)).body()), "a page of 100 has them all");

        // A tenant sees its own accounts' runs only; bad input answers 400 naming the problem.
        assertEquals(404, runs(fixture, "tenant-b", Map.of("integrated_account_id", account)).status());
        assertEquals(1, runs(fixture, "tenant-b", Map.of("integrated_account_id", other)).body().get("result_count").asInt());
        assertRefused(runs(fixture, "tenant-b", Map.of("integrated_account_id", other, "next_cursor", cursor)), "invalid_cursor", "next_cursor");
        assertRefused(runs(fixture, "tenant-a", Map.of("integrated_account_id", account, "next_cursor", "nonsense")), "invalid_cursor", "next_cursor");
        assertRefused(runs(fixture, "tenant-a", Map.of("integrated_account_id", account, "next_cursor", "x".repeat(65))), "invalid_cursor",
                "next_cursor");
        assertRefused(runs(fixture, "tenant-a", Map.of()), "invalid_request", "integrated_account_id");
        assertRefused(runs(fixture, "tenant-a", Map.of("integrated_account_id", account, "limit", "0")), "invalid_request", "limit");
        assertRefused(runs(fixture, "tenant-a", Map.of("integrated_account_id", account, "limit", "501")), "invalid_request", "limit");
        assertRefused(runs(fixture, "tenant-a", Map.of("integrated_account_id", account, "limit", "ten")), "invalid_request", "limit");
        assertRefused(runs(fixture, "tenant-a", Map.of("integrated_account_id", account, "status", "failed")), "invalid_request", "status");

        // A failed run is listed first, and confirms nothing.
        fixture.sandbox.world().revokeToken(fixture.sandbox.world().tokenBySecret(fixture.sandbox.token()).orElseThrow());
        JsonNode failed = ApiJson.MAPPER.readTree(fixture.sync("tenant-a", account).get(1));
        assertEquals("failed", failed.get("status").asText(), failed.toString());
        AppFixture.Answer after = runs(fixture, "tenant-a", Map.of("integrated_account_id", account, "limit", "1"));
        assertEquals(List.of(failed.get("id").asText()), idsOf(after.body()));
        assertEquals(confirmed, after.body().get("last_confirmed"), "a failed run confirms nothing");
    }

    private static void assertNeverConfirmed(JsonNode lastConfirmed) {
        assertEquals(KINDS, fieldNames(lastConfirmed), String.valueOf(lastConfirmed));
        KINDS.forEach(kind -> assertTrue(lastConfirmed.get(kind).isNull(), lastConfirmed.toString()));
    }

    private static void assertRefused(AppFixture.Answer answer, String error, String named) {
        assertEquals(400, answer.status(), answer.raw());
        assertEquals(error, answer.body().get("error").asText(), answer.raw());
        assertTrue(answer.body().get("message").asText().contains(named), answer.raw());
    }

    private static AppFixture.Answer runs(AppFixture fixture, String tenant, Map<String, String> query) {
        return AppFixture.answerOf(fixture.app.routes().answer(new ApiRequest("GET /sync-runs", "GET", "/sync-runs", Map.of(),
                new HashMap<>(query), Map.of(), null, "req-runs", tenant)));
    }

    private static String get(AppFixture fixture, String tenant, String runId) {
        return fixture.app.routes().answer(new ApiRequest("GET /sync-runs/{id}", "GET", "/sync-runs/" + runId, Map.of("id", runId),
                Map.of(), Map.of(), null, "req-run", tenant)).body();
    }

    private static JsonNode firstEvent(AppFixture fixture, String account) {
        return AppFixture.answerOf(fixture.app.routes().answer(new ApiRequest("GET /events", "GET", "/events", Map.of(),
                Map.of("integrated_account_id", account, "limit", "1"), Map.of(), null, "req-events", "tenant-a"))).body().at("/result/0");
    }

    private static List<String> idsOf(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("result").forEach(run -> ids.add(run.get("id").asText()));
        return ids;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
