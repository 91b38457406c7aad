package dev.kitebridge.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.sandbox.model.Member;
import dev.kitebridge.sandbox.model.Team;

/**
 * A single user or group asked for before anything is kept about its organization is read alone,
 * at once, for a handful of calls, and equals what the kept data says once it is there.
 */
class ColdGetTest {

    @Test
    void oneUserAndOneGroupOnAColdOrganizationAnswerAtOnce() {
        try (WritesFixture fixture = new WritesFixture()) {
            String org = fixture.org.uuid();
            Map<String, String> inOrg = Map.of("organization_id", org);
            Member member = fixture.sandbox.world().members(org).stream()
                    .filter(m -> fixture.sandbox.world().teamMembershipsOf(org, m.userUuid()).size() >= 2).findFirst().orElseThrow();
            int teams = fixture.sandbox.world().teamMembershipsOf(org, member.userUuid()).size();

            WritesFixture.Answer cold = fixture.call("GET", "users/" + member.userUuid(), null, inOrg, Map.of());
            assertEquals(200, cold.status(), "not 429 while the organization is read: " + cold.raw());
            assertNull(cold.headers().get("x-kitebridge-data-age"), "read live");
            assertTrue(Integer.parseInt(cold.headers().get("x-kitebridge-buildkite-calls")) <= 4 + teams,
                    "a handful of calls, not the organization's: " + cold.headers());
            assertEquals(teams, cold.body().get("groups").size());

            Team team = fixture.sandbox.world().teams(org).get(0);
            WritesFixture.Answer group = fixture.call("GET", "groups/" + team.uuid(), null, inOrg, Map.of());
            assertEquals(200, group.status(), group.raw());
            assertEquals(fixture.sandbox.world().teamMembers(org, team.uuid()).size(), group.body().get("members_count").asInt());

            assertEquals(200, fixture.read("users", Map.of("organization_id", org, "limit", "5")).status()); // the organization is kept now
            WritesFixture.Answer kept = fixture.call("GET", "users/" + member.userUuid(), null, inOrg, Map.of());
            assertNotNull(kept.headers().get("x-kitebridge-data-age"));
            assertEquals(withoutRemote(cold.body()), withoutRemote(kept.body()), "live and kept say the same");
            assertEquals(withoutRemote(group.body()), withoutRemote(fixture.read("groups/" + team.uuid(), inOrg).body()));
        }
    }

    private static JsonNode withoutRemote(JsonNode record) {
        com.fasterxml.jackson.databind.node.ObjectNode copy = record.deepCopy();
        copy.remove("remote_data");
        return copy;
    }
}
