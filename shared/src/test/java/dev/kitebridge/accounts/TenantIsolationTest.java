package dev.kitebridge.accounts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Population;

/** Two tenants, each with an account: every route, called by one with the other's ids, answers 404. */
class TenantIsolationTest {

    @Test
    void anotherTenantsIdsDoNotExist() {
        try (AppFixture fixture = AppFixture.onAws(Sandbox.builder().population(Population.of(40, 3))
                .limits(RateLimits.BUILDKITE.withRest(10_000, 10_000)).start())) {
            String a = fixture.link("tenant-a", fixture.sandbox.token());
            String b = fixture.link("tenant-b", fixture.sandbox.token());
            String cursorOfA = fixture.directory("tenant-a", "users", null, Map.of("integrated_account_id", a, "limit", "2"))
                    .body().get("next_cursor").asText();
            String user = fixture.sandbox.owner().uuid();
            String team = fixture.sandbox.world().teams(fixture.sandbox.world().organizations().get(0).uuid()).get(0).uuid();
            String org = fixture.sandbox.world().organizations().get(0).uuid();
            Map<String, String> foreign = Map.of("integrated_account_id", a);

            // Tenant B with tenant A's account, on every route.
            assertEquals(404, fixture.directory("tenant-b", "users", null, foreign).status());
            assertEquals(404, fixture.directory("tenant-b", "users", user, foreign).status());
            assertEquals(404, fixture.directory("tenant-b", "groups", null, foreign).status());
            assertEquals(404, fixture.directory("tenant-b", "groups", team, foreign).status());
            assertEquals(404, fixture.directory("tenant-b", "roles", null, foreign).status());
            assertEquals(404, fixture.directory("tenant-b", "roles", "team:member", foreign).status());
            assertEquals(404, fixture.directory("tenant-b", "organizations", null, foreign).status());
            assertEquals(404, fixture.directory("tenant-b", "organizations", org, foreign).status());
            assertEquals(404, fixture.directory("tenant-b", "me", null, foreign).status());
            assertEquals(404, fixture.accounts("tenant-b", "GET", a, null).status());
            assertEquals(404, fixture.accounts("tenant-b", "PATCH", a, "{\"label\":\"mine now\"}").status());
            assertEquals(404, fixture.accounts("tenant-b", "DELETE", a, null).status());
            assertEquals(1, fixture.accounts("tenant-b", "GET", null, null).body().get("result_count").asInt(), "B sees only its own");

            // Tenant B's own account with tenant A's cursor.
            assertEquals(400, fixture.directory("tenant-b", "users", null, Map.of("integrated_account_id", b, "next_cursor", cursorOfA)).status());
            // And A's account is untouched.
            assertEquals(tenantALabel(fixture, a), "tenant-a's Buildkite");
        }
    }

    private static String tenantALabel(AppFixture fixture, String a) {
        return fixture.accounts("tenant-a", "GET", a, null).body().get("label").asText();
    }
}
