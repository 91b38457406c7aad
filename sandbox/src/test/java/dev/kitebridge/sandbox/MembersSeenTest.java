package dev.kitebridge.sandbox;

import static dev.kitebridge.sandbox.SandboxHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.sandbox.model.Member;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.Population;
import dev.kitebridge.sandbox.model.World;

/** A day's visits: a share of an organization's members seen now, as GraphQL serves their "last seen". */
class MembersSeenTest {

    private static final Instant NOW = Instant.parse("2026-12-07T09:00:00Z");

    @Test
    void aShareOfMembersIsSeenNowAndTheOthersAreAsTheyWere() {
        try (Sandbox sandbox = Sandbox.builder().population(Population.of(200, 5)).clock(() -> NOW).start()) {
            World world = sandbox.world();
            Organization acme = world.organizationBySlug("acme").orElseThrow();
            Map<String, String> before = lastSeen(new SandboxHttp(sandbox), sandbox.token());
            int events = world.auditEvents(acme.uuid()).size();

            List<Member> seen = world.membersSeen(acme.uuid(), 0.3, new Random(7));

            assertEquals(60, seen.size(), "30% of 200 members");
            Set<String> seenUsers = seen.stream().map(Member::userUuid).collect(Collectors.toSet());
            Map<String, String> after = lastSeen(new SandboxHttp(sandbox), sandbox.token());
            assertEquals(before.keySet(), after.keySet());
            for (String user : after.keySet()) {
                if (seenUsers.contains(user)) {
                    assertEquals("2026-12-07T09:00:00.000Z", after.get(user), "seen now, through GraphQL");
                } else {
                    assertEquals(before.get(user), after.get(user), "not seen: as it was");
                }
            }
            assertEquals(events, world.auditEvents(acme.uuid()).size(), "Buildkite logs no visit");
        }
    }

    @Test
    void theSameSeedChoosesTheSameMembers() {
        try (Sandbox one = Sandbox.builder().population(Population.of(200, 5)).clock(() -> NOW).start();
             Sandbox two = Sandbox.builder().population(Population.of(200, 5)).clock(() -> NOW).start()) {
            List<String> first = users(one.world().membersSeen(one.world().organizations().get(0).uuid(), 0.5, new Random(3)));
            List<String> second = users(two.world().membersSeen(two.world().organizations().get(0).uuid(), 0.5, new Random(3)));
            assertEquals(first, second);
            Random random = new Random(3);
            String acme = one.world().organizations().get(0).uuid();
            assertNotEquals(users(one.world().membersSeen(acme, 0.5, random)), users(one.world().membersSeen(acme, 0.5, random)),
                    "a day's visitors are not the day before's");
            assertEquals(List.of(), one.world().membersSeen(acme, 0, random));
            assertThrows(IllegalArgumentException.class, () -> one.world().membersSeen(acme, 1.5, random));
        }
    }

    private static List<String> users(List<Member> members) {
        return members.stream().map(Member::userUuid).toList();
    }

    /** Every member's lastSeenAt by user uuid, as GraphQL serves it ("null" for a member never seen). */
    private static Map<String, String> lastSeen(SandboxHttp http, String token) {
        Map<String, String> lastSeen = new HashMap<>();
        JsonNode members = json(http.graphql(token, "{ organization(slug: \"acme\") { members(first: 500) { "
                + "edges { node { lastSeenAt user { uuid } } } } } }")).path("data").path("organization").path("members");
        members.path("edges").forEach(e -> lastSeen.put(e.path("node").path("user").path("uuid").asText(),
                e.path("node").path("lastSeenAt").isNull() ? "null" : e.path("node").path("lastSeenAt").asText()));
        assertEquals(200, lastSeen.size());
        return lastSeen;
    }
}
