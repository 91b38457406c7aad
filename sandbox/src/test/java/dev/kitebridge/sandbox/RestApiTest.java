package dev.kitebridge.sandbox;

import static dev.kitebridge.sandbox.SandboxHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.sandbox.model.ApiToken;
import dev.kitebridge.sandbox.model.DataGenerator;
import dev.kitebridge.sandbox.model.Member;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.Population;
import dev.kitebridge.sandbox.model.Team;

/** The REST v2 surface, read as Buildkite's fact sheet describes it. */
class RestApiTest {

    private static Sandbox sandbox;
    private static SandboxHttp http;
    private static String token;

    @BeforeAll
    static void start() {
        sandbox = Sandbox.builder().population(Population.of(250, 12).withOrganizations(3, 1).withPendingInvitations(45)).start();
        http = new SandboxHttp(sandbox);
        token = sandbox.token();
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    @Test
    void rootAnswersWithoutAToken() {
        HttpResponse<String> root = http.get(null, "/");
        assertEquals(200, root.statusCode());
        assertEquals("🛠", json(root).get("message").asText());
    }

    @Test
    void aBadTokenGetsBuildkitesExact401() {
        for (String bad : new String[] {null, "bkua_nope"}) {
            HttpResponse<String> answer = http.get(bad, "/v2/user");
            assertEquals(401, answer.statusCode());
            assertEquals("{\"message\":\"Authentication required. Please supply a valid API Access Token: "
                    + "https://buildkite.com/docs/apis/rest-api#authentication\"}", answer.body());
        }
    }

    @Test
    void aMissingScopeGetsBuildkitesExact403() {
        ApiToken narrow = sandbox.issueToken(sandbox.owner().uuid(), Set.of("read_organizations"), Set.of("acme"), null);
        HttpResponse<String> answer = http.get(narrow.secret(), "/v2/organizations/acme/teams");
        assertEquals(403, answer.statusCode());
        assertEquals("{\"message\":\"Your access token doesn't have the read_teams scope\"}", answer.body());
        assertEquals(200, http.get(narrow.secret(), "/v2/access-token").statusCode(), "the token endpoint needs no scope");
    }

    @Test
    void anOrganizationOutOfTheTokensReachIsNotFound() {
        ApiToken one = sandbox.issueToken(sandbox.owner().uuid(), DataGenerator.ALL_SCOPES, Set.of("acme"), null);
        assertEquals(404, http.get(one.secret(), "/v2/organizations/acme-2").statusCode());
        assertEquals("No organization found", json(http.get(one.secret(), "/v2/organizations/acme-2/members")).get("message").asText());
        assertEquals(1, json(http.get(one.secret(), "/v2/organizations")).size());
    }

    @Test
    void accessTokenTimestampsUseTheAccessTokenFormat() {
        JsonNode accessToken = json(http.get(token, "/v2/access-token"));
        assertTrue(accessToken.get("created_at").asText().matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC"));
        assertTrue(accessToken.get("expires_at").isNull());
        assertEquals("Kite Owner", accessToken.path("user").path("name").asText());
        assertTrue(json(http.get(token, "/v2/user")).get("created_at").asText().matches(".*T.*\\.\\d{3}Z"));
    }

    @Test
    void aSinglePageHasNoLinkHeader() {
        HttpResponse<String> orgs = http.get(token, "/v2/organizations");
        assertTrue(orgs.headers().firstValue("Link").isEmpty());
        assertEquals(3, json(orgs).size());
    }

    @Test
    void pagesCarryLinksAndEveryMemberComesOnce() {
        Set<String> seen = new HashSet<>();
        String next = "/v2/organizations/acme/members?per_page=100";
        int pages = 0;
        while (next != null) {
            HttpResponse<String> page = http.get(token, next);
            pages++;
            json(page).forEach(m -> assertTrue(seen.add(m.get("id").asText()), "member twice: " + m));
            String link = page.headers().firstValue("Link").orElse("");
            next = link.contains("rel=\"next\"")
                    ? link.replaceAll(".*<" + java.util.regex.Pattern.quote(sandbox.restUrl()) + "([^>]*)>; rel=\"next\".*", "$1")
                    : null;
        }
        assertEquals(3, pages);
        assertEquals(250, seen.size());
    }

    @Test
    void pastTheLastPageIsAnEmptyListLinkingBack() {
        HttpResponse<String> past = http.get(token, "/v2/organizations/acme/members?per_page=100&page=9");
        assertEquals("[]", past.body());
        String link = past.headers().firstValue("Link").orElseThrow();
        assertTrue(link.contains("rel=\"first\"") && link.contains("rel=\"prev\""));
        assertFalse(link.contains("rel=\"next\""));
    }

    @Test
    void perPageDefaultsTo30AndIsCappedAt100() {
        assertEquals(30, json(http.get(token, "/v2/organizations/acme/members")).size());
        assertEquals(100, json(http.get(token, "/v2/organizations/acme/members?per_page=500")).size());
    }

    @Test
    void membersOfAnOrganizationWithoutThe2026FieldsHaveOnlyIdNameAndEmail() {
        JsonNode legacy = json(http.get(token, "/v2/organizations/acme-3/members?per_page=5")).get(0);
        assertEquals(Set.of("id", "name", "email"), fieldNames(legacy));
        JsonNode current = json(http.get(token, "/v2/organizations/acme/members?per_page=5")).get(0);
        assertEquals(Set.of("id", "name", "email", "role", "sso_mode"), fieldNames(current));
    }

    @Test
    void ssoModeAndSecretTeamsAreHiddenFromOrdinaryMembers() {
        Organization acme = sandbox.world().organizationBySlug("acme").orElseThrow();
        Member plain = sandbox.world().members(acme.uuid()).stream()
                .filter(m -> m.role() == Member.Role.MEMBER).findFirst().orElseThrow();
        ApiToken theirs = sandbox.issueToken(plain.userUuid(), DataGenerator.ALL_SCOPES, Set.of("acme"), null);
        JsonNode members = json(http.get(theirs.secret(), "/v2/organizations/acme/members?per_page=100"));
        members.forEach(m -> assertEquals(m.get("id").asText().equals(plain.userUuid()), m.has("sso_mode"),
                "sso_mode only on the viewer's own membership"));

        Team secret = sandbox.world().teams(acme.uuid()).stream()
                .filter(t -> t.privacy() == Team.Privacy.SECRET)
                .filter(t -> sandbox.world().teamMember(acme.uuid(), t.uuid(), plain.userUuid()).isEmpty())
                .findFirst().orElseThrow();
        assertEquals(404, http.get(theirs.secret(), "/v2/organizations/acme/teams/" + secret.uuid()).statusCode());
        assertEquals(200, http.get(token, "/v2/organizations/acme/teams/" + secret.uuid()).statusCode());
    }

    @Test
    void invitationsAreAnEnvelopePagedByCursor() {
        Set<String> seen = new HashSet<>();
        String next = "/v2/organizations/acme/invitations?per_page=20";
        while (next != null) {
            JsonNode page = json(http.get(token, next));
            page.get("items").forEach(i -> {
                assertEquals("pending", i.get("state").asText());
                assertTrue(seen.add(i.get("id").asText()));
            });
            JsonNode link = page.path("links").path("next");
            next = link.isNull() ? null : link.asText().substring(sandbox.restUrl().length());
        }
        assertEquals(45, seen.size());
        assertEquals(400, http.get(token, "/v2/organizations/acme/invitations?after=x&before=y").statusCode());
        assertEquals(400, http.get(token, "/v2/organizations/acme/invitations?per_page=101").statusCode());
    }

    @Test
    void buildkitesWriteRulesHold() {
        Organization acme = sandbox.world().organizationBySlug("acme-2").orElseThrow();
        String owner = sandbox.owner().uuid();
        String base = "/v2/organizations/acme-2";

        HttpResponse<String> self = http.send(token, "PATCH", base + "/members/" + owner, Map.of("role", "member"));
        assertEquals(403, self.statusCode(), "nobody changes their own membership");

        HttpResponse<String> empty = http.send(token, "PATCH", base + "/members/" + owner, Map.of());
        assertEquals(422, empty.statusCode());

        HttpResponse<String> team = http.send(token, "POST", base + "/teams", Map.of("name", "Release Engineering"));
        assertEquals(201, team.statusCode());
        String teamId = json(team).get("id").asText();
        HttpResponse<String> taken = http.send(token, "POST", base + "/teams", Map.of("name", "release engineering"));
        assertEquals(422, taken.statusCode());
        assertEquals("Validation failed: Name has already been taken", json(taken).get("message").asText());

        String outsider = sandbox.world().members(sandbox.world().organizationBySlug("acme").orElseThrow().uuid()).stream()
                .map(Member::userUuid)
                .filter(u -> sandbox.world().member(acme.uuid(), u).isEmpty())
                .findFirst().orElseThrow();
        assertEquals(422, http.send(token, "POST", base + "/teams/" + teamId + "/members", Map.of("user_id", outsider)).statusCode());

        String member = sandbox.world().members(acme.uuid()).get(5).userUuid();
        HttpResponse<String> added = http.send(token, "POST", base + "/teams/" + teamId + "/members",
                Map.of("user_id", member, "role", "maintainer"));
        assertEquals(201, added.statusCode());
        assertEquals("maintainer", json(added).get("role").asText());
        assertEquals(422, http.send(token, "POST", base + "/teams/" + teamId + "/members", Map.of("user_id", member)).statusCode());

        // A write through REST is visible through GraphQL.
        JsonNode viaGraphql = json(http.graphql(token, "{ team(slug: \"acme-2/release-engineering\") { members(first: 10) { count } } }"));
        assertEquals(2, viaGraphql.path("data").path("team").path("members").path("count").asInt(), "creator and new member");

        assertEquals(204, http.send(token, "DELETE", base + "/teams/" + teamId, null).statusCode());
        assertEquals(404, http.get(token, base + "/teams/" + teamId).statusCode());

        HttpResponse<String> badRole = http.send(token, "PATCH", base + "/members/" + member, Map.of("role", "owner"));
        assertEquals(422, badRole.statusCode());
        HttpResponse<String> garbage = http.send(token, "PATCH", base + "/members/" + member, "not an object");
        assertEquals(400, garbage.statusCode());
    }

    @Test
    void theLastAdminStays() {
        try (Sandbox small = Sandbox.builder().population(new Population(3, 1, 3, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0)).start()) {
            SandboxHttp smallHttp = new SandboxHttp(small);
            Organization org = small.world().organizations().get(0);
            String other = small.world().members(org.uuid()).get(1).userUuid();
            // Make another admin, let them remove the owner, then nobody may remove the last admin.
            assertEquals(200, smallHttp.send(small.token(), "PATCH", "/v2/organizations/acme/members/" + other,
                    Map.of("role", "admin")).statusCode());
            ApiToken theirs = small.issueToken(other, DataGenerator.ALL_SCOPES, Set.of("acme"), null);
            assertEquals(204, smallHttp.send(theirs.secret(), "DELETE", "/v2/organizations/acme/members/" + small.owner().uuid(), null).statusCode());
            HttpResponse<String> last = smallHttp.send(theirs.secret(), "DELETE", "/v2/organizations/acme/members/" + other, null);
            assertEquals(422, last.statusCode());
            assertEquals(404, smallHttp.get(small.token(), "/v2/organizations/acme").statusCode(),
                    "a removed user's token no longer reaches the organization");
        }
    }

    @Test
    void invitingValidatesTheWholeBatchFirst() {
        String base = "/v2/organizations/acme-2";
        int before = sandbox.world().invitations(sandbox.world().organizationBySlug("acme-2").orElseThrow().uuid()).size();
        HttpResponse<String> bad = http.send(token, "POST", base + "/invitations",
                Map.of("emails", List.of("new.one@example.com", "not-an-email")));
        assertEquals(422, bad.statusCode());
        assertEquals(before, sandbox.world().invitations(sandbox.world().organizationBySlug("acme-2").orElseThrow().uuid()).size());

        List<String> emails = List.of("New.One@example.com", "new.one@example.com", "two@example.com");
        HttpResponse<String> noSsoMode = http.send(token, "POST", base + "/invitations", Map.of("emails", emails));
        assertEquals(422, noSsoMode.statusCode(), "with SSO on (acme-2), an invitation must say its SSO mode");
        HttpResponse<String> ok = http.send(token, "POST", base + "/invitations",
                Map.of("emails", emails, "role", "admin", "sso_mode", "optional"));
        assertEquals(201, ok.statusCode());
        JsonNode created = json(ok);
        assertEquals(2, created.size(), "duplicates are ignored case-insensitively");
        String id = created.get(0).get("id").asText();
        assertEquals(204, http.send(token, "DELETE", base + "/invitations/" + id, null).statusCode());
        assertEquals(422, http.send(token, "DELETE", base + "/invitations/" + id, null).statusCode());
        assertEquals("revoked", json(http.get(token, base + "/invitations/" + id)).get("state").asText());
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
