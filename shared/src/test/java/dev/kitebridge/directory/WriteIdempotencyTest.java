package dev.kitebridge.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import dev.kitebridge.sandbox.faults.FaultPlan;
import dev.kitebridge.sandbox.model.Member;

/**
 * {@code Idempotency-Key}: each write replayed three times, and eight identical requests raced,
 * leave one change and one Buildkite call; the key with another body answers 409.
 */
class WriteIdempotencyTest {

    /** One write: how to send it (given a key), and the sandbox route it must reach once. */
    private record Write(String name, Function<String, WritesFixture.Answer> send, String route) {}

    @Test
    void replaysAndRacesOfEveryWriteMakeOneBuildkiteCall() throws Exception {
        try (WritesFixture fixture = new WritesFixture()) {
            String orgId = fixture.org.uuid();
            Map<String, String> inOrg = Map.of("organization_id", orgId);
            Member someone = fixture.sandbox.world().members(orgId).stream()
                    .filter(m -> !m.userUuid().equals(fixture.sandbox.owner().uuid())).findFirst().orElseThrow();
            String team = fixture.call("POST", "groups", "{\"organization_id\":\"" + orgId + "\",\"name\":\"Idempotent\"}")
                    .body().get("id").asText();
            String doomed = fixture.call("POST", "groups", "{\"organization_id\":\"" + orgId + "\",\"name\":\"Doomed\"}")
                    .body().get("id").asText();
            String invitee = fixture.call("POST", "users", "{\"organization_id\":\"" + orgId + "\",\"emails\":[\"gone@example.com\"]}")
                    .body().at("/result/0/id").asText();

            List<Write> writes = List.of(
                    new Write("invite", key -> fixture.call("POST", "users", "{\"organization_id\":\"" + orgId
                            + "\",\"emails\":[\"once@example.com\"]}", Map.of(), header(key)), "POST /v2/organizations/{org}/invitations"),
                    new Write("change role", key -> fixture.call("PATCH", "users/" + someone.userUuid(), "{\"organization_id\":\"" + orgId
                            + "\",\"role\":\"organization:admin\"}", Map.of(), header(key)), "PATCH /v2/organizations/{org}/members/{user}"),
                    new Write("create group", key -> fixture.call("POST", "groups", "{\"organization_id\":\"" + orgId
                            + "\",\"name\":\"Once\"}", Map.of(), header(key)), "POST /v2/organizations/{org}/teams"),
                    new Write("update group", key -> fixture.call("PATCH", "groups/" + team, "{\"description\":\"changed once\"}",
                            inOrg, header(key)), "PATCH /v2/organizations/{org}/teams/{team}"),
                    new Write("add user", key -> fixture.call("POST", "groups/add-user", "{\"group_id\":\"" + team + "\",\"user_id\":\""
                            + someone.userUuid() + "\"}", Map.of(), header(key)), "POST /v2/organizations/{org}/teams/{team}/members"),
                    new Write("remove user", key -> fixture.call("POST", "groups/remove-user", "{\"group_id\":\"" + team
                            + "\",\"user_id\":\"" + someone.userUuid() + "\"}", Map.of(), header(key)),
                            "DELETE /v2/organizations/{org}/teams/{team}/members/{user}"),
                    new Write("delete group", key -> fixture.call("DELETE", "groups/" + doomed, null, inOrg, header(key)),
                            "DELETE /v2/organizations/{org}/teams/{team}"),
                    new Write("revoke invitation", key -> fixture.call("DELETE", "users/" + invitee, null, inOrg, header(key)),
                            "DELETE /v2/organizations/{org}/invitations/{invitation}"));

            for (Write write : writes) {
                long before = fixture.writes(write.route());
                WritesFixture.Answer first = write.send().apply("key-" + write.name().replace(' ', '-'));
                assertEquals(2, first.status() / 100, write.name() + ": " + first.raw());
                for (int replay = 0; replay < 3; replay++) {
                    WritesFixture.Answer again = write.send().apply("key-" + write.name().replace(' ', '-'));
                    assertEquals(first.status(), again.status(), write.name());
                    assertEquals(first.raw(), again.raw(), write.name() + ": a replay answers the first answer");
                    assertEquals("true", again.headers().get("idempotent-replayed"));
                }
                assertEquals(before + 1, fixture.writes(write.route()), write.name() + " reached Buildkite once");
            }

            WritesFixture.Answer reused = fixture.call("POST", "users", "{\"organization_id\":\"" + orgId
                    + "\",\"emails\":[\"other@example.com\"]}", Map.of(), header("key-invite"));
            assertEquals(409, reused.status());
            assertEquals("idempotency_key_reused", reused.body().get("error").asText());
        }
    }

    @Test
    void eightIdenticalRequestsAtOnceMakeOneCall() throws Exception {
        try (WritesFixture fixture = new WritesFixture()) {
            String orgId = fixture.org.uuid();
            String body = "{\"organization_id\":\"" + orgId + "\",\"name\":\"Raced\"}";
            ExecutorService pool = Executors.newFixedThreadPool(8);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<WritesFixture.Answer>> answers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                answers.add(pool.submit(() -> {
                    start.await();
                    return fixture.call("POST", "groups", body, Map.of(), header("race-1"));
                }));
            }
            start.countDown();
            List<String> bodies = new ArrayList<>();
            for (Future<WritesFixture.Answer> answer : answers) {
                WritesFixture.Answer a = answer.get();
                assertEquals(201, a.status(), a.raw());
                bodies.add(a.raw());
            }
            pool.shutdown();
            assertEquals(1, bodies.stream().distinct().count(), "every request answers the one team created");
            assertEquals(1, fixture.writes("POST /v2/organizations/{org}/teams"));
            assertEquals(1, fixture.sandbox.world().teams(orgId).stream().filter(t -> t.name().equals("Raced")).count());
        }
    }

    @Test
    void aWriteWhoseAnswerWasLostIsNotMadeAgainOnRetry() {
        try (WritesFixture fixture = new WritesFixture()) {
            String body = "{\"organization_id\":\"" + fixture.org.uuid() + "\",\"name\":\"Lost answer\"}";
            // Buildkite creates the team, and its answer is cut off on the way back.
            fixture.sandbox.faults().set("POST /v2/organizations/{org}/teams", FaultPlan.truncatedBodies(1.0));
            WritesFixture.Answer first = fixture.call("POST", "groups", body, Map.of(), header("lost-1"));
            assertEquals(5, first.status() / 100, first.raw());
            fixture.sandbox.faults().clear();

            WritesFixture.Answer retried = fixture.call("POST", "groups", body, Map.of(), header("lost-1"));
            assertEquals(first.raw(), retried.raw(), "the outcome stands: a second POST could create a second team");
            assertEquals(1, fixture.writes("POST /v2/organizations/{org}/teams"));
            assertEquals(1, fixture.sandbox.world().teams(fixture.org.uuid()).stream().filter(t -> t.name().equals("Lost answer")).count());
        }
    }

    @Test
    void aRefusalThatMayChangeIsNotKept() {
        try (WritesFixture fixture = new WritesFixture()) {
            String orgId = fixture.org.uuid();
            String invitation = fixture.call("POST", "users", "{\"organization_id\":\"" + orgId + "\",\"emails\":[\"soon@example.com\"]}")
                    .body().at("/result/0/id").asText();
            String team = fixture.sandbox.world().teams(orgId).get(0).uuid();
            String addUser = "{\"group_id\":\"" + team + "\",\"user_id\":\"%s\"}";
            // Not a member yet: 404, and nothing written.
            WritesFixture.Answer early = fixture.call("POST", "groups/add-user", addUser.formatted(invitation), Map.of(), header("soon-1"));
            assertEquals(404, early.status(), early.raw());
            String userId = fixture.sandbox.world().acceptInvitation(orgId, invitation, "Soon").userUuid();
            WritesFixture.Answer later = fixture.call("POST", "groups/add-user", addUser.formatted(userId), Map.of(), header("soon-2"));
            assertEquals(200, later.status(), later.raw());
            WritesFixture.Answer retried = fixture.call("POST", "groups/add-user", addUser.formatted(invitation), Map.of(), header("soon-1"));
            assertEquals(404, retried.status(), "asked again, not replayed: " + retried.raw());
            assertEquals(null, retried.headers().get("idempotent-replayed"));
        }
    }

    @Test
    void theSameBodyWrittenAnotherWayIsTheSameRequest() {
        try (WritesFixture fixture = new WritesFixture()) {
            String orgId = fixture.org.uuid();
            WritesFixture.Answer first = fixture.call("POST", "groups", "{\"organization_id\":\"" + orgId + "\",\"name\":\"Spaced\"}",
                    Map.of(), header("spaced-1"));
            WritesFixture.Answer again = fixture.call("POST", "groups", "{ \"name\" : \"Spaced\",\n \"organization_id\" : \"" + orgId + "\" }",
                    Map.of(), header("spaced-1"));
            assertEquals(first.raw(), again.raw());
            assertEquals("true", again.headers().get("idempotent-replayed"));
        }
    }

    private static Map<String, String> header(String key) {
        return Map.of("idempotency-key", key);
    }
}
