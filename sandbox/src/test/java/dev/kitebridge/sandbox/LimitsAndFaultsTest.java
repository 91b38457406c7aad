package dev.kitebridge.sandbox;

import static dev.kitebridge.sandbox.SandboxHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.sandbox.faults.FaultPlan;
import dev.kitebridge.sandbox.faults.Faults;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.ApiToken;
import dev.kitebridge.sandbox.model.DataGenerator;
import dev.kitebridge.sandbox.model.Member;
import dev.kitebridge.sandbox.model.Population;

/** Rate limits with Buildkite's headers and bodies, injected faults, and the journal. */
class LimitsAndFaultsTest {

    private static final String MEMBERS = "/v2/organizations/acme/members";

    @Test
    void theUserLimitRefusesWithBuildkitesHeadersAndBody() {
        try (Sandbox sandbox = Sandbox.builder().limits(RateLimits.BUILDKITE.withRest(200, 5)).start()) {
            SandboxHttp http = new SandboxHttp(sandbox);
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> ok = http.get(sandbox.token(), MEMBERS);
                assertEquals(200, ok.statusCode());
                assertEquals(Integer.toString(4 - i), ok.headers().firstValue("RateLimit-User-Remaining").orElseThrow());
                assertEquals("rest_user", ok.headers().firstValue("RateLimit-User-Scope").orElseThrow());
                assertEquals("rest", ok.headers().firstValue("RateLimit-Scope").orElseThrow());
                assertEquals("200", ok.headers().firstValue("RateLimit-Limit").orElseThrow());
            }
            HttpResponse<String> refused = http.get(sandbox.token(), MEMBERS);
            assertEquals(429, refused.statusCode());
            JsonNode body = json(refused);
            assertEquals("rest_user", body.get("scope").asText());
            assertEquals(5, body.get("limit").asInt());
            assertEquals(6, body.get("current").asInt());
            long reset = body.get("reset").asLong();
            assertTrue(reset > 0 && reset <= 60);
            assertEquals("You have exceeded your API rate limit. Please wait " + reset + " seconds before making more requests.",
                    body.get("message").asText());
            assertEquals("You have exceeded your API rate limit.", refused.headers().firstValue("RateLimit-User-Warning").orElseThrow());
            assertEquals(6, sandbox.journal().calls("GET /v2/organizations/{org}/members"));
            assertEquals(1, sandbox.journal().rateLimited());
        }
    }

    @Test
    void theOrganizationLimitIsSharedByEveryUser() {
        try (Sandbox sandbox = Sandbox.builder().limits(RateLimits.BUILDKITE.withRest(4, 50)).start()) {
            SandboxHttp http = new SandboxHttp(sandbox);
            Member other = sandbox.world().members(sandbox.world().organizations().get(0).uuid()).get(3);
            ApiToken theirs = sandbox.issueToken(other.userUuid(), DataGenerator.ALL_SCOPES, Set.of("acme"), null);
            assertEquals(200, http.get(sandbox.token(), MEMBERS).statusCode());
            assertEquals(200, http.get(sandbox.token(), MEMBERS).statusCode());
            assertEquals(200, http.get(theirs.secret(), MEMBERS).statusCode());
            assertEquals(200, http.get(theirs.secret(), MEMBERS).statusCode());
            HttpResponse<String> refused = http.get(theirs.secret(), MEMBERS);
            assertEquals(429, refused.statusCode());
            assertEquals("rest", json(refused).get("scope").asText());
            assertEquals(200, http.get(theirs.secret(), "/v2/user").statusCode(), "calls outside an organization spend only the user's budget");
            assertEquals(3, sandbox.journal().callsByToken(theirs.uuid()) - 1);
        }
    }

    @Test
    void windowsReopenOnceTheirResetHasPassed() {
        // On a clock that moves only when the test moves it: the window cannot close early (or late) on a slow machine.
        TestClock clock = new TestClock();
        try (Sandbox sandbox = Sandbox.builder().limits(RateLimits.BUILDKITE.withRest(200, 2)).clock(clock).start()) {
            SandboxHttp http = new SandboxHttp(sandbox);
            http.get(sandbox.token(), MEMBERS);
            http.get(sandbox.token(), MEMBERS);
            HttpResponse<String> refused = http.get(sandbox.token(), MEMBERS);
            assertEquals(429, refused.statusCode());
            long reset = Long.parseLong(refused.headers().firstValue("RateLimit-User-Reset").orElseThrow());
            clock.advance(Duration.ofSeconds(reset)); // waits exactly as long as the header says
            assertEquals(200, http.get(sandbox.token(), MEMBERS).statusCode());
        }
    }

    /** The sandbox's time, moved on only by {@link #advance}. */
    private static final class TestClock implements Supplier<Instant> {

        private Instant now = Instant.parse("2026-06-01T00:00:00Z");

        @Override
        public synchronized Instant get() {
            return now;
        }

        synchronized void advance(Duration duration) {
            now = now.plus(duration);
        }
    }

    @Test
    void graphqlPointsAreChargedAndRefusedWhenSpent() {
        try (Sandbox sandbox = Sandbox.builder().limits(RateLimits.BUILDKITE.withGraphql(20_000, 300)).start()) {
            SandboxHttp http = new SandboxHttp(sandbox);
            String query = "{ organization(slug: \"acme\") { members(first: 100) { edges { node { user { name } } } } } }";
            HttpResponse<String> first = http.graphql(sandbox.token(), query);
            assertEquals(200, first.statusCode());
            assertEquals("203", first.headers().firstValue("RateLimit-Complexity-Actual").orElseThrow());
            assertEquals("97", first.headers().firstValue("RateLimit-User-Remaining").orElseThrow());
            assertEquals(200, http.graphql(sandbox.token(), query).statusCode(), "allowed while points remain; it overdraws");
            HttpResponse<String> refused = http.graphql(sandbox.token(), query);
            assertEquals(429, refused.statusCode());
            assertTrue(json(refused).path("errors").get(0).path("message").asText()
                    .matches("You have exceeded your per-user limit of 300 complexity points\\. Please try again in \\d+ seconds\\."));
            assertEquals(406, sandbox.journal().graphqlPoints());
        }
    }

    @Test
    void injectedFaultsLookLikeBrokenNetworksAndServers() {
        try (Sandbox sandbox = Sandbox.builder().start()) {
            SandboxHttp http = new SandboxHttp(sandbox);
            String route = "GET /v2/organizations/{org}/members";

            sandbox.faults().set(route, FaultPlan.serverErrors(1));
            assertTrue(http.get(sandbox.token(), MEMBERS).statusCode() >= 500);

            sandbox.faults().set(route, FaultPlan.truncatedBodies(1));
            HttpResponse<String> truncated = http.get(sandbox.token(), MEMBERS);
            assertEquals(200, truncated.statusCode());
            assertThrows(UncheckedIOException.class, () -> json(truncated));

            sandbox.faults().set(route, FaultPlan.resets(1));
            assertThrows(UncheckedIOException.class, () -> http.get(sandbox.token(), MEMBERS));

            sandbox.faults().clear();
            sandbox.faults().burst429(Faults.ALL_ROUTES, 2, 7);
            HttpResponse<String> burst = http.get(sandbox.token(), MEMBERS);
            assertEquals(429, burst.statusCode());
            assertEquals("7", burst.headers().firstValue("RateLimit-User-Reset").orElseThrow());
            assertEquals(429, http.get(sandbox.token(), "/v2/user").statusCode());
            assertEquals(200, http.get(sandbox.token(), MEMBERS).statusCode(), "the burst is over");

            sandbox.faults().set(route, FaultPlan.latency(Duration.ofMillis(200)));
            long start = System.nanoTime();
            assertEquals(200, http.get(sandbox.token(), MEMBERS).statusCode());
            assertTrue(System.nanoTime() - start >= 200_000_000L);

            // The JDK's HTTP client itself tries a GET again once when a connection drops, so one or two.
            assertTrue(sandbox.journal().count(e -> "reset".equals(e.fault()) && e.status() == 0) >= 1);
            assertEquals(1, sandbox.journal().count(e -> "truncated".equals(e.fault())));
            assertEquals(2, sandbox.journal().count(e -> "rate_limit_burst".equals(e.fault())));
        }
    }
}
