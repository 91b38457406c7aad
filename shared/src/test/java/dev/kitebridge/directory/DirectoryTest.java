package dev.kitebridge.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Invitation;
import dev.kitebridge.sandbox.model.Member;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.Population;
import dev.kitebridge.sandbox.model.Team;
import dev.kitebridge.sandbox.model.TeamMember;
import dev.kitebridge.sandbox.model.TeamPipeline;
import dev.kitebridge.sandbox.model.UserAccount;
import dev.kitebridge.sandbox.model.World;

/**
 * The unified directory's reads, field by field against the sandbox's own data: three
 * organizations (the last without the 2026 member fields), people in several of them, secret
 * teams, bots, machine users and pending invitations.
 */
class DirectoryTest {

    private static Sandbox sandbox;
    private static DirectoryFixture directory;
    private static World world;

    @BeforeAll
    static void start() {
        sandbox = Sandbox.builder()
                .population(Population.of(260, 12).withOrganizations(3, 1).withPendingInvitations(7))
                .limits(RateLimits.BUILDKITE.withRest(100_000, 100_000).withGraphql(1_000_000, 1_000_000))
                .start();
        directory = new DirectoryFixture(sandbox);
        world = sandbox.world();
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    @Test
    void everyMembershipAndInvitationOnceWithEveryFieldFromBuildkite() {
        List<JsonNode> users = directory.walk("users", Map.of("limit", "100"));
        int expected = 0;
        for (Organization org : world.organizations()) {
            expected += world.members(org.uuid()).size();
            expected += (int) world.invitations(org.uuid()).stream().filter(i -> i.state() == Invitation.State.PENDING).count();
        }
        assertEquals(expected, users.size());
        Set<String> seen = new HashSet<>();
        for (JsonNode user : users) {
            String org = user.at("/organizations/0/id").asText();
            assertTrue(seen.add(org + "/" + user.get("id").asText()), "twice: " + user.get("id"));
            if (user.get("status").asText().equals("active")) {
                assertMember(user, world.organizationByUuid(org).orElseThrow());
            } else {
                assertInvitation(user, world.organizationByUuid(org).orElseThrow());
            }
        }
        Map<String, Long> perPerson = users.stream().filter(u -> u.get("status").asText().equals("active"))
                .collect(Collectors.groupingBy(u -> u.get("id").asText(), Collectors.counting()));
        assertTrue(perPerson.values().stream().anyMatch(n -> n == 3), "someone in every organization appears once per membership");
    }

    private static void assertMember(JsonNode user, Organization org) {
        String id = user.get("id").asText();
        Member member = world.member(org.uuid(), id).orElseThrow();
        UserAccount person = world.requireUser(id);
        String where = person.name() + " in " + org.slug();
        assertEquals(person.name(), user.get("name").asText(), where);
        String[] split = person.name().contains(" ")
                ? new String[] {person.name().substring(0, person.name().indexOf(' ')), person.name().substring(person.name().indexOf(' ') + 1)}
                : new String[] {null, null};
        assertEquals(split[0], text(user, "first_name"), where);
        assertEquals(split[1], text(user, "last_name"), where);
        assertEquals(person.email(), user.at("/emails/0/email").asText());
        assertEquals("work", user.at("/emails/0/type").asText());
        assertTrue(user.at("/emails/0/is_primary").asBoolean());
        assertEquals(person.bot() ? "bot" : person.machineUser() ? "service_account" : "user", user.get("user_type").asText(), where);
        assertEquals(person.twoFactorEnabled(), user.get("is_2fa_enabled").asBoolean(), where);
        assertEquals(member.ssoMode().name().toLowerCase(Locale.ROOT), text(user, "sso_mode"), where + " (REST or, without the 2026 fields, GraphQL)");
        assertEquals(person.avatarUrl(), text(user, "avatar"));
        assertEquals(member.createdAt(), Instant.parse(user.get("created_at").asText()), where);
        assertEquals(member.lastSeenAt(), user.get("last_active_at").isNull() ? null : Instant.parse(user.get("last_active_at").asText()));

        Set<String> roles = new TreeSet<>();
        user.get("roles").forEach(r -> roles.add(r.get("id").asText() + "@" + (r.has("organization") ? r.get("organization").asText() : r.get("group").asText())));
        Set<String> expectedRoles = new TreeSet<>();
        expectedRoles.add("organization:" + member.role().name().toLowerCase(Locale.ROOT) + "@" + org.uuid());
        Set<String> groups = new TreeSet<>();
        user.get("groups").forEach(g -> {
            groups.add(g.get("id").asText());
            assertEquals(org.uuid(), g.get("organization").asText());
            assertEquals(world.team(org.uuid(), g.get("id").asText()).orElseThrow().name(), g.get("name").asText());
        });
        Set<String> expectedGroups = new TreeSet<>();
        for (TeamMember membership : world.teamMembershipsOf(org.uuid(), id)) {
            expectedGroups.add(membership.teamUuid());
            expectedRoles.add("team:" + membership.role().name().toLowerCase(Locale.ROOT) + "@" + membership.teamUuid());
        }
        assertEquals(expectedGroups, groups, where + ": the token's owner is an admin and sees every team, secret ones too");
        assertEquals(expectedRoles, roles, where);
        assertEquals(org.name(), user.at("/organizations/0/name").asText());
        assertTrue(user.at("/remote_data/organization_member/id").asText().equals(id));
        assertEquals(member.graphqlId(), user.at("/remote_data/graphql_organization_member/id").asText());
    }

    private static void assertInvitation(JsonNode user, Organization org) {
        Invitation invitation = world.invitation(org.uuid(), user.get("id").asText()).orElseThrow();
        assertEquals(Invitation.State.PENDING, invitation.state());
        assertEquals(invitation.email(), user.at("/emails/0/email").asText());
        assertTrue(user.get("name").isNull());
        assertTrue(user.get("is_2fa_enabled").isNull());
        assertTrue(user.get("user_type").isNull(), "nothing is known of who will take an invitation");
        assertEquals(invitation.ssoMode().name().toLowerCase(Locale.ROOT), user.get("sso_mode").asText());
        assertEquals("organization:" + invitation.role().name().toLowerCase(Locale.ROOT), user.at("/roles/0/id").asText());
        assertEquals(invitation.teams().size(), user.get("groups").size());
        assertEquals(invitation.createdAt(), Instant.parse(user.get("created_at").asText()));
        assertEquals(invitation.graphqlId(), user.at("/remote_data/graphql_organization_invitation/id").asText());
    }

    @Test
    void smallPagesWalkTheSameRecordsInTheSameOrder() {
        List<String> big = keys(directory.walk("users", Map.of("limit", "100", "include_remote_data", "false")));
        List<String> small = keys(directory.walk("users", Map.of("limit", "37", "include_remote_data", "false")));
        assertEquals(big, small);
        List<String> huge = keys(directory.walk("users", Map.of("limit", "500", "include_remote_data", "false")));
        assertEquals(big, huge);
    }

    @Test
    void filtersAnswerAccessReviewQuestions() {
        Organization acme = world.organizationBySlug("acme").orElseThrow();
        List<JsonNode> inAcme = directory.walk("users", Map.of("organization_id", acme.uuid()));
        assertEquals(world.members(acme.uuid()).size() + 7, inAcme.size());

        List<JsonNode> invited = directory.walk("users", Map.of("status", "invited"));
        assertEquals(21, invited.size());
        invited.forEach(u -> assertEquals("invited", u.get("status").asText()));

        List<JsonNode> exposedAdmins = directory.walk("users", Map.of("role", "organization:admin", "is_2fa_enabled", "false"));
        long expectedExposed = world.organizations().stream().mapToLong(o -> world.members(o.uuid()).stream()
                .filter(m -> m.role() == Member.Role.ADMIN && !world.requireUser(m.userUuid()).twoFactorEnabled()).count()).sum();
        assertEquals(expectedExposed, exposedAdmins.size());
        assertTrue(expectedExposed > 0);

        Team team = world.teams(acme.uuid()).get(1);
        List<JsonNode> inTeam = directory.walk("users", Map.of("group_id", team.uuid()));
        long pendingInvitedToTeam = world.invitations(acme.uuid()).stream()
                .filter(i -> i.state() == Invitation.State.PENDING && i.teams().stream().anyMatch(t -> t.teamUuid().equals(team.uuid()))).count();
        assertEquals(world.teamMembers(acme.uuid(), team.uuid()).size() + pendingInvitedToTeam, inTeam.size());

        Instant cutoff = Instant.parse("2026-06-01T00:00:00Z");
        List<JsonNode> idle = directory.walk("users", Map.of("last_active_before", "2026-06-01T00:00:00Z"));
        long expectedIdle = world.organizations().stream().mapToLong(o -> world.members(o.uuid()).stream()
                .filter(m -> m.lastSeenAt() == null || m.lastSeenAt().isBefore(cutoff)).count()).sum();
        assertEquals(expectedIdle, idle.size());

        UserAccount someone = world.requireUser(world.members(acme.uuid()).get(40).userUuid());
        List<JsonNode> byEmail = directory.walk("users", Map.of("email", someone.email().toUpperCase(Locale.ROOT)));
        assertFalse(byEmail.isEmpty());
        byEmail.forEach(u -> assertEquals(someone.uuid(), u.get("id").asText()));

        List<JsonNode> optional = directory.walk("users", Map.of("sso_mode", "optional", "status", "active"));
        long expectedOptional = world.organizations().stream().mapToLong(o -> world.members(o.uuid()).stream()
                .filter(m -> m.ssoMode() == Member.SsoMode.OPTIONAL).count()).sum();
        assertEquals(expectedOptional, optional.size());
    }

    @Test
    void remoteDataOnlyWhenAskedFor() {
        JsonNode page = directory.get("users", null, Map.of("limit", "5", "include_remote_data", "false")).body();
        page.get("result").forEach(u -> assertFalse(u.has("remote_data")));
        JsonNode withData = directory.get("users", null, Map.of("limit", "5")).body();
        withData.get("result").forEach(u -> assertTrue(u.has("remote_data")));
        assertEquals(5, withData.get("result_count").asInt());
    }

    @Test
    void oneUserByIdAMemberOrAnInvitation() {
        Organization second = world.organizationBySlug("acme-2").orElseThrow();
        Member member = world.members(second.uuid()).get(3);
        DirectoryFixture.Answer one = directory.get("users", member.userUuid(), Map.of("organization_id", second.uuid()));
        assertEquals(200, one.status());
        assertMember(one.body(), second);
        assertTrue(Long.parseLong(one.headers().get("x-kitebridge-data-age")) >= 0, "a member's teams come from kept data: its age is said");

        Invitation invitation = world.invitations(second.uuid()).stream()
                .filter(i -> i.state() == Invitation.State.PENDING).findFirst().orElseThrow();
        DirectoryFixture.Answer invited = directory.get("users", invitation.uuid(), Map.of());
        assertEquals(200, invited.status());
        assertInvitation(invited.body(), second);
        assertEquals(null, invited.headers().get("x-kitebridge-data-age"), "an invitation is read live");

        assertEquals(404, directory.get("users", "00000000-0000-4000-8000-000000000000", Map.of()).status());
    }

    @Test
    void groupsWithMemberCountsAndPipelines() {
        List<JsonNode> groups = directory.walk("groups", Map.of("limit", "5"));
        int expected = world.organizations().stream().mapToInt(o -> world.teams(o.uuid()).size()).sum();
        assertEquals(expected, groups.size());
        for (JsonNode group : groups) {
            Organization org = world.organizationByUuid(group.get("organization").asText()).orElseThrow();
            Team team = world.team(org.uuid(), group.get("id").asText()).orElseThrow();
            assertEquals(team.name(), group.get("name").asText());
            assertEquals(team.slug(), group.get("slug").asText());
            assertEquals(team.description(), group.get("description").asText());
            assertEquals("team", group.get("group_type").asText());
            assertEquals(team.privacy().name().toLowerCase(Locale.ROOT), group.get("privacy").asText());
            assertEquals(team.isDefault(), group.get("is_default").asBoolean());
            assertEquals(team.defaultMemberRole().name().toLowerCase(Locale.ROOT), group.get("default_member_role").asText());
            assertEquals(world.teamMembers(org.uuid(), team.uuid()).size(), group.get("members_count").asInt());
            Set<String> pipelines = new TreeSet<>();
            group.get("pipelines").forEach(p -> pipelines.add(p.get("id").asText() + ":" + p.get("slug").asText() + ":" + p.get("access_level").asText()));
            Set<String> expectedPipelines = new TreeSet<>();
            for (TeamPipeline access : world.teamPipelines(org.uuid(), team.uuid())) {
                expectedPipelines.add(access.pipelineUuid() + ":" + world.pipeline(org.uuid(), access.pipelineUuid()).orElseThrow().slug()
                        + ":" + access.accessLevel().name().toLowerCase(Locale.ROOT));
            }
            assertEquals(expectedPipelines, pipelines);
            assertEquals(team.createdAt(), Instant.parse(group.get("created_at").asText()));
            assertEquals(team.uuid(), group.at("/remote_data/id").asText());
        }
        assertTrue(groups.stream().anyMatch(g -> g.get("privacy").asText().equals("secret")));

        Organization acme = world.organizationBySlug("acme").orElseThrow();
        String user = world.members(acme.uuid()).get(17).userUuid();
        List<JsonNode> ofUser = directory.walk("groups", Map.of("user_id", user, "organization_id", acme.uuid()));
        assertEquals(world.teamMembershipsOf(acme.uuid(), user).size(), ofUser.size());
        List<JsonNode> secret = directory.walk("groups", Map.of("privacy", "secret"));
        secret.forEach(g -> assertEquals("secret", g.get("privacy").asText()));

        Team team = world.teams(acme.uuid()).get(0);
        assertEquals(team.name(), directory.get("groups", team.uuid(), Map.of()).body().get("name").asText());
    }

    @Test
    void rolesOrganizationsAndMe() {
        List<JsonNode> roles = directory.walk("roles", Map.of("limit", "3"));
        assertEquals(List.of("organization:admin", "organization:member", "team:maintainer", "team:member"), ids(roles));
        roles.forEach(r -> assertFalse(r.get("permissions").isEmpty()));
        assertEquals("group", directory.get("roles", "team:maintainer", Map.of()).body().get("applicable_in").asText());
        assertEquals(404, directory.get("roles", "organization:owner", Map.of()).status());

        List<JsonNode> orgs = directory.walk("organizations", Map.of("limit", "2"));
        assertEquals(world.organizations().stream().map(Organization::uuid).toList(), ids(orgs));
        JsonNode acme = directory.get("organizations", orgs.get(0).get("id").asText(), Map.of()).body();
        assertEquals("acme", acme.get("slug").asText());
        assertEquals("https://buildkite.com/acme", acme.get("web_url").asText());

        JsonNode me = directory.get("me", null, Map.of()).body();
        UserAccount owner = sandbox.owner();
        assertEquals(owner.uuid(), me.get("id").asText());
        assertEquals("Kite", me.get("first_name").asText());
        assertEquals(3, me.get("organizations").size());
        assertEquals(3, ids(me.get("roles")).stream().filter(r -> r.equals("organization:admin")).count());
        int ownerTeams = world.organizations().stream().mapToInt(o -> world.teamMembershipsOf(o.uuid(), owner.uuid()).size()).sum();
        assertEquals(ownerTeams, me.get("groups").size());
        assertTrue(me.get("is_2fa_enabled").asBoolean());
    }

    @Test
    void badInputIsA4xxNamingTheProblem() {
        assertError(directory.get("users", null, Map.of("limit", "0")), 400, "invalid_request", "limit");
        assertError(directory.get("users", null, Map.of("limit", "1000")), 400, "invalid_request", "limit");
        assertError(directory.get("users", null, Map.of("limit", "abc")), 400, "invalid_request", "limit");
        assertError(directory.get("users", null, Map.of("next_cursor", "no-such-cursor")), 400, "invalid_cursor", "next_cursor");
        assertError(directory.get("users", null, Map.of("next_cursor", "x".repeat(500))), 400, "invalid_cursor", "next_cursor");
        String usersCursor = directory.get("users", null, Map.of("limit", "2")).body().get("next_cursor").asText();
        assertError(directory.get("groups", null, Map.of("next_cursor", usersCursor)), 400, "invalid_cursor", "next_cursor");
        assertError(directory.get("users", null, Map.of("next_cursor", usersCursor, "status", "active")), 400, "invalid_cursor", "next_cursor");
        assertEquals(200, directory.get("users", null, Map.of("next_cursor", usersCursor)).status());
        Map<String, String> otherTenant = new HashMap<>(Map.of("integrated_account_id", DirectoryFixture.ACCOUNT, "next_cursor", usersCursor));
        assertError(directory.call("users", null, otherTenant, "tenant-2"), 404, "not_found", DirectoryFixture.ACCOUNT);
        assertError(directory.get("users", null, Map.of("integrated_account_id", "acct-nope")), 404, "not_found", "acct-nope");
        assertError(directory.get("users", null, Map.of("integrated_account_id", "acct-other")), 404, "not_found", "acct-other");
        assertError(directory.get("users", null, Map.of("integrated_account_id", "")), 400, "invalid_request", "integrated_account_id");
        assertError(directory.get("users", "not-a-uuid", Map.of()), 400, "invalid_request", "id");
        assertError(directory.get("groups", "../etc", Map.of()), 400, "invalid_request", "id");
        assertError(directory.get("users", null, Map.of("colour", "blue")), 400, "invalid_request", "colour");
        assertError(directory.get("users", null, Map.of("include_remote_data", "maybe")), 400, "invalid_request", "include_remote_data");
        assertError(directory.get("users", null, Map.of("is_2fa_enabled", "yes")), 400, "invalid_request", "is_2fa_enabled");
        assertError(directory.get("users", null, Map.of("role", "owner")), 400, "invalid_request", "role");
        assertError(directory.get("users", null, Map.of("last_active_before", "last tuesday")), 400, "invalid_request", "last_active_before");
        assertError(directory.get("users", null, Map.of("organization_id", "00000000-0000-4000-8000-000000000000")), 404, "not_found", "organization");
        assertError(directory.get("groups", null, Map.of("privacy", "hidden")), 400, "invalid_request", "privacy");
        assertError(directory.get("users", null, Map.of("max_age", "-5")), 400, "invalid_request", "max_age");
        assertEquals(401, directory.call("users", null, Map.of("integrated_account_id", DirectoryFixture.ACCOUNT), null).status());
    }

    @Test
    void answersCarryTheBudgetAndTheDataAge() {
        DirectoryFixture.Answer page = directory.get("users", null, Map.of("limit", "10"));
        assertEquals("req-test", page.headers().get("x-request-id"));
        assertTrue(page.headers().containsKey("ratelimit-limit"));
        assertTrue(page.headers().containsKey("ratelimit-remaining"));
        assertTrue(page.headers().containsKey("ratelimit-reset"));
        assertTrue(Long.parseLong(page.headers().get("x-kitebridge-data-age")) >= 0);
    }

    private static void assertError(DirectoryFixture.Answer answer, int status, String error, String mentioned) {
        assertEquals(status, answer.status(), answer.body().toString());
        assertEquals(status, answer.body().get("statusCode").asInt());
        assertEquals(error, answer.body().get("error").asText());
        assertTrue(answer.body().get("message").asText().contains(mentioned), answer.body().get("message").asText());
        assertEquals("req-test", answer.body().get("request_id").asText());
    }

    private static List<String> ids(JsonNode records) {
        List<String> ids = new ArrayList<>();
        records.forEach(r -> ids.add(r.isTextual() ? r.asText() : r.get("id").asText()));
        return ids;
    }

    private static List<String> ids(List<JsonNode> records) {
        return records.stream().map(r -> r.get("id").asText()).toList();
    }

    /** Users by organization and id: one person is one user per organization. */
    private static List<String> keys(List<JsonNode> users) {
        return users.stream().map(u -> u.at("/organizations/0/id").asText() + "/" + u.get("id").asText()).toList();
    }

    private static String text(JsonNode node, String field) {
        return node.get(field) == null || node.get(field).isNull() ? null : node.get(field).asText();
    }
}
