package dev.kitebridge.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.api.ApiRequest;
import dev.kitebridge.api.ApiResponse;
import dev.kitebridge.app.Application;
import dev.kitebridge.app.ConnectState;
import dev.kitebridge.contract.ApiJson;
import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Population;
import dev.kitebridge.time.TimeSource;

/**
 * The connect flow through its endpoints (no browser: {@code ConnectPageBrowserTest} drives Chromium
 * through the same pages): sessions and their redirect origins, the page's answers and headers,
 * CSRF, attempts, expiry, single use, and the account and event a confirmation makes.
 */
class ConnectPagesTest {

    private static final String TENANT = "tenant-a";
    private final Sandbox sandbox = Sandbox.builder().population(Population.of(30, 3))
            .limits(RateLimits.BUILDKITE.withRest(10_000, 10_000)).start();
    private final ConnectState connect = ConnectState.inMemory();
    private final Application app = Application.create(Application.Wiring.builder()
            .buildkite(new BuildkiteAccess.Endpoints(URI.create(sandbox.restUrl()), URI.create(sandbox.graphqlUrl())))
            .time(TimeSource.scaled(sandbox.clock().scale()))
            .connect(connect)
            .build());

    @AfterEach
    void stop() {
        sandbox.close();
    }

    @Test
    void aSessionRedirectsOnlyToAnOriginItsTenantAllows() throws Exception {
        ApiResponse refused = createSession("{\"redirect_url\":\"https://app.example.com/connected\"}");
        assertEquals(400, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("is not one of the tenant's allowed redirect origins"), refused.body());

        ApiResponse set = settings("PUT", "{\"allowed_redirect_origins\":[\"https://APP.example.com:443/\",\"http://localhost:8080\"]}");
        assertEquals(200, set.statusCode(), set.body());
        assertEquals("[\"https://app.example.com\",\"http://localhost:8080\"]", json(set).get("allowed_redirect_origins").toString());
        assertEquals(set.body(), settings("GET", null).body());
        for (String bad : List.of("http://app.example.com", "https://user:pw@app.example.com", "https://app.example.com/path", "app.example.com")) {
            ApiResponse answer = settings("PUT", "{\"allowed_redirect_origins\":[\"" + bad + "\"]}");
            assertEquals(400, answer.statusCode(), bad + ": " + answer.body());
        }
        for (String bad : List.of("https://evil.example.com/x", "https://app.example.com.evil.net/", "https://app.example.com/x#frag",
                "javascript:alert(1)")) {
            assertEquals(400, createSession("{\"redirect_url\":\"" + bad + "\"}").statusCode(), bad);
        }
        ApiResponse created = createSession("{\"label\":\"Acme\",\"redirect_url\":\"https://app.example.com/connected?step=2\","
                + "\"state\":\"s-1\",\"required_scopes\":[\"read_user\",\"graphql\"]}");
        assertEquals(201, created.statusCode(), created.body());
        JsonNode session = json(created);
        assertTrue(session.get("id").asText().startsWith("cs_"));
        assertTrue(session.get("url").asText().matches("https://api\\.example\\.com/connect/kbcs_[A-Za-z0-9_-]{43}"), session.toString());
        assertFalse(session.get("url").asText().contains(session.get("id").asText()), "the public id opens nothing");
        Instant expires = Instant.parse(session.get("expires_at").asText());
        assertTrue(Duration.between(Instant.now(), expires).toMinutes() >= 29, session.toString());
        assertEquals(400, createSession("{\"required_scopes\":[\"read_builds\"]}").statusCode());
        assertEquals(400, createSession("{\"colour\":\"blue\"}").statusCode());
        assertEquals(201, createSession(null).statusCode(), "every field is optional");
    }

    @Test
    void aGoodTokenIsCheckedShownAndLinkedOnConfirmationThenTheLinkIsUsed() throws Exception {
        settings("PUT", "{\"allowed_redirect_origins\":[\"https://app.example.com\"]}");
        String secret = secretOf(createSession("{\"label\":\"Acme\",\"redirect_url\":\"https://app.example.com/done?x=1\",\"state\":\"a b&c\"}"));
        ApiResponse form = page("GET", secret, null);
        assertEquals(200, form.statusCode());
        assertSafetyHeaders(form, "'self' https://app.example.com");
        assertTrue(form.body().contains("https://buildkite.com/user/api-access-tokens/new"), "it links Buildkite's new-token page");
        assertTrue(form.body().contains("<label for=\"token\">"), "the field has a label");
        assertFalse(form.body().contains("<script"), "no script at all");
        assertFalse(form.body().contains(secret), "the page does not write its secret (the form posts to its own URL)");
        String csrf = csrfOf(form);

        ApiResponse checked = page("POST", secret, Map.of("csrf", csrf, "action", "check", "token", sandbox.token()));
        assertEquals(303, checked.statusCode(), checked.body());
        assertEquals(secret, checked.headers().get("location"), "back to the page, relative to it");
        assertTrue(app.accountsService().list(TENANT).isEmpty(), "nothing is linked before confirmation");
        ApiResponse review = page("GET", secret, null);
        assertEquals(200, review.statusCode());
        assertTrue(review.body().contains("Buildkite accepted the token"), review.body());
        sandbox.world().organizations().forEach(org -> assertTrue(review.body().contains(org.name()), org.name()));
        assertFalse(review.body().contains(sandbox.token()), "the token is never rendered back");
        assertFalse(review.body().contains("name=\"token\""), "nor kept in the page");

        ApiResponse confirmed = page("POST", secret, Map.of("csrf", csrf, "action", "confirm"));
        assertEquals(303, confirmed.statusCode(), confirmed.body());
        String location = confirmed.headers().get("location");
        Matcher linked = Pattern.compile("https://app\\.example\\.com/done\\?x=1&integrated_account_id=(acct_[0-9a-f]{32})&state=a\\+b%26c")
                .matcher(location);
        assertTrue(linked.matches(), location);
        String accountId = linked.group(1);
        assertEquals(List.of(accountId), app.accountsService().list(TENANT).stream().map(v -> v.account().id()).toList());
        assertEquals("Acme", app.accountsService().get(TENANT, accountId).account().label());

        JsonNode events = json(app.sync().events(new ApiRequest("GET", "/events", Map.of(), Map.of("integrated_account_id", accountId),
                Map.of(), null, "req-events", TENANT)));
        assertEquals(ChangeEvent.ACCOUNT_CREATED, events.get("result").get(0).get("event").asText(), events.toString());
        assertEquals(accountId, events.get("result").get(0).get("data").get("id").asText());

        ApiResponse again = page("GET", secret, null);
        assertEquals(410, again.statusCode());
        assertTrue(again.body().contains("This link has been used"));
        assertEquals(410, page("POST", secret, Map.of("csrf", csrf, "action", "confirm")).statusCode(), "nor can it be confirmed twice");
        assertEquals(1, app.accountsService().list(TENANT).size());
    }

    @Test
    void aRefusedTokenIsToldBesideItsFieldAndNothingIsKept() throws Exception {
        String secret = secretOf(createSession("{}"));
        String csrf = csrfOf(page("GET", secret, null));
        String wrong = "bkua_" + "0".repeat(40);
        ApiResponse refused = page("POST", secret, Map.of("csrf", csrf, "action", "check", "token", wrong));
        assertEquals(422, refused.statusCode());
        assertTrue(refused.body().contains("id=\"token-error\""), refused.body());
        assertTrue(refused.body().contains("aria-describedby=\"token-hint token-error\" aria-invalid=\"true\""), refused.body());
        assertFalse(refused.body().contains(wrong), "the token is not rendered back");
        assertTrue(refused.body().contains("4 tries left"), refused.body());
        assertTrue(app.accountsService().list(TENANT).isEmpty());
        assertEquals(null, connect.sessions().find(ConnectSecrets.hash(secret)).orElseThrow().pending());
        assertEquals(422, page("POST", secret, Map.of("csrf", csrf, "action", "check", "token", "  ")).statusCode(), "an empty token");
    }

    @Test
    void aTokenMissingScopesShowsWhatWillNotWorkAndOneMissingARequiredScopeCannotBeLinked() throws Exception {
        String owner = sandbox.owner().uuid();
        Set<String> organizations = Set.of(sandbox.world().organizations().get(0).slug());
        String readOnly = sandbox.issueToken(owner, Set.of("read_user", "read_organizations", "read_teams", "graphql"), organizations, null)
                .secret();
        String secret = secretOf(createSession("{}"));
        String csrf = csrfOf(page("GET", secret, null));
        assertEquals(303, page("POST", secret, Map.of("csrf", csrf, "action", "check", "token", readOnly)).statusCode());
        ApiResponse review = page("GET", secret, null);
        for (String scope : List.of("write_teams", "write_organizations", "write_organization_invitations")) {
            assertTrue(review.body().contains("<li><code>" + scope + "</code>"), scope + " is listed as missing: " + review.body());
        }
        assertTrue(review.body().contains("Connect anyway"), review.body());

        String noTeams = sandbox.issueToken(owner, Set.of("read_user", "read_organizations", "graphql"), organizations, null).secret();
        String second = secretOf(createSession("{}"));
        String csrf2 = csrfOf(page("GET", second, null));
        page("POST", second, Map.of("csrf", csrf2, "action", "check", "token", noTeams));
        ApiResponse lacking = page("GET", second, null);
        assertTrue(lacking.body().contains("This connection requires <code>read_teams</code>"), lacking.body());
        assertFalse(lacking.body().contains("value=\"confirm\""), "no confirmation is offered");
        assertEquals(403, page("POST", second, Map.of("csrf", csrf2, "action", "confirm")).statusCode(), "nor taken");
        assertEquals(303, page("POST", second, Map.of("csrf", csrf2, "action", "restart")).statusCode());
        assertTrue(page("GET", second, null).body().contains("name=\"token\""), "another token can be pasted");

        ApiResponse done = page("POST", secret, Map.of("csrf", csrf, "action", "confirm"));
        assertEquals(200, done.statusCode(), "without a redirect_url, a done page");
        assertTrue(done.body().contains("Buildkite is connected"), done.body());
        assertEquals(1, app.accountsService().list(TENANT).size(), "the token lacking optional scopes is linked");
    }

    @Test
    void aCsrfTokenOfAnotherSessionOrNoneIsRefused() throws Exception {
        String mine = secretOf(createSession("{}"));
        String other = secretOf(createSession("{}"));
        String othersCsrf = csrfOf(page("GET", other, null));
        ApiResponse refused = page("POST", mine, Map.of("csrf", othersCsrf, "action", "check", "token", sandbox.token()));
        assertEquals(403, refused.statusCode());
        assertEquals(400, page("POST", mine, Map.of("action", "check", "token", sandbox.token())).statusCode());
        assertEquals(0, connect.sessions().find(ConnectSecrets.hash(mine)).orElseThrow().attempts(), "nothing was tried");
    }

    @Test
    void aLinkTakesFiveTokensAtMost() throws Exception {
        String secret = secretOf(createSession("{}"));
        String csrf = csrfOf(page("GET", secret, null));
        for (int i = 0; i < ConnectService.MAX_ATTEMPTS - 1; i++) {
            assertEquals(422, page("POST", secret, Map.of("csrf", csrf, "action", "check", "token", "bkua_wrong" + i)).statusCode());
        }
        assertEquals(410, page("POST", secret, Map.of("csrf", csrf, "action", "check", "token", "bkua_wrong_last")).statusCode(),
                "the fifth wrong token uses the link up");
        ApiResponse after = page("POST", secret, Map.of("csrf", csrf, "action", "check", "token", sandbox.token()));
        assertEquals(410, after.statusCode());
        assertTrue(after.body().contains("Too many tokens were tried"));
        assertEquals(410, page("GET", secret, null).statusCode());
        assertTrue(app.accountsService().list(TENANT).isEmpty());
    }

    @Test
    void anExpiredOrUnknownLinkSaysSoAndNothingOfTheTenant() throws Exception {
        ConnectService past = new ConnectService(connect.sessions(), connect.redirectOrigins(), app.accountsService(),
                TimeSource.fixed(Instant.now().minus(Duration.ofMinutes(31))));
        String expired = past.create(TENANT, "Acme Secret Project", "st", null, null).secret();
        ApiResponse page = page("GET", expired, null);
        assertEquals(410, page.statusCode());
        assertTrue(page.body().contains("This link has expired"));
        assertEquals(410, page("POST", expired, Map.of("csrf", ConnectSecrets.csrfToken(expired), "action", "check",
                "token", sandbox.token())).statusCode());
        for (String unknown : List.of(ConnectSecrets.newSecret(), "kbcs_short", "anything", "..%2F")) {
            ApiResponse missing = page("GET", unknown, null);
            assertEquals(404, missing.statusCode(), unknown);
            assertSafetyHeaders(missing, "'self'");
        }
        for (ApiResponse answer : List.of(page, page("GET", ConnectSecrets.newSecret(), null))) {
            assertFalse(answer.body().contains(TENANT) || answer.body().contains("Acme"), "nothing of the tenant: " + answer.body());
        }
        assertTrue(app.accountsService().list(TENANT).isEmpty());
    }

    @Test
    void theWaitingTokenIsSealedAndOpensOnlyWithItsSessionsSecret() {
        String secret = ConnectSecrets.newSecret();
        String sealed = ConnectSecrets.seal(secret, dev.kitebridge.buildkite.BuildkiteToken.of(sandbox.token()));
        assertFalse(sealed.contains(sandbox.token()));
        assertEquals(sandbox.token(), ConnectSecrets.open(secret, sealed).reveal());
        String other = ConnectSecrets.newSecret();
        IllegalStateException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> ConnectSecrets.open(other, sealed));
        assertFalse(refused.getMessage().contains(sealed));
        assertFalse(ConnectSecrets.csrfToken(secret).equals(ConnectSecrets.csrfToken(other)));
    }

    static void assertSafetyHeaders(ApiResponse answer, String formAction) {
        String csp = answer.headers().get("content-security-policy");
        assertNotNull(csp);
        assertTrue(csp.startsWith("default-src 'none'; style-src 'sha256-"), csp);
        assertFalse(csp.contains("script-src") || csp.contains("unsafe-inline"), csp);
        assertTrue(csp.contains("form-action " + formAction + ";"), csp);
        assertTrue(csp.contains("frame-ancestors 'none'"), csp);
        assertEquals("no-referrer", answer.headers().get("referrer-policy"));
        assertEquals("no-store", answer.headers().get("cache-control"));
        assertEquals("text/html; charset=utf-8", answer.headers().get("content-type"));
    }

    private ApiResponse createSession(String body) {
        return app.connectSessions().createSession(new ApiRequest("POST", "/connect-sessions", Map.of(), Map.of(),
                Map.of("host", "api.example.com"), body, "req-create", TENANT));
    }

    private ApiResponse settings(String method, String body) {
        return app.routes().answer(new ApiRequest(method + " /connect-settings", method, "/connect-settings", Map.of(), Map.of(), Map.of(), body, "req-s", TENANT));
    }

    private ApiResponse page(String method, String secret, Map<String, String> form) {
        StringBuilder body = null;
        if (form != null) {
            body = new StringBuilder();
            for (Map.Entry<String, String> field : new LinkedHashMap<>(form).entrySet()) {
                body.append(body.isEmpty() ? "" : "&").append(field.getKey()).append('=')
                        .append(URLEncoder.encode(field.getValue(), StandardCharsets.UTF_8));
            }
        }
        return app.routes().answer(new ApiRequest(method + " /connect/{session}", method, "/connect/{session}", Map.of("session", secret), Map.of(),
                Map.of("content-type", "application/x-www-form-urlencoded"), body == null ? null : body.toString(), "req-page", null));
    }

    private static String secretOf(ApiResponse created) throws Exception {
        assertEquals(201, created.statusCode(), created.body());
        String url = json(created).get("url").asText();
        return url.substring(url.lastIndexOf('/') + 1);
    }

    private static String csrfOf(ApiResponse page) {
        Matcher csrf = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(page.body());
        assertTrue(csrf.find(), page.body());
        return csrf.group(1);
    }

    private static JsonNode json(ApiResponse answer) throws Exception {
        return ApiJson.MAPPER.readTree(answer.body());
    }
}
