package dev.kitebridge.buildkite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.kitebridge.buildkite.graphql.AuditEvent;
import dev.kitebridge.buildkite.graphql.AuditEventsQueries;
import dev.kitebridge.buildkite.graphql.GraphqlApi;
import dev.kitebridge.buildkite.graphql.GraphqlDocument;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.journal.JournalEntry;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.ApiToken;
import dev.kitebridge.sandbox.model.DataGenerator;
import dev.kitebridge.sandbox.model.Invitation;
import dev.kitebridge.sandbox.model.Member;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.Population;
import dev.kitebridge.sandbox.model.Team;
import dev.kitebridge.sandbox.model.TeamFields;
import dev.kitebridge.sandbox.model.TeamMember;
import dev.kitebridge.sandbox.model.World;

/**
 * The audit log through the client, against the sandbox over HTTP: changes made "in the web UI"
 * come back as typed events from a checkpoint on, page by page; where the log is not there (not
 * Enterprise, not an admin) the answer is {@code NotAvailable}, not a failure.
 */
class AuditEventsClientTest {

    private static Sandbox sandbox;
    private static GraphqlApi graphql;

    @BeforeAll
    static void start() {
        sandbox = Sandbox.builder().population(Population.of(80, 4).withOrganizations(2, 0).withEnterprise(1))
                .limits(RateLimits.BUILDKITE.withGraphql(1_000_000, 1_000_000)).start();
        graphql = SandboxClients.client(sandbox).graphql();
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    @Test
    void changesMadeInTheWebUiComeBackFromTheCheckpointOnNewestFirst() {
        World world = sandbox.world();
        Organization acme = world.organizationBySlug("acme").orElseThrow();
        String owner = sandbox.owner().uuid();
        world.createTeam(acme, owner, new TeamFields("Before the checkpoint", null, null, null, null, null, null, null, null, null));
        Instant checkpoint = sandbox.clock().now();

        List<Member> people = world.members(acme.uuid()).stream()
                .filter(m -> !m.userUuid().equals(owner) && m.role() == Member.Role.MEMBER).toList();
        Member promoted = people.get(0);
        Member leaver = people.get(1);
        List<Team> teams = world.teams(acme.uuid());
        Member mover = people.stream().skip(2).filter(m -> world.teamMember(acme.uuid(), teams.get(0).uuid(), m.userUuid()).isPresent()
                && world.teamMember(acme.uuid(), teams.get(1).uuid(), m.userUuid()).isEmpty()).findFirst().orElseThrow();

        world.updateMember(acme, owner, promoted.userUuid(), Member.Role.ADMIN, null);
        TeamMember moved = world.moveTeamMember(acme, owner, teams.get(0).uuid(), teams.get(1).uuid(), mover.userUuid(), null);
        world.updateTeam(acme, owner, teams.get(2).uuid(), new TeamFields("Renamed", null, null, null, null, null, null, null, null, null));
        Invitation invitation = world.invite(acme, owner, List.of("joiner@audit.example"), null, Member.SsoMode.OPTIONAL, List.of()).get(0);
        Member joined = world.acceptInvitation(acme.uuid(), invitation.uuid(), "Jo Iner");
        world.invite(acme, owner, List.of("later@audit.example"), null, Member.SsoMode.OPTIONAL, List.of());
        world.setTwoFactor(joined.userUuid(), true);
        world.leaveOrganization(acme.uuid(), leaver.userUuid());

        AuditEventsQueries.Listing listing = graphql.auditEvents().since("acme", checkpoint);
        assertCostEstimated(AuditEventsQueries.DEFAULT_PAGE);
        List<AuditEvent> events = assertInstanceOf(AuditEventsQueries.Available.class, listing).events();
        assertEquals(List.of("ORGANIZATION_MEMBER_DELETED", "USER_TOTP_ACTIVATED", "ORGANIZATION_INVITATION_CREATED",
                "ORGANIZATION_MEMBER_CREATED", "ORGANIZATION_INVITATION_ACCEPTED", "ORGANIZATION_INVITATION_CREATED",
                "TEAM_UPDATED", "TEAM_MEMBER_CREATED", "TEAM_MEMBER_DELETED", "ORGANIZATION_MEMBER_UPDATED"),
                events.stream().map(AuditEvent::type).toList(), "newest first, nothing before the checkpoint");

        AuditEvent promotion = events.get(events.size() - 1);
        assertEquals("ORGANIZATION_MEMBER", promotion.subjectType());
        assertEquals(promoted.uuid(), promotion.subjectUuid());
        assertEquals("USER", promotion.actorType());
        assertEquals("admin", promotion.data().path("role").asText());
        assertEquals(promoted.userUuid(), promotion.data().path("user_uuid").asText());
        assertTrue(promotion.occurredAt().isAfter(checkpoint.minusMillis(1)));

        AuditEvent movedIn = events.get(7);
        assertEquals("TEAM_MEMBER", movedIn.subjectType());
        assertEquals(moved.uuid(), movedIn.subjectUuid());
        assertEquals(teams.get(1).uuid(), movedIn.data().path("team_uuid").asText());
        assertEquals(mover.userUuid(), movedIn.data().path("user_uuid").asText());
        assertEquals(teams.get(0).uuid(), events.get(8).data().path("team_uuid").asText());
        assertEquals("Renamed", events.get(6).subjectName());
        assertEquals(joined.userUuid(), events.get(1).data().path("user_uuid").asText(), "2FA turned on names its user");
    }

    @Test
    void pagesByCursorGiveTheWholeLog() {
        List<String> paged = new ArrayList<>();
        String after = null;
        do {
            AuditEventsQueries.Available page = assertInstanceOf(AuditEventsQueries.Available.class,
                    graphql.auditEvents().page("acme", null, 2, after));
            assertCostEstimated(2);
            page.events().forEach(e -> paged.add(e.uuid()));
            after = page.next().orElse(null);
        } while (after != null);
        AuditEventsQueries.Available all = assertInstanceOf(AuditEventsQueries.Available.class, graphql.auditEvents().since("acme", null));
        assertEquals(all.events().stream().map(AuditEvent::uuid).toList(), paged);
        assertFalse(all.hasNextPage());
    }

    @Test
    void notEnterpriseOrNotAnAdminIsNotAvailableNotAFailure() {
        AuditEventsQueries.NotAvailable notEnterprise = assertInstanceOf(AuditEventsQueries.NotAvailable.class,
                graphql.auditEvents().since("acme-2", null));
        assertEquals("acme-2", notEnterprise.organization());
        assertFalse(notEnterprise.reason().isBlank());

        Organization acme = sandbox.world().organizationBySlug("acme").orElseThrow();
        Member plain = sandbox.world().members(acme.uuid()).stream()
                .filter(m -> m.role() == Member.Role.MEMBER).reduce((a, b) -> b).orElseThrow();
        ApiToken token = sandbox.issueToken(plain.userUuid(), DataGenerator.ALL_SCOPES, Set.of("acme"), null);
        GraphqlApi asMember = SandboxClients.builder(sandbox, token.secret()).userBudgetKey(plain.userUuid()).build().graphql();
        assertInstanceOf(AuditEventsQueries.NotAvailable.class, asMember.auditEvents().page("acme", null, 10, null));

        assertThrows(BuildkiteException.NotFound.class, () -> graphql.auditEvents().since("nowhere", null));
    }

    /** The cost the client reserved is what Buildkite's rule requests for the page. */
    private static void assertCostEstimated(int first) {
        List<JournalEntry> entries = sandbox.journal().entries();
        JournalEntry last = entries.get(entries.size() - 1);
        assertEquals(last.requestedComplexity(), GraphqlDocument.AUDIT_EVENTS.requestedComplexity(first),
                "the estimate must match Buildkite's requested complexity");
    }
}
