package dev.kitebridge.sandbox;

import static dev.kitebridge.sandbox.SandboxHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.sandbox.model.ApiToken;
import dev.kitebridge.sandbox.model.Member;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.Population;

/** The GraphQL surface: connections, complexity, errors and mutations. */
class GraphqlApiTest {

    private static Sandbox sandbox;
    private static SandboxHttp http;
    private static String token;

    @BeforeAll
    static void start() {
        sandbox = Sandbox.builder().population(Population.of(1200, 10)).start();
        http = new SandboxHttp(sandbox);
        token = sandbox.token();
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    @Test
    void complexityFollowsBuildkitesRule() {
        // Buildkite's own example, on teams: 1 (organization) + 1 (connection) + 1 (edges) + 500 nodes requested.
        HttpResponse<String> answer = http.graphql(token, "{ organization(slug: \"acme\") { teams(first: 500) { edges { node { slug } } } } }");
        assertEquals("503", answer.headers().firstValue("RateLimit-Complexity-Requested").orElseThrow());
        int teams = sandbox.world().teams(org().uuid()).size();
        assertEquals(Integer.toString(3 + teams), answer.headers().firstValue("RateLimit-Complexity-Actual").orElseThrow(),
                "1 point per team returned");
    }

    @Test
    void aQueryOverTheCapIsRefusedWithHttp200() {
        HttpResponse<String> answer = http.graphql(token, "{ organization(slug: \"acme\") { members(first: 500) { edges { node { "
                + "teams(first: 100) { edges { node { team { name } } } } } } } } }");
        assertEquals(200, answer.statusCode());
        assertTrue(json(answer).path("errors").get(0).path("message").asText()
                .matches("Query has complexity of \\d+, which exceeds max complexity of 50000"));
        assertTrue(json(answer).path("data").isMissingNode());
    }

    @Test
    void connectionsCountEverythingAndPageAtMost500() {
        Set<String> seen = new HashSet<>();
        String after = null;
        int pages = 0;
        do {
            JsonNode members = json(http.graphql(token,
                    "query($after: String) { organization(slug: \"acme\") { members(first: 900, after: $after) { "
                            + "count pageInfo { hasNextPage endCursor } edges { node { uuid } } } } }",
                    after == null ? Map.of() : Map.of("after", after))).path("data").path("organization").path("members");
            assertEquals(1200, members.path("count").asInt());
            assertTrue(members.path("edges").size() <= 500, "first is capped at 500");
            members.path("edges").forEach(e -> assertTrue(seen.add(e.path("node").path("uuid").asText())));
            after = members.path("pageInfo").path("hasNextPage").asBoolean() ? members.path("pageInfo").path("endCursor").asText() : null;
            pages++;
        } while (after != null);
        assertEquals(3, pages);
        assertEquals(1200, seen.size());
    }

    @Test
    void memberFiltersAnswerAccessReviewQuestions() {
        JsonNode admins = json(http.graphql(token, "{ organization(slug: \"acme\") { members(first: 500, role: [ADMIN], "
                + "security: {twoFactorEnabled: false}) { count edges { node { role security { twoFactorEnabled } } } } } }"))
                .path("data").path("organization").path("members");
        assertTrue(admins.path("count").asInt() > 0);
        admins.path("edges").forEach(e -> {
            assertEquals("ADMIN", e.path("node").path("role").asText());
            assertEquals(false, e.path("node").path("security").path("twoFactorEnabled").asBoolean());
        });
        String email = sandbox.world().requireUser(sandbox.world().members(org().uuid()).get(10).userUuid()).email();
        JsonNode one = json(http.graphql(token, "{ organization(slug: \"acme\") { members(first: 5, email: \"" + email.toUpperCase()
                + "\") { count edges { node { user { email } } } } } }")).path("data").path("organization").path("members");
        assertEquals(1, one.path("count").asInt());
    }

    /**
     * A team's members filtered by security too: both filters hold (not either), and a count alone
     * costs what Buildkite charges, 1 point a connection: one alias a team, the organization 1 more.
     */
    @Test
    void teamAndSecurityFiltersCombineAndACountPerTeamCostsAPoint() {
        var world = sandbox.world();
        var teams = world.teams(org().uuid()).stream().limit(3).toList();
        StringBuilder query = new StringBuilder("{ organization(slug: \"acme\") { ");
        for (int i = 0; i < teams.size(); i++) {
            query.append("t").append(i).append(": members(team: \"").append(teams.get(i).uuid())
                    .append("\", security: {twoFactorEnabled: true}) { count } ");
        }
        query.append("} }");
        HttpResponse<String> answer = http.graphql(token, query.toString());
        JsonNode organization = json(answer).path("data").path("organization");
        boolean someOff = false;
        for (int i = 0; i < teams.size(); i++) {
            var members = world.teamMembers(org().uuid(), teams.get(i).uuid());
            long on = members.stream().filter(tm -> world.requireUser(tm.userUuid()).twoFactorEnabled()).count();
            someOff |= on < members.size();
            assertTrue(on > 0, "a team with members who have 2FA on");
            assertEquals(on, organization.path("t" + i).path("count").asLong(), "the team's members who have 2FA on, no others");
        }
        assertTrue(someOff, "and some who do not, whom the filter leaves out");
        assertEquals(Integer.toString(1 + teams.size()), answer.headers().firstValue("RateLimit-Complexity-Requested").orElseThrow());
        assertEquals(Integer.toString(1 + teams.size()), answer.headers().firstValue("RateLimit-Complexity-Actual").orElseThrow());

        var team = teams.get(0);
        JsonNode listed = json(http.graphql(token, "{ organization(slug: \"acme\") { members(first: 500, team: \"" + team.uuid()
                + "\", security: {twoFactorEnabled: false}) { edges { node { user { uuid } security { twoFactorEnabled } } } } } }"))
                .path("data").path("organization").path("members").path("edges");
        Set<String> inTeam = new HashSet<>();
        world.teamMembers(org().uuid(), team.uuid()).forEach(tm -> inTeam.add(tm.userUuid()));
        long off = inTeam.stream().filter(u -> !world.requireUser(u).twoFactorEnabled()).count();
        assertEquals(off, listed.size());
        listed.forEach(e -> {
            assertTrue(inTeam.contains(e.path("node").path("user").path("uuid").asText()));
            assertEquals(false, e.path("node").path("security").path("twoFactorEnabled").asBoolean(true));
        });
    }

    @Test
    void withoutTheGraphqlScopeTheAnswerIs403() {
        ApiToken restOnly = sandbox.issueToken(sandbox.owner().uuid(), Set.of("read_organizations"), Set.of("acme"), null);
        HttpResponse<String> answer = http.graphql(restOnly.secret(), "{ viewer { id } }");
        assertEquals(403, answer.statusCode());
        assertEquals("Your access token doesn't have the graphql scope", json(answer).path("errors").get(0).path("message").asText());
        assertEquals(401, http.graphql("bkua_wrong", "{ viewer { id } }").statusCode());
    }

    @Test
    void mutationsTakeIdsOfTheirOwnKind() {
        Member member = sandbox.world().members(org().uuid()).stream()
                .filter(m -> m.role() == Member.Role.MEMBER).findFirst().orElseThrow();
        String userId = sandbox.world().requireUser(member.userUuid()).graphqlId();
        String update = "mutation($id: ID!) { organizationMemberUpdate(input: {id: $id, role: ADMIN}) { organizationMember { role } } }";

        JsonNode wrongKind = json(http.graphql(token, update, Map.of("id", userId)));
        assertTrue(wrongKind.path("data").path("organizationMemberUpdate").isNull());
        assertEquals("No organization member found", wrongKind.path("errors").get(0).path("message").asText());

        JsonNode promoted = json(http.graphql(token, update, Map.of("id", member.graphqlId())));
        assertEquals("ADMIN", promoted.path("data").path("organizationMemberUpdate").path("organizationMember").path("role").asText());
        assertEquals(Member.Role.ADMIN, sandbox.world().member(org().uuid(), member.userUuid()).orElseThrow().role());
    }

    @Test
    void teamMutationsChangeWhatRestReads() {
        String create = "mutation($org: ID!) { teamCreate(input: {organizationID: $org, name: \"Ops Ünit\", privacy: SECRET, "
                + "isDefaultTeam: false, defaultMemberRole: MEMBER, clientMutationId: \"c1\"}) { clientMutationId teamEdge { node { id uuid slug } } } }";
        JsonNode created = json(http.graphql(token, create, Map.of("org", org().graphqlId()))).path("data").path("teamCreate");
        assertEquals("c1", created.path("clientMutationId").asText());
        String teamUuid = created.path("teamEdge").path("node").path("uuid").asText();
        assertEquals("ops-unit", created.path("teamEdge").path("node").path("slug").asText());
        JsonNode viaRest = json(http.get(token, "/v2/organizations/acme/teams/" + teamUuid));
        assertEquals("secret", viaRest.path("privacy").asText());

        JsonNode again = json(http.graphql(token, create, Map.of("org", org().graphqlId())));
        assertEquals("Validation failed: Name has already been taken", again.path("errors").get(0).path("message").asText());

        Member member = sandbox.world().members(org().uuid()).get(20);
        String add = "mutation($team: ID!, $user: ID!) { teamMemberCreate(input: {teamID: $team, userID: $user, role: MAINTAINER}) "
                + "{ teamMemberEdge { node { id role } } } }";
        JsonNode added = json(http.graphql(token, add, Map.of("team", created.path("teamEdge").path("node").path("id").asText(),
                "user", sandbox.world().requireUser(member.userUuid()).graphqlId())));
        assertEquals("MAINTAINER", added.path("data").path("teamMemberCreate").path("teamMemberEdge").path("node").path("role").asText());
        assertEquals("maintainer", json(http.get(token, "/v2/organizations/acme/teams/" + teamUuid + "/members/" + member.userUuid()))
                .path("role").asText());
    }

    private static Organization org() {
        return sandbox.world().organizationBySlug("acme").orElseThrow();
    }
}
