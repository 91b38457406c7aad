package dev.kitebridge.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.sandbox.model.Member;
import dev.kitebridge.sandbox.model.TeamMember;

/**
 * A person's whole life in an organization through the directory's writes: invited, accepted (on
 * Buildkite's side), added to two groups, promoted, moved between groups, demoted, removed. After
 * every step the unified reads (from the organization's kept data, not read again) show exactly
 * what Buildkite holds.
 */
class JoinerMoverLeaverTest {

    @Test
    void everyStepShowsInTheReadsThatFollowIt() {
        try (WritesFixture fixture = new WritesFixture()) {
            String orgId = fixture.org.uuid();
            Map<String, String> inOrg = Map.of("organization_id", orgId);
            // The organization's data is read once, before the first write; every read below is served from it.
            assertEquals(200, fixture.read("users", Map.of("organization_id", orgId, "limit", "5")).status());
            long teamListings = fixture.sandbox.journal().calls("GET /v2/organizations/{org}/teams");

            WritesFixture.Answer invited = fixture.call("POST", "users", """
                    {"organization_id": "%s", "emails": ["joiner@example.com"], "role": "organization:member"}""".formatted(orgId));
            assertEquals(201, invited.status(), invited.raw());
            JsonNode invitation = invited.body().get("result").get(0);
            assertEquals("invited", invitation.get("status").asText());
            assertEquals("joiner@example.com", invitation.at("/emails/0/email").asText());
            String invitationId = invitation.get("id").asText();
            assertEquals("invited", fixture.read("users/" + invitationId, inOrg).body().get("status").asText());

            Member joined = fixture.sandbox.world().acceptInvitation(orgId, invitationId, "Jo Iner");
            String userId = joined.userUuid();
            JsonNode active = fixture.read("users/" + userId, inOrg).body();
            assertEquals("active", active.get("status").asText());
            assertEquals(Set.of("organization:member"), roleIds(active));
            assertEquals(Set.of(), groupIds(active));

            String builders = createGroup(fixture, orgId, "Builders");
            String reviewers = createGroup(fixture, orgId, "Reviewers");
            String operators = createGroup(fixture, orgId, "Operators");
            assertEquals(200, fixture.call("POST", "groups/add-user", """
                    {"group_id": "%s", "user_id": "%s", "role": "team:member"}""".formatted(builders, userId)).status());
            assertEquals(200, fixture.call("POST", "groups/add-user", """
                    {"group_id": "%s", "user_id": "%s", "role": "team:maintainer"}""".formatted(reviewers, userId)).status());
            expect(fixture, userId, "organization:member", Map.of(builders, "team:member", reviewers, "team:maintainer"));

            WritesFixture.Answer promoted = fixture.call("PATCH", "users/" + userId, """
                    {"organization_id": "%s", "role": "organization:admin"}""".formatted(orgId));
            assertEquals(200, promoted.status(), promoted.raw());
            assertTrue(roleIds(promoted.body()).contains("organization:admin"));
            expect(fixture, userId, "organization:admin", Map.of(builders, "team:member", reviewers, "team:maintainer"));

            assertEquals(200, fixture.call("POST", "groups/remove-user", """
                    {"group_id": "%s", "user_id": "%s"}""".formatted(builders, userId)).status());
            assertEquals(200, fixture.call("POST", "groups/add-user", """
                    {"group_id": "%s", "user_id": "%s"}""".formatted(operators, userId)).status());
            WritesFixture.Answer roleChanged = fixture.call("POST", "groups/add-user", """
                    {"group_id": "%s", "user_id": "%s", "role": "team:member"}""".formatted(reviewers, userId));
            assertEquals("team:member", roleChanged.body().get("role").asText(), "add-user on a member changes the role");
            expect(fixture, userId, "organization:admin", Map.of(reviewers, "team:member", operators, "team:member"));

            assertEquals(200, fixture.call("PATCH", "users/" + userId, """
                    {"organization_id": "%s", "role": "member"}""".formatted(orgId)).status());
            expect(fixture, userId, "organization:member", Map.of(reviewers, "team:member", operators, "team:member"));

            WritesFixture.Answer removed = fixture.call("DELETE", "users/" + userId, null, inOrg, Map.of());
            assertEquals(200, removed.status(), removed.raw());
            assertEquals(userId, removed.body().get("id").asText());
            assertTrue(fixture.sandbox.world().member(orgId, userId).isEmpty());
            assertEquals(404, fixture.read("users/" + userId, inOrg).status());
            for (String group : Set.of(builders, reviewers, operators)) {
                assertEquals(fixture.sandbox.world().teamMembers(orgId, group).size(),
                        fixture.read("groups/" + group, inOrg).body().get("members_count").asInt(), "members_count of " + group);
            }

            assertEquals(200, fixture.call("DELETE", "groups/" + operators, null, inOrg, Map.of()).status());
            assertEquals(404, fixture.read("groups/" + operators, inOrg).status());
            assertEquals(teamListings, fixture.sandbox.journal().calls("GET /v2/organizations/{org}/teams"),
                    "the organization was never read again: the writes kept its data in step");
        }
    }

    @Test
    void aPendingInvitationIsRevokedByDeletingItsUserWithTheContractsScopes() {
        try (WritesFixture fixture = new WritesFixture()) {
            String orgId = fixture.org.uuid();
            Set<String> contract = new java.util.HashSet<>(dev.kitebridge.accounts.AccountsService.READ_SCOPES);
            contract.addAll(dev.kitebridge.accounts.AccountsService.WRITE_SCOPES);
            String account = fixture.linkWithScopes(contract);
            String invitationId = fixture.call(account, "POST", "users", """
                    {"organization_id": "%s", "emails": ["later@example.com"]}""".formatted(orgId), Map.of(), Map.of())
                    .body().at("/result/0/id").asText();
            WritesFixture.Answer revoked = fixture.call(account, "DELETE", "users/" + invitationId, null, Map.of("organization_id", orgId),
                    Map.of());
            assertEquals(200, revoked.status(), revoked.raw());
            assertEquals("REVOKED", fixture.sandbox.world().invitation(orgId, invitationId).orElseThrow().state().name());
        }
    }

    private static String createGroup(WritesFixture fixture, String orgId, String name) {
        WritesFixture.Answer created = fixture.call("POST", "groups", """
                {"organization_id": "%s", "name": "%s", "privacy": "visible"}""".formatted(orgId, name));
        assertEquals(201, created.status(), created.raw());
        assertEquals(name, created.body().get("name").asText());
        String id = created.body().get("id").asText();
        WritesFixture.Answer read = fixture.read("groups/" + id, Map.of("organization_id", orgId));
        assertEquals(name, read.body().get("name").asText());
        assertEquals(fixture.sandbox.world().teamMembers(orgId, id).size(), read.body().get("members_count").asInt());
        return id;
    }

    /** The user's organization role and exactly these groups with these roles, in the reads and on Buildkite. */
    private static void expect(WritesFixture fixture, String userId, String organizationRole, Map<String, String> groups) {
        String orgId = fixture.org.uuid();
        JsonNode user = fixture.read("users/" + userId, Map.of("organization_id", orgId)).body();
        assertEquals(groups.keySet(), groupIds(user), user.toString());
        Set<String> roles = new TreeSet<>(groups.values());
        roles.add(organizationRole);
        assertEquals(roles, roleIds(user), user.toString());
        for (JsonNode role : user.get("roles")) {
            if (role.hasNonNull("group")) {
                assertEquals(groups.get(role.get("group").asText()), role.get("id").asText());
            }
        }
        assertEquals(organizationRole.substring("organization:".length()),
                fixture.sandbox.world().member(orgId, userId).orElseThrow().role().name().toLowerCase(java.util.Locale.ROOT));
        Set<String> onBuildkite = new TreeSet<>();
        for (TeamMember membership : fixture.sandbox.world().teamMembershipsOf(orgId, userId)) {
            onBuildkite.add(membership.teamUuid());
        }
        assertEquals(new TreeSet<>(groups.keySet()), onBuildkite);
        for (String group : groups.keySet()) {
            JsonNode read = fixture.read("groups/" + group, Map.of("organization_id", orgId)).body();
            assertEquals(fixture.sandbox.world().teamMembers(orgId, group).size(), read.get("members_count").asInt());
        }
        assertFalse(user.has("message"));
    }

    private static Set<String> groupIds(JsonNode user) {
        Set<String> ids = new TreeSet<>();
        user.get("groups").forEach(g -> ids.add(g.get("id").asText()));
        return ids;
    }

    private static Set<String> roleIds(JsonNode user) {
        Set<String> ids = new TreeSet<>();
        user.get("roles").forEach(r -> ids.add(r.get("id").asText()));
        return ids;
    }
}
