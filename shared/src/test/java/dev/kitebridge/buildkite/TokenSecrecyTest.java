package dev.kitebridge.buildkite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.kitebridge.LogCapture;

import dev.kitebridge.buildkite.client.BuildkiteClient;
import dev.kitebridge.buildkite.rest.TeamChanges;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.faults.FaultPlan;
import dev.kitebridge.sandbox.faults.Faults;
import dev.kitebridge.sandbox.limits.RateLimits;

/** The token never reaches a string anyone could read: toString, log lines, exception messages. */
class TokenSecrecyTest {

    @Test
    void theTokenPrintsRedacted() {
        BuildkiteToken token = BuildkiteToken.of("bkua_0123456789abcdef");
        assertEquals("BuildkiteToken[redacted]", token.toString());
        assertEquals("bkua_0123456789abcdef", token.reveal());
    }

    @Test
    void noLogLineAndNoExceptionCarriesTheToken() {
        List<Throwable> thrown = new ArrayList<>();
        try (LogCapture logs = LogCapture.of("dev.kitebridge.buildkite");
             Sandbox sandbox = Sandbox.builder().limits(RateLimits.BUILDKITE.withRest(200, 8)).start()) {
            String secret = sandbox.token();
            BuildkiteClient buildkite = SandboxClients.builder(sandbox).maxWait(Duration.ofSeconds(1)).build();
            sandbox.faults().set(Faults.ALL_ROUTES, new FaultPlan(0.3, 0.2, 0.2, Duration.ZERO));

            // Successes, retries, refusals and rate limits, each with its log lines and exceptions.
            capture(thrown, () -> buildkite.organizations().list(PageRequest.first(10)));
            capture(thrown, () -> buildkite.organizations().members("acme", PageRequest.first(10)));
            capture(thrown, () -> buildkite.graphql().viewer().get());
            capture(thrown, () -> buildkite.teams().create("acme", TeamChanges.named("Platform")));
            capture(thrown, () -> buildkite.organizations().get("nowhere"));
            for (int i = 0; i < 12; i++) {
                capture(thrown, () -> buildkite.account().currentUser());
            }
            capture(thrown, () -> SandboxClients.builder(sandbox, secret + "x").build().account().accessToken());

            assertTrue(thrown.size() >= 3, "refusals and a rate limit were met: " + thrown.size());
            assertTrue(thrown.stream().anyMatch(t -> t instanceof BuildkiteException.RateLimited));
            assertTrue(thrown.stream().anyMatch(t -> t instanceof BuildkiteException.Unauthorized));
            assertFalse(logs.lines().isEmpty(), "the client logged retries and calls");
            for (String line : logs.lines()) {
                assertFalse(line.contains(secret) || line.contains("bkua_"), "a log line shows the token: " + line);
            }
            for (Throwable t : thrown) {
                StringWriter trace = new StringWriter();
                t.printStackTrace(new PrintWriter(trace));
                assertFalse(trace.toString().contains(secret), "an exception shows the token: " + t);
            }
        }
    }

    @Test
    void noPathCanSendTheTokenToAnotherHost() {
        try (Sandbox sandbox = Sandbox.builder().start()) {
            BuildkiteClient buildkite = SandboxClients.client(sandbox);
            for (String path : List.of("@evil.example/v2/user", ".evil.example/v2/user", ":8080@evil.example/v2/user",
                    "//evil.example/v2/user", "/v2/../../user", "https://evil.example/v2/user", "v2/user", "/v3/user")) {
                IllegalArgumentException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> buildkite.rest().call("GET", path, null, null, null), path);
                assertFalse(refused.getMessage().contains(sandbox.token()));
            }
            assertEquals(0, sandbox.journal().entries().size(), "nothing was sent");
        }
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> BuildkiteClient
                .builder(BuildkiteToken.of("bkua_x")).restBaseUrl(java.net.URI.create("http://api.buildkite.com")).build());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> BuildkiteClient
                .builder(BuildkiteToken.of("bkua_x")).httpClient(java.net.http.HttpClient.newBuilder()
                        .followRedirects(java.net.http.HttpClient.Redirect.ALWAYS).build()).build());
    }

    private static void capture(List<Throwable> thrown, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            thrown.add(e);
        }
    }

}
