package dev.kitebridge.buildkite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.kitebridge.buildkite.client.BuildkiteClient;
import dev.kitebridge.buildkite.rest.AccessToken;
import dev.kitebridge.buildkite.rest.Invitation;
import dev.kitebridge.buildkite.rest.InvitationsResource;
import dev.kitebridge.buildkite.rest.Organization;
import dev.kitebridge.buildkite.rest.OrganizationMember;
import dev.kitebridge.buildkite.rest.Team;
import dev.kitebridge.buildkite.rest.TeamChanges;
import dev.kitebridge.buildkite.rest.TeamMember;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.ApiToken;
import dev.kitebridge.sandbox.model.Member;
import dev.kitebridge.sandbox.model.Population;

/** Every REST endpoint of the sandbox, through the client's typed resources. */
class RestResourcesTest {

    private static Sandbox sandbox;
    private static BuildkiteClient buildkite;

    @BeforeAll
    static void start() {
        // Budgets out of the way: pacing has tests of its own.
        sandbox = Sandbox.builder().population(Population.of(230, 14).withOrganizations(3, 1).withPendingInvitations(7))
                .limits(RateLimits.BUILDKITE.withRest(100_000, 100_000)).start();
        buildkite = SandboxClients.client(sandbox);
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    @Test
    void theTokenAndItsUser() {
        AccessToken token = buildkite.account().accessToken();
        assertTrue(token.scopes().containsAll(List.of("read_organizations", "read_teams", "graphql")));
        assertNotNull(token.createdAt(), "the access-token timestamp format is read");
        assertNull(token.expiresAt());
        assertEquals("Kite Owner", token.user().name());
        assertEquals(sandbox.owner().uuid(), buildkite.account().currentUser().id());
    }

    @Test
    void organizations() {
        Page<Organization> orgs = buildkite.organizations().list(PageRequest.first(100));
        assertEquals(List.of("acme", "acme-2", "acme-3"), orgs.items().stream().map(Organization::slug).toList());
        assertTrue(orgs.isLast());
        assertEquals("Acme Inc", buildkite.organizations().get("acme").name());
        assertNotNull(buildkite.organizations().get("acme").createdAt());
    }

    @Test
    void membersOneByOneAndByPage() {
        List<OrganizationMember> all = walk(page -> buildkite.organizations().members("acme", page), 100);
        assertEquals(230, all.size());
        OrganizationMember first = all.get(0);
        assertEquals(OrganizationRole.ADMIN, first.role());
        assertEquals(first, buildkite.organizations().member("acme", first.id()));

        OrganizationMember legacy = buildkite.organizations().members("acme-3", PageRequest.first(5)).items().get(0);
        assertNull(legacy.role(), "members without the 2026 fields are read");
        assertNull(legacy.ssoMode());
    }

    @Test
    void memberWrites() {
        String org = "acme-2";
        OrganizationMember someone = buildkite.organizations().members(org, PageRequest.first(20)).items().get(7);
        OrganizationMember promoted = buildkite.organizations().updateMember(org, someone.id(), OrganizationRole.ADMIN, SsoMode.OPTIONAL);
        assertEquals(OrganizationRole.ADMIN, promoted.role());
        assertEquals(SsoMode.OPTIONAL, promoted.ssoMode());

        BuildkiteException.Forbidden self = assertThrows(BuildkiteException.Forbidden.class,
                () -> buildkite.organizations().updateMember(org, sandbox.owner().uuid(), OrganizationRole.MEMBER, null));
        assertEquals(403, self.status());

        buildkite.organizations().removeMember(org, someone.id());
        assertThrows(BuildkiteException.NotFound.class, () -> buildkite.organizations().member(org, someone.id()));
    }

    @Test
    void teamsAndTheirMembersAndPipelines() {
        List<Team> teams = walk(page -> buildkite.teams().list("acme", page), 5);
        assertEquals(14, teams.size());
        Team team = teams.get(0);
        assertEquals(team.id(), buildkite.teams().get("acme", team.id()).id());
        assertNotNull(team.createdBy());

        List<TeamMember> members = walk(page -> buildkite.teams().members("acme", team.id(), page), 10);
        assertFalse(members.isEmpty());
        TeamMember one = members.get(0);
        assertEquals(one, buildkite.teams().member("acme", team.id(), one.userId()));

        String userId = one.userId();
        List<Team> ofUser = walk(page -> buildkite.teams().list("acme", page.with("user_id", userId)), 2);
        assertTrue(ofUser.stream().anyMatch(t -> t.id().equals(team.id())), "the user_id filter survives paging");
        assertTrue(ofUser.size() < teams.size());

        assertFalse(buildkite.teams().pipelines("acme", team.id(), PageRequest.first(100)).items().isEmpty());
        assertEquals(28, walk(page -> buildkite.organizations().pipelines("acme", page), 10).size());
    }

    @Test
    void teamWrites() {
        String org = "acme-2";
        Team created = buildkite.teams().create(org, TeamChanges.named("Kitebridge Crew").withPrivacy(TeamPrivacy.SECRET)
                .withDescription("made by a test"));
        assertEquals("kitebridge-crew", created.slug());
        assertEquals(TeamPrivacy.SECRET, created.privacy());

        Team renamed = buildkite.teams().update(org, created.id(), TeamChanges.named("Kitebridge Crew 2"));
        assertEquals("Kitebridge Crew 2", renamed.name());
        assertEquals("made by a test", renamed.description(), "an update changes only what it names");

        BuildkiteException.Validation taken = assertThrows(BuildkiteException.Validation.class,
                () -> buildkite.teams().create(org, TeamChanges.named("kitebridge crew 2")));
        assertTrue(taken.getMessage().startsWith("Validation failed: Name has already been taken"));
        assertEquals(422, taken.status());

        OrganizationMember member = buildkite.organizations().members(org, PageRequest.first(30)).items().get(12);
        TeamMember added = buildkite.teams().addMember(org, created.id(), member.id(), TeamRole.MAINTAINER);
        assertEquals(TeamRole.MAINTAINER, added.role());
        assertEquals(TeamRole.MEMBER, buildkite.teams().updateMember(org, created.id(), member.id(), TeamRole.MEMBER).role());
        buildkite.teams().removeMember(org, created.id(), member.id());
        assertThrows(BuildkiteException.NotFound.class, () -> buildkite.teams().member(org, created.id(), member.id()));

        buildkite.teams().enable(org);
        buildkite.teams().delete(org, created.id());
        assertThrows(BuildkiteException.NotFound.class, () -> buildkite.teams().get(org, created.id()));
    }

    @Test
    void invitations() {
        List<Invitation> pending = walk(page -> buildkite.invitations().list("acme", page), 3);
        assertEquals(7, pending.size());
        assertTrue(pending.stream().allMatch(i -> i.state() == InvitationState.PENDING));

        String org = "acme-3";
        Team team = buildkite.teams().list(org, PageRequest.first(1)).items().get(0);
        List<Invitation> created = buildkite.invitations().create(org, List.of("joiner@example.com"), OrganizationRole.MEMBER,
                null, List.of(new InvitationsResource.TeamAssignment(team.id(), TeamRole.MEMBER)));
        assertEquals(1, created.size());
        Invitation invitation = created.get(0);
        assertEquals(team.slug(), invitation.teams().get(0).slug());
        buildkite.invitations().revoke(org, invitation.id());
        assertEquals(InvitationState.REVOKED, buildkite.invitations().get(org, invitation.id()).state());
        assertNotNull(buildkite.invitations().get(org, invitation.id()).revokedBy());
        BuildkiteException.Validation again = assertThrows(BuildkiteException.Validation.class,
                () -> buildkite.invitations().revoke(org, invitation.id()));
        assertEquals(422, again.status());
    }

    @Test
    void errorsAreTyped() {
        BuildkiteClient wrong = SandboxClients.builder(sandbox, "bkua_not_a_real_token").build();
        assertThrows(BuildkiteException.Unauthorized.class, () -> wrong.organizations().list(PageRequest.first(10)));

        ApiToken narrow = sandbox.issueToken(sandbox.owner().uuid(), Set.of("read_organizations"), Set.of("acme"), null);
        BuildkiteClient narrowClient = SandboxClients.builder(sandbox, narrow.secret()).build();
        BuildkiteException.MissingScope missing = assertThrows(BuildkiteException.MissingScope.class,
                () -> narrowClient.teams().list("acme", PageRequest.first(10)));
        assertEquals("read_teams", missing.scope());

        assertThrows(BuildkiteException.NotFound.class, () -> buildkite.organizations().get("no-such-org"));
        assertThrows(BuildkiteException.NotFound.class, () -> narrowClient.organizations().get("acme-2"),
                "an organization out of the token's reach is not found");

        Member plain = sandbox.world().members(sandbox.world().organizationBySlug("acme").orElseThrow().uuid()).stream()
                .filter(m -> m.role() == Member.Role.MEMBER).findFirst().orElseThrow();
        ApiToken theirs = sandbox.issueToken(plain.userUuid(), dev.kitebridge.sandbox.model.DataGenerator.ALL_SCOPES, Set.of("acme"), null);
        BuildkiteClient memberClient = SandboxClients.builder(sandbox, theirs.secret()).userBudgetKey(plain.userUuid()).build();
        assertThrows(BuildkiteException.Forbidden.class, () -> memberClient.teams().create("acme", TeamChanges.named("Not Allowed")));
    }

    /** Every item of a list, page after page. */
    static <T> List<T> walk(Function<PageRequest, Page<T>> fetch, int perPage) {
        List<T> all = new ArrayList<>();
        Optional<PageRequest> next = Optional.of(PageRequest.first(perPage));
        while (next.isPresent()) {
            Page<T> page = fetch.apply(next.get());
            all.addAll(page.items());
            next = page.next();
        }
        return all;
    }
}
