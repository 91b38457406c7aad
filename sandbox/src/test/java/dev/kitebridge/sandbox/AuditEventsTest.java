package dev.kitebridge.sandbox;

import static dev.kitebridge.sandbox.SandboxHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.sandbox.model.ApiToken;
import dev.kitebridge.sandbox.model.AuditEvent;
import dev.kitebridge.sandbox.model.DataGenerator;
import dev.kitebridge.sandbox.model.Invitation;
import dev.kitebridge.sandbox.model.Member;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.Population;
import dev.kitebridge.sandbox.model.Team;
import dev.kitebridge.sandbox.model.TeamFields;
import dev.kitebridge.sandbox.model.TeamMember;
import dev.kitebridge.sandbox.model.World;

/** The audit log: what each change records, and REST's and GraphQL's answers behind their gates. */
class AuditEventsTest {

    private static final String EVENTS = """
            query($slug: ID!, $first: Int, $after: String, $from: DateTime, $to: DateTime, $type: [AuditEventType!],
                  $subjectType: [AuditSubjectType!], $subjectUUID: [ID!]) {
              organization(slug: $slug) {
                permissions { auditEventsView { allowed code } }
                auditEvents(first: $first, after: $after, occurredAtFrom: $from, occurredAtTo: $to, type: $type,
                            subjectType: $subjectType, subjectUUID: $subjectUUID, order: RECENTLY_OCCURRED) {
                  count
                  pageInfo { hasNextPage endCursor }
                  edges { node { id uuid type occurredAt data
                    actor { id type uuid name }
                    subject { id type uuid name }
                    context { ... on AuditAPIContext { requestApiAccessTokenUuid } ... on AuditWebContext { sessionUserUuid } }
                  } }
                }
              }
            }""";

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T10:00:00Z"));
    private Sandbox sandbox;
    private SandboxHttp http;
    private World world;
    private Organization acme;
    private String owner;
    private ApiToken auditor;

    @BeforeEach
    void start() {
        sandbox = Sandbox.builder().population(Population.of(60, 4).withOrganizations(2, 0).withEnterprise(1))
                .clock(now::get).start();
        http = new SandboxHttp(sandbox);
        world = sandbox.world();
        acme = world.organizationBySlug("acme").orElseThrow();
        owner = sandbox.owner().uuid();
        auditor = sandbox.issueToken(owner, withAudit(), Set.of("acme", "acme-2"), null);
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    private static Set<String> withAudit() {
        Set<String> scopes = new HashSet<>(DataGenerator.ALL_SCOPES);
        scopes.add(DataGenerator.READ_AUDIT_EVENTS);
        return scopes;
    }

    private void tick() {
        now.updateAndGet(t -> t.plusSeconds(1));
    }

    @Test
    void theGeneratedWorldStartsWithAnEmptyLogAndEnterpriseOnlyWhereAsked() {
        assertTrue(acme.enterprise());
        assertFalse(world.organizationBySlug("acme-2").orElseThrow().enterprise());
        assertEquals(List.of(), world.auditEvents(acme.uuid()));
        assertFalse(Population.of(10, 1).organizations() > 0 && Population.of(10, 1).enterpriseOrganizations() > 0,
                "not Enterprise unless asked");
    }

    @Test
    void everyKindOfChangeRecordsItsTypeSubjectAndData() {
        List<Member> members = world.members(acme.uuid()).stream().filter(m -> !m.userUuid().equals(owner)
                && m.role() == Member.Role.MEMBER).toList();
        Member promoted = members.get(0);
        Member leaver = members.get(1);
        Member removed = members.get(2);
        Team[] teams = world.teams(acme.uuid()).toArray(Team[]::new);

        // Out of band ("in the web UI"), each a second apart.
        world.updateMember(acme, owner, promoted.userUuid(), Member.Role.ADMIN, null); tick();
        world.leaveOrganization(acme.uuid(), leaver.userUuid()); tick();
        world.removeMember(acme, owner, removed.userUuid()); tick();
        Team created = world.createTeam(acme, owner, new TeamFields("Audit", null, null, null, null, null, null, null, null, null)); tick();
        world.updateTeam(acme, owner, created.uuid(), new TeamFields("Audited", null, null, null, null, null, null, null, null, null)); tick();
        String mover = members.stream().skip(3).map(Member::userUuid)
                .filter(u -> world.teamMember(acme.uuid(), teams[0].uuid(), u).isEmpty()
                        && world.teamMember(acme.uuid(), teams[1].uuid(), u).isEmpty())
                .findFirst().orElseThrow();
        TeamMember added = world.addTeamMember(acme, owner, teams[0].uuid(), mover, TeamMember.Role.MEMBER); tick();
        world.updateTeamMember(acme, owner, teams[0].uuid(), mover, TeamMember.Role.MAINTAINER); tick();
        TeamMember moved = world.moveTeamMember(acme, owner, teams[0].uuid(), teams[1].uuid(), mover, null); tick();
        Invitation invitation = world.invite(acme, owner, List.of("new@audit.example"), Member.Role.MEMBER,
                Member.SsoMode.OPTIONAL, List.of()).get(0); tick();
        Member joined = world.acceptInvitation(acme.uuid(), invitation.uuid(), "New Person"); tick();
        Invitation other = world.invite(acme, owner, List.of("other@audit.example"), null, Member.SsoMode.OPTIONAL, List.of()).get(0);
        world.revokeInvitation(acme, owner, other.uuid()); tick();
        world.renameUser(joined.userUuid(), "Renamed Person"); tick();
        world.setTwoFactor(joined.userUuid(), true); tick();
        world.setTwoFactor(joined.userUuid(), false); tick();
        world.deleteTeam(acme, owner, created.uuid());

        List<AuditEvent> log = new ArrayList<>(world.auditEvents(acme.uuid()));
        java.util.Collections.reverse(log); // oldest first, to read along the script
        List<String> types = log.stream().map(AuditEvent::type).toList();
        List<String> expected = new ArrayList<>(List.of("ORGANIZATION_MEMBER_UPDATED", "ORGANIZATION_MEMBER_DELETED",
                "ORGANIZATION_MEMBER_DELETED", "TEAM_CREATED", "TEAM_UPDATED", "TEAM_MEMBER_CREATED"));
        expected.addAll(List.of("TEAM_MEMBER_UPDATED", "TEAM_MEMBER_DELETED", "TEAM_MEMBER_CREATED",
                "ORGANIZATION_INVITATION_CREATED", "ORGANIZATION_INVITATION_ACCEPTED", "ORGANIZATION_MEMBER_CREATED",
                "ORGANIZATION_INVITATION_CREATED", "ORGANIZATION_INVITATION_REVOKED", "USER_UPDATED",
                "USER_TOTP_ACTIVATED", "USER_TOTP_DELETED", "TEAM_DELETED"));
        assertEquals(expected, types);

        AuditEvent promotion = log.get(0);
        assertEquals(new AuditEvent.Subject("ORGANIZATION_MEMBER", promoted.uuid(),
                world.requireUser(promoted.userUuid()).name()), promotion.subject());
        assertEquals(Map.of("user_uuid", promoted.userUuid(), "role", "admin"), promotion.data());
        assertEquals(new AuditEvent.Actor("USER", owner, sandbox.owner().name()), promotion.actor());
        assertEquals(AuditEvent.Context.Kind.WEB, promotion.context().kind(), "out of band is the web UI");
        assertEquals(Instant.parse("2026-12-01T10:00:00Z"), promotion.occurredAt(), "the sandbox's clock");

        AuditEvent left = log.get(1);
        assertEquals(leaver.userUuid(), left.actor().uuid(), "a member who leaves is the actor");

        AuditEvent rename = log.get(4);
        assertEquals("TEAM", rename.subject().type());
        assertEquals("Audited", rename.data().get("name"));

        AuditEvent movedIn = log.stream().filter(e -> e.type().equals("TEAM_MEMBER_CREATED")
                && e.subject().uuid().equals(moved.uuid())).findFirst().orElseThrow();
        assertEquals(Map.of("team_uuid", teams[1].uuid(), "user_uuid", mover, "role", moved.role().name().toLowerCase()),
                movedIn.data(), "a team member event names the team and the user");
        assertEquals("TEAM_MEMBER", movedIn.subject().type());
        assertTrue(log.stream().anyMatch(e -> e.subject().uuid().equals(added.uuid())));

        AuditEvent accepted = log.stream().filter(e -> e.type().equals("ORGANIZATION_INVITATION_ACCEPTED")).findFirst().orElseThrow();
        assertEquals(joined.userUuid(), accepted.actor().uuid());
        assertEquals(invitation.uuid(), accepted.subject().uuid());
        AuditEvent totp = log.stream().filter(e -> e.type().equals("USER_TOTP_ACTIVATED")).findFirst().orElseThrow();
        assertEquals("USER_TOTP", totp.subject().type());
        assertEquals(joined.userUuid(), totp.data().get("user_uuid"));
        assertTrue(world.requireUser(joined.userUuid()).name().equals("Renamed Person"));
        assertEquals(List.of(), world.auditEvents(world.organizationBySlug("acme-2").orElseThrow().uuid()),
                "each organization has its own log; the new person is not in acme-2");
    }

    @Test
    void restServesTheLogNewestFirstPagedBehindScopePlanAndAdmin() {
        for (int i = 0; i < 5; i++) {
            world.createTeam(acme, owner, new TeamFields("Team " + i, null, null, null, null, null, null, null, null, null));
            tick();
        }
        // A change through REST: its context is the API's, naming the token.
        HttpResponse<String> created = http.send(sandbox.token(), "POST", "/v2/organizations/acme/teams",
                Map.of("name", "By API", "privacy", "visible", "is_default_team", false, "default_member_role", "member"));
        assertEquals(201, created.statusCode(), created.body());

        HttpResponse<String> first = http.get(auditor.secret(), "/v2/organizations/acme/audit_events?per_page=4");
        assertEquals(200, first.statusCode(), first.body());
        JsonNode page = json(first);
        assertEquals(4, page.size());
        JsonNode newest = page.get(0);
        assertEquals("TeamCreatedEvent", newest.get("type").asText());
        assertEquals("By API", newest.at("/subject/name").asText());
        assertEquals("Team", newest.at("/subject/type").asText());
        assertEquals("User", newest.at("/actor/type").asText());
        assertEquals(owner, newest.at("/actor/uuid").asText());
        assertEquals("APIContext", newest.at("/context/type").asText());
        assertTrue(newest.get("graphql_id").asText().length() > 10);
        assertTrue(newest.get("occurred_at").asText().endsWith("Z"));
        assertEquals("Team 4", page.get(1).at("/subject/name").asText(), "newest first");
        assertEquals("WebContext", page.get(1).at("/context/type").asText());
        String link = first.headers().firstValue("Link").orElseThrow();
        assertTrue(link.contains("page=2&per_page=4>; rel=\"next\""), link);
        JsonNode second = json(http.get(auditor.secret(), "/v2/organizations/acme/audit_events?page=2&per_page=4"));
        assertEquals(2, second.size());
        assertEquals("Team 0", second.get(1).at("/subject/name").asText());

        // The scope: the ready token lacks it.
        HttpResponse<String> noScope = http.get(sandbox.token(), "/v2/organizations/acme/audit_events");
        assertEquals(403, noScope.statusCode());
        assertEquals("{\"message\":\"Your access token doesn't have the read_audit_events scope\"}", noScope.body());
        // The plan: acme-2 is not on Enterprise, until it is.
        HttpResponse<String> notEnterprise = http.get(auditor.secret(), "/v2/organizations/acme-2/audit_events");
        assertEquals(404, notEnterprise.statusCode());
        world.setEnterprise(world.organizationBySlug("acme-2").orElseThrow().uuid(), true);
        assertEquals(200, http.get(auditor.secret(), "/v2/organizations/acme-2/audit_events").statusCode());
        // The role: a member who is not an admin.
        Member plain = world.members(acme.uuid()).stream().filter(m -> m.role() == Member.Role.MEMBER).findFirst().orElseThrow();
        ApiToken plainToken = sandbox.issueToken(plain.userUuid(), withAudit(), Set.of("acme"), null);
        HttpResponse<String> notAdmin = http.get(plainToken.secret(), "/v2/organizations/acme/audit_events");
        assertEquals(403, notAdmin.statusCode());
        assertEquals("{\"message\":\"Forbidden\"}", notAdmin.body());
        // Counted against the REST limit like every call.
        assertTrue(first.headers().firstValue("RateLimit-Remaining").isPresent());
    }

    @Test
    void graphqlFiltersPagesAndCountsAndRefusesWhereBuildkiteWould() {
        List<Team> made = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            made.add(world.createTeam(acme, owner, new TeamFields("G" + i, null, null, null, null, null, null, null, null, null)));
            now.updateAndGet(t -> t.plus(Duration.ofMinutes(1)));
        }
        world.updateTeam(acme, owner, made.get(0).uuid(), new TeamFields("G0 renamed", null, null, null, null, null, null, null, null, null));

        JsonNode all = events(sandbox.token(), vars("first", 100));
        assertTrue(all.at("/data/organization/permissions/auditEventsView/allowed").asBoolean());
        JsonNode connection = all.at("/data/organization/auditEvents");
        assertEquals(7, connection.get("count").asInt());
        assertEquals("TEAM_UPDATED", connection.at("/edges/0/node/type").asText(), "most recent first");
        assertEquals("G0 renamed", connection.at("/edges/0/node/data/name").asText());
        assertEquals(owner, connection.at("/edges/0/node/context/sessionUserUuid").asText());
        assertEquals("TEAM", connection.at("/edges/0/node/subject/type").asText());

        // occurredAtFrom: the last three minutes' changes (inclusive).
        JsonNode recent = events(sandbox.token(), vars("first", 100, "from", "2026-12-01T10:04:00.000Z"))
                .at("/data/organization/auditEvents");
        assertEquals(List.of("G0 renamed", "G5", "G4"), names(recent));
        JsonNode window = events(sandbox.token(), vars("first", 100, "from", "2026-12-01T10:01:00.000Z",
                "to", "2026-12-01T10:02:00.000Z")).at("/data/organization/auditEvents");
        assertEquals(List.of("G2", "G1"), names(window));
        assertEquals(List.of("G0 renamed"), names(events(sandbox.token(), vars("first", 100, "type", List.of("TEAM_UPDATED")))
                .at("/data/organization/auditEvents")));
        assertEquals(List.of("G0 renamed", "G0"), names(events(sandbox.token(), vars("first", 100,
                "subjectType", List.of("TEAM"), "subjectUUID", List.of(made.get(0).uuid()))).at("/data/organization/auditEvents")));

        // Paging by cursor, and the complexity: 1 per node and per nested object.
        List<String> paged = new ArrayList<>();
        String after = null;
        do {
            HttpResponse<String> answer = http.graphql(sandbox.token(), EVENTS, vars("slug", "acme", "first", 3, "after", after));
            // organization, permissions, auditEventsView, auditEvents, pageInfo, edges; node, actor, subject, context each.
            assertEquals(Long.toString(6 + 3L * 4), answer.headers().firstValue("RateLimit-Complexity-Requested").orElseThrow());
            JsonNode page = json(answer).at("/data/organization/auditEvents");
            paged.addAll(names(page));
            after = page.at("/pageInfo/hasNextPage").asBoolean() ? page.at("/pageInfo/endCursor").asText() : null;
        } while (after != null);
        assertEquals(names(connection), paged);

        // Gates: not Enterprise, and not an admin; permissions say so beforehand.
        JsonNode notEnterprise = json(http.graphql(sandbox.token(), EVENTS, vars("slug", "acme-2", "first", 10)));
        assertFalse(notEnterprise.at("/data/organization/permissions/auditEventsView/allowed").asBoolean(true));
        assertTrue(notEnterprise.at("/data/organization/auditEvents").isNull());
        assertEquals("organization", notEnterprise.at("/errors/0/path/0").asText());
        assertEquals("auditEvents", notEnterprise.at("/errors/0/path/1").asText());
        Member plain = world.members(acme.uuid()).stream().filter(m -> m.role() == Member.Role.MEMBER).findFirst().orElseThrow();
        ApiToken plainToken = sandbox.issueToken(plain.userUuid(), DataGenerator.ALL_SCOPES, Set.of("acme"), null);
        JsonNode notAdmin = events(plainToken.secret(), vars("first", 10));
        assertFalse(notAdmin.at("/data/organization/permissions/auditEventsView/allowed").asBoolean(true));
        assertTrue(notAdmin.at("/errors/0/message").asText().contains("permission"));
    }

    @Test
    void writesThroughGraphqlRecordAnApiContext() {
        Member member = world.members(acme.uuid()).stream().filter(m -> m.role() == Member.Role.MEMBER).findFirst().orElseThrow();
        HttpResponse<String> answer = http.graphql(sandbox.token(), "mutation($id: ID!) { organizationMemberUpdate(input: {id: $id, role: ADMIN}) "
                + "{ organizationMember { role } } }", Map.of("id", member.graphqlId()));
        assertEquals("ADMIN", json(answer).at("/data/organizationMemberUpdate/organizationMember/role").asText(), answer.body());
        AuditEvent event = world.auditEvents(acme.uuid()).get(0);
        assertEquals("ORGANIZATION_MEMBER_UPDATED", event.type());
        assertEquals(AuditEvent.Context.Kind.API, event.context().kind());
        assertEquals(world.tokenBySecret(sandbox.token()).orElseThrow().uuid(), event.context().requestApiAccessTokenUuid());
    }

    @Test
    void theLogKeepsTheNewestEventsOnly() {
        Member member = world.members(acme.uuid()).stream().filter(m -> m.role() == Member.Role.MEMBER).findFirst().orElseThrow();
        for (int i = 0; i <= World.MAX_AUDIT_EVENTS + 4; i++) { // the last (10,004) even: OPTIONAL
            world.updateMember(acme, owner, member.userUuid(), null, i % 2 == 0 ? Member.SsoMode.OPTIONAL : Member.SsoMode.REQUIRED);
        }
        List<AuditEvent> log = world.auditEvents(acme.uuid());
        assertEquals(World.MAX_AUDIT_EVENTS, log.size());
        assertEquals("optional", log.get(0).data().get("sso_mode"), "the newest is kept");
        assertEquals("required", log.get(1).data().get("sso_mode"));
    }

    private JsonNode events(String token, Map<String, Object> variables) {
        Map<String, Object> withSlug = new LinkedHashMap<>(variables);
        withSlug.putIfAbsent("slug", "acme");
        return json(http.graphql(token, EVENTS, withSlug));
    }

    private static Map<String, Object> vars(Object... pairs) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                out.put((String) pairs[i], pairs[i + 1]);
            }
        }
        return out;
    }

    private static List<String> names(JsonNode connection) {
        List<String> out = new ArrayList<>();
        connection.path("edges").forEach(e -> out.add(e.at("/node/subject/name").asText()));
        return out;
    }
}
