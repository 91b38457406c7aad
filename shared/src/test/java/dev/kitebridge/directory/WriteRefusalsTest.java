package dev.kitebridge.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.kitebridge.sandbox.model.GraphqlIds;
import dev.kitebridge.sandbox.model.Member;
import dev.kitebridge.sandbox.model.Team;

/**
 * Writes refused before anything is written: malformed bodies, ids of the wrong kind, missing
 * scopes. Each answers 4xx with a message that names the problem, and no write reaches Buildkite.
 * Refusals Buildkite makes keep their meaning.
 */
class WriteRefusalsTest {

    /** A refused request: what it sends, the status it gets, and a phrase its message must hold. */
    private record Refused(String method, String path, String body, Map<String, String> query, int status, String names) {}

    @Test
    void everyMalformedOrMisdirectedWriteIsRefusedWithoutAWrite() {
        try (WritesFixture fixture = new WritesFixture()) {
            String org = fixture.org.uuid();
            Member member = fixture.sandbox.world().members(org).stream()
                    .filter(m -> !m.userUuid().equals(fixture.sandbox.owner().uuid())).findFirst().orElseThrow();
            Team team = fixture.sandbox.world().teams(org).get(0);
            String memberGraphqlId = GraphqlIds.of("OrganizationMember", member.uuid());
            String teamMemberGraphqlId = GraphqlIds.of("TeamMember", "0b9c9a55-6a8e-4a0e-9d0e-3f2b1c4d5e6f");
            String userGraphqlId = GraphqlIds.of("User", member.userUuid());
            Map<String, String> inOrg = Map.of("organization_id", org);

            List<Refused> cases = new ArrayList<>(List.of(
                    new Refused("POST", "users", "not json", Map.of(), 400, "not valid JSON"),
                    new Refused("POST", "users", "[]", Map.of(), 400, "JSON object"),
                    new Refused("POST", "users", null, Map.of(), 400, "JSON body"),
                    new Refused("POST", "users", "{\"organization_id\":\"" + org + "\"}", Map.of(), 400, "emails is required"),
                    new Refused("POST", "users", "{\"organization_id\":\"" + org + "\",\"emails\":[]}", Map.of(), 400, "emails must not be empty"),
                    new Refused("POST", "users", "{\"organization_id\":\"" + org + "\",\"emails\":\"a@b.c\"}", Map.of(), 400,
                            "emails must be an array"),
                    new Refused("POST", "users", "{\"organization_id\":\"" + org + "\",\"emails\":[42]}", Map.of(), 400, "emails[0]"),
                    new Refused("POST", "users", "{\"organization_id\":\"" + org + "\",\"emails\":[\"a@b.c\"],\"role\":\"owner\"}",
                            Map.of(), 400, "role must be one of"),
                    new Refused("POST", "users", "{\"organization_id\":\"" + org + "\",\"emails\":[\"a@b.c\"],\"admin\":true}",
                            Map.of(), 400, "unknown field admin"),
                    new Refused("POST", "users", "{\"organization_id\":\"" + org + "\",\"emails\":[\"a@b.c\"],\"groups\":[{\"id\":\""
                            + team.uuid() + "\",\"role\":\"boss\"}]}", Map.of(), 400, "groups[0].role"),
                    new Refused("POST", "users", "{\"organization_id\":\"" + org + "\",\"emails\":[\"a@b.c\"],\"groups\":[{\"id\":\""
                            + userGraphqlId + "\"}]}", Map.of(), 400, "groups[0].id is the GraphQL id of a User"),
                    new Refused("POST", "users", "{\"organization_id\":\"acme\",\"emails\":[\"a@b.c\"]}", Map.of(), 400,
                            "organization_id must be"),
                    new Refused("POST", "users", "{\"organization_id\":\"" + java.util.UUID.randomUUID() + "\",\"emails\":[\"a@b.c\"]}",
                            Map.of(), 404, "no organization"),
                    new Refused("PATCH", "users/" + memberGraphqlId, "{\"organization_id\":\"" + org + "\",\"role\":\"admin\"}",
                            Map.of(), 400, "id is the GraphQL id of an OrganizationMember"),
                    new Refused("PATCH", "users/" + team.uuid(), "{\"organization_id\":\"" + org + "\",\"role\":\"admin\"}",
                            Map.of(), 404, "is not a member of organization"),
                    new Refused("PATCH", "users/" + member.userUuid(), "{\"organization_id\":\"" + org + "\"}", Map.of(), 400,
                            "role is required"),
                    new Refused("PATCH", "users/" + member.userUuid(), "{\"role\":\"admin\"}", Map.of(), 400, "organization_id is required"),
                    new Refused("DELETE", "users/not-an-id", null, inOrg, 400, "id must be"),
                    new Refused("POST", "groups", "{\"organization_id\":\"" + org + "\"}", Map.of(), 400, "name is required"),
                    new Refused("POST", "groups", "{\"organization_id\":\"" + org + "\",\"name\":\"x\",\"privacy\":\"hidden\"}",
                            Map.of(), 400, "privacy must be one of"),
                    new Refused("POST", "groups", "{\"organization_id\":\"" + org + "\",\"name\":\"x\",\"is_default\":\"yes\"}",
                            Map.of(), 400, "is_default must be true or false"),
                    new Refused("PATCH", "groups/" + team.uuid(), "{}", inOrg, 400, "changes at least one"),
                    new Refused("PATCH", "groups/" + userGraphqlId, "{\"name\":\"y\"}", inOrg, 400, "id is the GraphQL id of a User"),
                    new Refused("POST", "groups/add-user", "{\"group_id\":\"" + team.uuid() + "\",\"user_id\":\"" + memberGraphqlId
                            + "\"}", Map.of(), 400, "user_id is the GraphQL id of an OrganizationMember"),
                    new Refused("POST", "groups/add-user", "{\"group_id\":\"" + teamMemberGraphqlId + "\",\"user_id\":\""
                            + member.userUuid() + "\"}", Map.of(), 400, "group_id is the GraphQL id of a TeamMember"),
                    new Refused("POST", "groups/add-user", "{\"group_id\":\"" + team.uuid() + "\",\"user_id\":\"" + team.uuid() + "\"}",
                            Map.of(), 404, "is not a member of organization"),
                    new Refused("POST", "groups/add-user", "{\"group_id\":\"" + member.userUuid() + "\",\"user_id\":\""
                            + member.userUuid() + "\"}", Map.of(), 404, "no group"),
                    new Refused("POST", "groups/add-user", "{\"user_id\":\"" + member.userUuid() + "\"}", Map.of(), 400,
                            "group_id is required"),
                    new Refused("POST", "groups/remove-user", "{\"group_id\":\"" + team.uuid() + "\"}", Map.of(), 400,
                            "user_id is required"),
                    new Refused("PUT", "groups/" + team.uuid(), "{}", inOrg, 405, "PUT is not allowed"),
                    new Refused("POST", "users", "{\"organization_id\":\"" + org + "\",\"emails\":[\"a@b.c\",\"not-an-email\"]}", Map.of(),
                            400, "emails[1] is not an email address"),
                    new Refused("POST", "users", "{\"organization_id\":\"" + org + "\",\"emails\":[\"a@b.c\"],\"groups\":[{\"id\":\""
                            + member.userUuid() + "\"}]}", Map.of(), 404, "groups[0].id: no group"),
                    new Refused("POST", "groups/remove-user", "{\"group_id\":\"" + team.uuid() + "\",\"user_id\":\"" + team.uuid() + "\"}",
                            Map.of(), 404, "is not a member of group"),
                    new Refused("DELETE", "users/" + team.uuid(), null, inOrg, 404, "no member or pending invitation")));

            String noInvites = fixture.linkWithScopes(WritesFixture.allScopesBut("write_organization_invitations"));
            String noTeams = fixture.linkWithScopes(WritesFixture.allScopesBut("write_teams"));
            String noMembers = fixture.linkWithScopes(WritesFixture.allScopesBut("write_organizations"));
            long before = fixture.writes();
            for (Refused refused : cases) {
                check(fixture, fixture.account, refused);
            }
            check(fixture, noInvites, new Refused("POST", "users", "{\"organization_id\":\"" + org + "\",\"emails\":[\"a@b.c\"]}",
                    Map.of(), 403, "write_organization_invitations"));
            check(fixture, noTeams, new Refused("POST", "groups", "{\"organization_id\":\"" + org + "\",\"name\":\"z\"}", Map.of(), 403,
                    "write_teams"));
            check(fixture, noTeams, new Refused("POST", "groups/add-user", "{\"group_id\":\"" + team.uuid() + "\",\"user_id\":\""
                    + member.userUuid() + "\"}", Map.of(), 403, "write_teams"));
            check(fixture, noMembers, new Refused("PATCH", "users/" + member.userUuid(), "{\"organization_id\":\"" + org
                    + "\",\"role\":\"admin\"}", Map.of(), 403, "write_organizations"));
            check(fixture, noMembers, new Refused("DELETE", "users/" + member.userUuid(), null, inOrg, 403, "write_organizations"));
            check(fixture, noTeams, new Refused("PATCH", "groups/" + team.uuid(), "{\"name\":\"y\"}", inOrg, 403, "write_teams"));
            check(fixture, noTeams, new Refused("DELETE", "groups/" + team.uuid(), null, inOrg, 403, "write_teams"));
            check(fixture, noTeams, new Refused("POST", "groups/remove-user", "{\"group_id\":\"" + team.uuid() + "\",\"user_id\":\""
                    + member.userUuid() + "\"}", Map.of(), 403, "write_teams"));
            String pending = fixture.sandbox.world().invitations(org).stream()
                    .filter(i -> i.state() == dev.kitebridge.sandbox.model.Invitation.State.PENDING).findFirst().orElseThrow().uuid();
            check(fixture, noInvites, new Refused("DELETE", "users/" + pending, null, inOrg, 403, "write_organization_invitations"));
            assertEquals(before, fixture.writes(), "no refused write reached Buildkite");
        }
    }

    @Test
    void buildkitesRefusalsKeepTheirMeaning() {
        try (WritesFixture fixture = new WritesFixture()) {
            String org = fixture.org.uuid();
            String owner = fixture.sandbox.owner().uuid();
            WritesFixture.Answer yourself = fixture.call("PATCH", "users/" + owner,
                    "{\"organization_id\":\"" + org + "\",\"role\":\"member\"}");
            assertEquals(422, yourself.status(), yourself.raw());
            assertTrue(yourself.message().contains("your own membership"), yourself.message());

            List<String> admins = fixture.sandbox.world().members(org).stream()
                    .filter(m -> m.role() == Member.Role.ADMIN && !m.userUuid().equals(owner)).map(Member::userUuid).toList();
            for (String admin : admins) {
                assertEquals(200, fixture.call("DELETE", "users/" + admin, null, Map.of("organization_id", org), Map.of()).status());
            }
            WritesFixture.Answer lastAdmin = fixture.call("DELETE", "users/" + owner, null, Map.of("organization_id", org), Map.of());
            assertEquals(422, lastAdmin.status(), lastAdmin.raw());
            assertTrue(lastAdmin.message().contains("at least one admin"), lastAdmin.message());

            String name = fixture.sandbox.world().teams(org).get(0).name();
            WritesFixture.Answer taken = fixture.call("POST", "groups", "{\"organization_id\":\"" + org + "\",\"name\":\"" + name + "\"}");
            assertEquals(422, taken.status(), taken.raw());
            assertTrue(taken.message().contains("already been taken"), taken.message());
        }
    }

    private static void check(WritesFixture fixture, String account, Refused refused) {
        long before = fixture.writes();
        WritesFixture.Answer answer = fixture.call(account, refused.method(), refused.path(), refused.body(), refused.query(), Map.of());
        String what = refused.method() + " " + refused.path() + " " + refused.body();
        assertEquals(refused.status(), answer.status(), what + " → " + answer.raw());
        assertTrue(answer.message().contains(refused.names()), what + ": the message names the problem: " + answer.message());
        assertEquals(before, fixture.writes(), what + " wrote nothing");
    }
}
