package dev.kitebridge.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.kitebridge.LogCapture;
import dev.kitebridge.VirtualTime;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.journal.JournalEntry;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Population;

/**
 * A directory read that Buildkite's budgets can never serve answers 503 with a message, instead of
 * 429 for ever: at once when one call costs more than a whole budget, and after three windows when
 * no call gets through.
 */
class BudgetLivenessTest {

    private final VirtualTime time = new VirtualTime();

    @Test
    void aGraphqlUserLimitBelowOnePageAnswers503AtOnceNamingTheBudgetAndTheCost() {
        try (Sandbox sandbox = time.sandbox().population(Population.of(500, 3))
                .limits(RateLimits.BUILDKITE.withGraphql(20_000, 300)).start()) {
            DirectoryFixture directory = new DirectoryFixture(sandbox, time);
            Instant start = time.now();

            DirectoryFixture.Answer first = directory.get("users", null, Map.of());
            assertEquals(503, first.status(), first.body().toString());
            assertEquals("budget_too_small", first.body().get("error").asText());
            String message = first.body().get("message").asText();
            assertTrue(message.contains("graphql_user") && message.contains("300") && message.contains("points"), message);

            sandbox.journal().clear();
            DirectoryFixture.Answer again = directory.get("users", null, Map.of());
            assertEquals(503, again.status(), "the same, not a 429 to wait out");
            assertEquals(0, sandbox.journal().count(JournalEntry::isGraphql), "the page that cannot fit is never sent");
            assertEquals(start, time.now(), "nothing waited");
        }
    }

    @Test
    void aReadThatGetsNoCallThroughForThreeWindowsAnswers503WithTheBudgetsOnce() {
        try (Sandbox sandbox = time.sandbox().population(Population.of(300, 3)).limits(RateLimits.BUILDKITE).start();
             LogCapture log = LogCapture.of("dev.kitebridge.api")) {
            DirectoryFixture directory = new DirectoryFixture(sandbox, time);
            sandbox.faults().burst429("POST /graphql", 1_000_000, 60); // Buildkite refuses every query
            Instant start = time.now();

            DirectoryFixture.Answer answer = directory.get("users", null, Map.of());
            int waits = 0;
            while (answer.status() == 429 && waits++ < 1_000) {
                directory.sleepBuildkiteSeconds(Long.parseLong(answer.headers().get("retry-after")));
                answer = directory.get("users", null, Map.of());
            }

            assertEquals(503, answer.status(), answer.body().toString());
            assertEquals("no_progress", answer.body().get("error").asText());
            String message = answer.body().get("message").asText();
            assertTrue(message.contains("graphql_user: limit 5000, remaining 0"), message);
            assertFalse(message.contains("user:local"), "the user budget's key (a hash of an email) is not shown: " + message);
            Duration waited = Duration.between(start, time.now());
            assertTrue(waited.compareTo(Duration.ofMinutes(15)) >= 0 && waited.compareTo(Duration.ofMinutes(17)) < 0,
                    "three GraphQL windows, then no longer: " + waited);
            assertEquals(1, log.lines().stream().filter(l -> l.contains("answered 503")).count(), log.lines().toString());
        }
    }
}
