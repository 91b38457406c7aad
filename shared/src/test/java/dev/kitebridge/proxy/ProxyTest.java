package dev.kitebridge.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.api.ApiRequest;
import dev.kitebridge.api.ApiResponse;
import dev.kitebridge.app.Application;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Member;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.Population;

/** The Proxy API against the sandbox: what it answers is what Buildkite answers, and nothing hostile gets through. */
class ProxyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static Sandbox sandbox;
    private static Application app;
    private static String account;

    @BeforeAll
    static void start() {
        sandbox = Sandbox.builder().population(Population.of(230, 12).withOrganizations(2, 0).withPendingInvitations(25))
                .limits(RateLimits.BUILDKITE.withRest(100_000, 100_000)).start();
        app = Application.create(Application.Wiring.builder()
                .buildkite(new BuildkiteAccess.Endpoints(URI.create(sandbox.restUrl()), URI.create(sandbox.graphqlUrl())))
                .build());
        account = app.accountsService().link("tenant-a", dev.kitebridge.buildkite.BuildkiteToken.of(sandbox.token()), "sandbox").account().id();
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    static ApiResponse proxy(String method, String rawPath, Map<String, String> query, String body, Map<String, String> headers) {
        Map<String, String> all = new HashMap<>(query);
        all.put("integrated_account_id", account);
        String path = rawPath.startsWith("/proxy/") ? rawPath.substring("/proxy/".length()) : rawPath;
        // As API Gateway routes them: POST /proxy/graphql has a route of its own.
        String routeKey = method.equals("POST") && rawPath.equals("/proxy/graphql") ? "POST /proxy/graphql" : "ANY /proxy/{path+}";
        return app.routes().answer(new ApiRequest(routeKey, method, rawPath, Map.of("path", path), all, headers, body, "req-proxy", "tenant-a"));
    }

    static HttpResponse<String> direct(String method, String path, String body) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(sandbox.restUrl() + path))
                    .header("Authorization", "Bearer " + sandbox.token())
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> readPaths() {
        Organization acme = sandbox.world().organizationBySlug("acme").orElseThrow();
        String team = sandbox.world().teams(acme.uuid()).get(0).uuid();
        String member = sandbox.world().members(acme.uuid()).get(3).userUuid();
        String teamMember = sandbox.world().teamMembers(acme.uuid(), team).get(0).userUuid();
        String invitation = sandbox.world().invitations(acme.uuid()).get(0).uuid();
        return List.of("access-token", "user", "organizations", "organizations/acme", "organizations/acme/members",
                "organizations/acme/members/" + member, "organizations/acme/teams", "organizations/acme/teams/" + team,
                "organizations/acme/teams/" + team + "/members", "organizations/acme/teams/" + team + "/members/" + teamMember,
                "organizations/acme/teams/" + team + "/pipelines", "organizations/acme/pipelines", "organizations/acme/invitations",
                "organizations/acme/invitations/" + invitation, "organizations/nowhere", "organizations/acme/teams/not-a-team");
    }

    @ParameterizedTest(name = "GET /v2/{0}")
    @MethodSource("readPaths")
    void everyReadAnswersAsBuildkiteDoes(String path) throws IOException {
        List<JsonNode> viaProxy = new ArrayList<>();
        String cursor = null;
        int status;
        do {
            Map<String, String> query = new HashMap<>(Map.of("per_page", "10"));
            if (cursor != null) {
                query.put("next_cursor", cursor);
            }
            ApiResponse response = proxy("GET", "/proxy/" + path, path.contains("/") || path.equals("organizations") ? query : Map.of(), null, Map.of());
            status = response.statusCode();
            JsonNode body = JSON.readTree(response.body());
            if (status == 200 && body.has("result")) {
                body.get("result").forEach(viaProxy::add);
                cursor = body.get("next_cursor").isNull() ? null : body.get("next_cursor").asText();
            } else {
                viaProxy.add(body);
                cursor = null;
            }
            assertTrue(response.headers().containsKey("ratelimit-remaining"));
        } while (cursor != null);

        List<JsonNode> direct = new ArrayList<>();
        String next = "/v2/" + path + (path.contains("/") || path.equals("organizations") ? "?per_page=10" : "");
        int directStatus;
        do {
            HttpResponse<String> answer = direct("GET", next, null);
            directStatus = answer.statusCode();
            JsonNode body = JSON.readTree(answer.body());
            String link = answer.headers().firstValue("Link").orElse("");
            if (body.isArray()) {
                body.forEach(direct::add);
                next = link.contains("rel=\"next\"") ? link.replaceAll(".*<" + java.util.regex.Pattern.quote(sandbox.restUrl()) + "([^>]*)>; rel=\"next\".*", "$1") : null;
            } else if (body.has("items")) {
                body.get("items").forEach(direct::add);
                next = body.path("links").path("next").isTextual() ? body.path("links").path("next").asText().substring(sandbox.restUrl().length()) : null;
            } else {
                direct.add(body);
                next = null;
            }
        } while (next != null);
        assertEquals(directStatus, status);
        assertEquals(direct, viaProxy);
    }

    @Test
    void writesPassThroughWithBuildkitesStatusAndRefusals() throws IOException {
        ApiResponse created = proxy("POST", "/proxy/organizations/acme-2/teams", Map.of(), "{\"name\":\"Via Proxy\"}", Map.of());
        assertEquals(201, created.statusCode());
        String team = JSON.readTree(created.body()).get("id").asText();
        ApiResponse taken = proxy("POST", "/proxy/organizations/acme-2/teams", Map.of(), "{\"name\":\"via proxy\"}", Map.of());
        assertEquals(422, taken.statusCode());
        assertEquals("{\"message\":\"Validation failed: Name has already been taken\"}", taken.body(), "Buildkite's body, unchanged");
        Organization second = sandbox.world().organizationBySlug("acme-2").orElseThrow();
        Member member = sandbox.world().members(second.uuid()).get(4);
        ApiResponse added = proxy("POST", "/proxy/organizations/acme-2/teams/" + team + "/members", Map.of(),
                "{\"user_id\":\"" + member.userUuid() + "\",\"role\":\"maintainer\"}", Map.of());
        assertEquals(201, added.statusCode());
        assertEquals(204, proxy("DELETE", "/proxy/organizations/acme-2/teams/" + team, Map.of(), null, Map.of()).statusCode());
        assertEquals(404, proxy("GET", "/proxy/organizations/acme-2/teams/" + team, Map.of(), null, Map.of()).statusCode());
    }

    @Test
    void graphqlAnswersAsItCameErrorsIncluded() throws IOException {
        ApiResponse viewer = proxy("POST", "/proxy/graphql", Map.of(), "{\"query\":\"{ viewer { user { uuid } } }\"}", Map.of());
        assertEquals(200, viewer.statusCode());
        assertEquals(sandbox.owner().uuid(), JSON.readTree(viewer.body()).at("/data/viewer/user/uuid").asText());
        ApiResponse tooBig = proxy("POST", "/proxy/graphql", Map.of(), "{\"query\":\"{ organization(slug: \\\"acme\\\") { members(first: 500) "
                + "{ edges { node { teams(first: 500) { edges { node { team { name } } } } } } } } }\"}", Map.of());
        assertEquals(200, tooBig.statusCode());
        assertTrue(JSON.readTree(tooBig.body()).at("/errors/0/message").asText().contains("exceeds max complexity"));
        assertEquals(400, proxy("POST", "/proxy/graphql", Map.of(), "{\"variables\":{}}", Map.of()).statusCode());
    }

    /** Paths and headers that try to leave Buildkite's API: each answers 400, and Buildkite hears nothing. */
    static List<Object[]> hostile() {
        List<Object[]> cases = new ArrayList<>();
        for (String path : List.of("..", "../user", "organizations/../../user", "organizations/acme/..", "./organizations",
                "organizations/./acme", "organizations/%2e%2e/user", "organizations%2f..%2fuser", "%2e%2e/%2e%2e/etc/passwd",
                "organizations/acme%2fmembers", "organizations/acme%5cmembers", "organizations\\acme", "..\\..\\user",
                "http://evil.example/v2/user", "https://evil.example", "//evil.example/v2/user", "/evil.example/v2/user",
                "@evil.example/v2/user", "organizations@evil.example", "user@evil.example:443", "evil.example:8080/v2",
                "organizations/acme\u0000", "organizations/acme\r\nHost: evil.example", "organizations/acme\nX-Injected: 1",
                "organizations/acme\t", "organizations/ acme", "organizations//acme", "organizations/acme/", "", "%00",
                "organizations/%252e%252e", "organizations/acme?x=y", "organizations/acme#fragment", "organizations/acme;jsessionid=1",
                "organizations/%u002e%u002e", "organizations/ＡＣＭＥ", "organizations/..;/user", "file:///etc/passwd",
                "organizations/acme/teams/" + "a".repeat(1100), ".hidden", "organizations/.env")) {
            cases.add(new Object[] {"path " + path.replace("\r", "\\r").replace("\n", "\\n").replace("\u0000", "\\0"), path, Map.of()});
        }
        for (String header : List.of("Forwarded", "X-Forwarded-Host", "X-Original-URL", "X-Rewrite-URL", "X-HTTP-Method-Override")) {
            cases.add(new Object[] {"header " + header, "organizations/acme", Map.of(header.toLowerCase(java.util.Locale.ROOT), "evil.example")});
        }
        return cases;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void hostilePathsAndHeadersAnswer400AndCallNothing(String name, String path, Map<String, String> headers) {
        long before = sandbox.journal().entries().size();
        ApiResponse response = proxy("GET", "/proxy/" + path, Map.of(), null, headers);
        assertEquals(400, response.statusCode(), response.body());
        assertEquals(before, sandbox.journal().entries().size(), "Buildkite heard nothing");
    }

    @Test
    void theHostileTableIsLargeEnough() {
        assertTrue(hostile().size() >= 40, "at least 40 hostile paths and headers: " + hostile().size());
    }

    @Test
    void onlyBuildkitesMethodsAndBoundedJsonBodiesPass() {
        long before = sandbox.journal().entries().size();
        assertEquals(405, proxy("HEAD", "/proxy/organizations", Map.of(), null, Map.of()).statusCode());
        assertEquals(405, proxy("OPTIONS", "/proxy/organizations", Map.of(), null, Map.of()).statusCode());
        assertEquals(405, proxy("TRACE", "/proxy/organizations", Map.of(), null, Map.of()).statusCode());
        assertEquals(413, proxy("POST", "/proxy/organizations/acme/teams", Map.of(), "{\"name\":\"" + "x".repeat(300_000) + "\"}", Map.of()).statusCode());
        assertEquals(400, proxy("POST", "/proxy/organizations/acme/teams", Map.of(), "name=x", Map.of()).statusCode());
        assertEquals(400, proxy("GET", "/proxy/organizations", Map.of(), "{}", Map.of()).statusCode());
        assertEquals(400, proxy("GET", "/proxy/organizations", Map.of("per_page", "1\r\nX: y"), null, Map.of()).statusCode());
        assertEquals(before, sandbox.journal().entries().size());
    }
}
