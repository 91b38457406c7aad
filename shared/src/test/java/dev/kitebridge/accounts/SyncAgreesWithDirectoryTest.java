package dev.kitebridge.accounts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.contract.ApiJson;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Member;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.Population;

/**
 * A sync run and the directory read an organization through the same reader: what a run publishes
 * of a user is what {@code /users} answers. Here for an organization whose REST members lack the
 * 2026 fields, whose SSO modes only GraphQL tells (sync events once carried {@code sso_mode: null} for them).
 */
class SyncAgreesWithDirectoryTest {

    @Test
    void syncEventsCarryTheSsoModeUsersShowsWhereRestMembersLackIt() throws Exception {
        Sandbox sandbox = Sandbox.builder().population(Population.of(60, 3).withOrganizations(1, 1))
                .limits(RateLimits.BUILDKITE.withRest(10_000, 10_000)).start();
        try (AppFixture fixture = AppFixture.inMemory(sandbox)) {
            Organization org = sandbox.world().organizations().get(0);
            assertFalse(org.memberFields2026(), "REST members without role and sso_mode");
            String account = fixture.link("tenant-a", sandbox.token());

            Map<String, String> users = new HashMap<>(); // sso_mode by user id, as /users answers
            AppFixture.Answer page = fixture.directory("tenant-a", "users", null,
                    Map.of("integrated_account_id", account, "status", "active", "limit", "100"));
            assertEquals(200, page.status(), page.raw());
            page.body().get("result").forEach(u -> users.put(u.get("id").asText(), u.get("sso_mode").asText(null)));

            Map<String, String> synced = new HashMap<>(); // sso_mode by user id, as the run's user.created events carry it
            for (String answer : fixture.sync("tenant-a", account)) {
                JsonNode events = ApiJson.MAPPER.readTree(answer).get("result");
                if (events == null || !events.isArray()) {
                    continue;
                }
                for (JsonNode event : events) {
                    JsonNode data = event.get("data");
                    if (event.get("event").asText().equals("user.created") && data.get("status").asText().equals("active")) {
                        synced.put(data.get("id").asText(), data.get("sso_mode").asText(null));
                    }
                }
            }

            int members = sandbox.world().members(org.uuid()).size();
            assertEquals(members, users.size(), "every member on one page of /users");
            assertEquals(users, synced, "each member's sso_mode: /users and the sync run's events");
            for (Member member : sandbox.world().members(org.uuid())) {
                assertEquals(member.ssoMode().name().toLowerCase(Locale.ROOT), synced.get(member.userUuid()), "from GraphQL");
            }
            assertTrue(synced.values().stream().noneMatch(java.util.Objects::isNull));
        } finally {
            sandbox.close();
        }
    }
}
