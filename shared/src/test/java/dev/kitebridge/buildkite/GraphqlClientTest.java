package dev.kitebridge.buildkite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.kitebridge.buildkite.graphql.Connection;
import dev.kitebridge.buildkite.graphql.GraphqlApi;
import dev.kitebridge.buildkite.graphql.GraphqlDocument;
import dev.kitebridge.buildkite.graphql.InvitationsQueries;
import dev.kitebridge.buildkite.graphql.MemberQuery;
import dev.kitebridge.buildkite.graphql.Nodes.InvitationNode;
import dev.kitebridge.buildkite.graphql.Nodes.MemberNode;
import dev.kitebridge.buildkite.graphql.Nodes.TeamMemberNode;
import dev.kitebridge.buildkite.graphql.Nodes.TeamNode;
import dev.kitebridge.buildkite.graphql.Nodes.Viewer;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.journal.JournalEntry;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Population;

/** Every query and mutation the client sends, against the sandbox, and what each costs. */
class GraphqlClientTest {

    private static Sandbox sandbox;
    private static GraphqlApi graphql;

    @BeforeAll
    static void start() {
        sandbox = Sandbox.builder().population(Population.of(640, 12).withOrganizations(2, 0).withPendingInvitations(9))
                .limits(RateLimits.BUILDKITE.withGraphql(1_000_000, 1_000_000)).start();
        graphql = SandboxClients.client(sandbox).graphql();
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    @Test
    void viewer() {
        Viewer viewer = graphql.viewer().get();
        assertEquals(sandbox.owner().uuid(), viewer.user().uuid());
        assertEquals(List.of("acme", "acme-2"), viewer.organizations().nodes().stream().map(o -> o.slug()).toList());
        assertCostEstimated(GraphqlDocument.VIEWER, 0);
    }

    @Test
    void membersPageByCursorWithEverythingOnlyGraphqlHas() {
        Set<String> seen = new HashSet<>();
        String after = null;
        int pages = 0;
        do {
            Connection<MemberNode> page = graphql.members().list("acme", MemberQuery.page(250, after));
            assertCostEstimated(GraphqlDocument.MEMBERS, 250);
            assertEquals(640, page.count());
            page.nodes().forEach(m -> {
                assertTrue(seen.add(m.uuid()));
                assertTrue(m.id() != null && m.user().id() != null && !m.id().equals(m.user().id()),
                        "a membership's id is not its user's");
            });
            after = page.next().orElse(null);
            pages++;
        } while (after != null);
        assertEquals(3, pages);
        assertEquals(640, seen.size());
    }

    @Test
    void memberFilters() {
        Connection<MemberNode> exposed = graphql.members().list("acme", MemberQuery.page(500, null)
                .withRoles(List.of(OrganizationRole.ADMIN)).withTwoFactorEnabled(false));
        exposed.nodes().forEach(m -> {
            assertEquals(OrganizationRole.ADMIN, m.role());
            assertFalse(m.security().twoFactorEnabled());
        });
        Connection<MemberNode> idle = graphql.members().list("acme", MemberQuery.page(500, null)
                .withInactiveSince(Instant.parse("2026-06-01T00:00:00Z")));
        assertTrue(idle.count() > 0 && idle.count() < 640);
        idle.nodes().forEach(m -> assertTrue(m.lastSeenAt() == null || m.lastSeenAt().isBefore(Instant.parse("2026-06-01T00:00:00Z"))));
        MemberNode someone = graphql.members().list("acme", MemberQuery.page(1, null)).nodes().get(0);
        assertEquals(someone.uuid(), graphql.members().list("acme", MemberQuery.page(5, null).withEmail(someone.user().email()))
                .nodes().get(0).uuid());
        String acme = sandbox.world().organizationBySlug("acme").orElseThrow().uuid();
        long optional = sandbox.world().members(acme).stream()
                .filter(m -> m.ssoMode() == dev.kitebridge.sandbox.model.Member.SsoMode.OPTIONAL).count();
        assertEquals(optional, graphql.members().list("acme", MemberQuery.page(5, null).withSsoMode(SsoMode.OPTIONAL)).count());
    }

    @Test
    void teamsTheirMembersAndInvitations() {
        Connection<TeamNode> teams = graphql.teams().list("acme", 100, null);
        assertCostEstimated(GraphqlDocument.TEAMS, 100);
        assertEquals(12, teams.count());
        TeamNode biggest = teams.nodes().stream().max((a, b) -> a.members().count() - b.members().count()).orElseThrow();

        List<TeamMemberNode> members = new ArrayList<>();
        String after = null;
        do {
            Connection<TeamMemberNode> page = graphql.teams().members("acme", biggest.slug(), 40, after);
            assertCostEstimated(GraphqlDocument.TEAM_MEMBERS, 40);
            members.addAll(page.nodes());
            after = page.next().orElse(null);
        } while (after != null);
        assertEquals(biggest.members().count(), members.size());
        assertEquals(members.size(), members.stream().map(TeamMemberNode::uuid).distinct().count());

        Connection<InvitationNode> pending = graphql.invitations().list("acme", 50, null, List.of(InvitationState.PENDING));
        assertCostEstimated(GraphqlDocument.INVITATIONS, 50);
        assertEquals(9, pending.count());
        assertEquals(11, graphql.invitations().list("acme", 50, null, null).count(), "all states: one revoked, one expired more");
    }

    @Test
    void mutationsChangeTheDirectory() {
        String org = "acme-2";
        String orgId = graphql.viewer().get().organizations().nodes().stream().filter(o -> o.slug().equals(org)).findFirst().orElseThrow().id();

        TeamNode team = graphql.teams().create(org, orgId, "Graph Team", "made over GraphQL", TeamPrivacy.VISIBLE, false, TeamRole.MEMBER);
        assertCostEstimated(GraphqlDocument.TEAM_CREATE, 0);
        TeamNode updated = graphql.teams().update(org, team.id(), "Graph Team Renamed", null, TeamPrivacy.SECRET, false, TeamRole.MAINTAINER);
        assertCostEstimated(GraphqlDocument.TEAM_UPDATE, 0);
        assertEquals(TeamPrivacy.SECRET, updated.privacy());

        MemberNode member = graphql.members().list(org, MemberQuery.page(50, null).withRoles(List.of(OrganizationRole.MEMBER))).nodes().get(3);
        TeamMemberNode added = graphql.teams().addMember(org, team.id(), member.user().id(), null);
        assertCostEstimated(GraphqlDocument.TEAM_MEMBER_CREATE, 0);
        assertEquals(TeamRole.MAINTAINER, added.role(), "without a role, the team's default member role");
        assertEquals(TeamRole.MEMBER, graphql.teams().updateMember(org, added.id(), TeamRole.MEMBER).role());
        assertCostEstimated(GraphqlDocument.TEAM_MEMBER_UPDATE, 0);
        assertNotEquals("", graphql.teams().removeMember(org, added.id()));
        assertCostEstimated(GraphqlDocument.TEAM_MEMBER_DELETE, 0);

        assertThrows(BuildkiteException.NotFound.class, () -> graphql.teams().addMember(org, team.id(), member.id(), null),
                "a membership id is not a user id");
        assertThrows(BuildkiteException.Validation.class,
                () -> graphql.teams().create(org, orgId, "graph team renamed", null, TeamPrivacy.VISIBLE, false, TeamRole.MEMBER));
        graphql.teams().delete(org, team.id());
        assertCostEstimated(GraphqlDocument.TEAM_DELETE, 0);

        MemberNode promoted = graphql.members().update(org, member.id(), OrganizationRole.ADMIN, null);
        assertCostEstimated(GraphqlDocument.MEMBER_UPDATE, 0);
        assertEquals(OrganizationRole.ADMIN, promoted.role());
        assertEquals(member.id(), graphql.members().delete(org, member.id()));
        assertCostEstimated(GraphqlDocument.MEMBER_DELETE, 0);
        assertThrows(BuildkiteException.NotFound.class, () -> graphql.members().update(org, member.id(), OrganizationRole.MEMBER, null));

        List<InvitationNode> invited = graphql.invitations().create(org, orgId, List.of("a@new.example", "b@new.example"),
                OrganizationRole.MEMBER, SsoMode.OPTIONAL,
                List.of(new InvitationsQueries.InvitedTeam(graphql.teams().list(org, 1, null).nodes().get(0).id(), TeamRole.MEMBER)));
        assertCostEstimated(GraphqlDocument.INVITATION_CREATE, 0);
        assertEquals(2, invited.size());
        assertEquals(InvitationState.REVOKED, graphql.invitations().revoke(org, invited.get(0).id()).state());
        assertCostEstimated(GraphqlDocument.INVITATION_REVOKE, 0);
    }

    @Test
    void aMissingOrganizationIsNotFound() {
        assertThrows(BuildkiteException.NotFound.class, () -> graphql.members().list("nowhere", MemberQuery.page(10, null)));
    }

    /** The cost the client reserved before the call is what Buildkite's rule requests for it. */
    private static void assertCostEstimated(GraphqlDocument document, int first) {
        List<JournalEntry> entries = sandbox.journal().entries();
        JournalEntry last = entries.get(entries.size() - 1);
        assertEquals(last.requestedComplexity(), document.requestedComplexity(first),
                document.name() + ": the estimate must match Buildkite's requested complexity");
    }
}
