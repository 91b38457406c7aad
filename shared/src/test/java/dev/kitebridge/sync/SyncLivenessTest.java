package dev.kitebridge.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.kitebridge.LogCapture;
import dev.kitebridge.VirtualTime;
import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.journal.JournalEntry;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Population;

/** A sync run that Buildkite's budgets can never serve ends as failed, saying why, instead of sitting in READ. */
class SyncLivenessTest {

    private static final Duration WORKER = Duration.ofMinutes(2);

    private final VirtualTime time = new VirtualTime();

    @Test
    void aGraphqlUserLimitBelowOnePageFailsTheRunAtOnce() {
        try (Sandbox sandbox = time.sandbox().population(Population.of(300, 3)).limits(RateLimits.BUILDKITE.withGraphql(20_000, 300)).start();
             LogCapture log = LogCapture.of(SyncRunner.class.getName())) {
            SyncFixture fixture = new SyncFixture(sandbox, time);
            Instant start = time.now();

            SyncRun run = fixture.sync(WORKER);

            assertEquals(SyncRun.Status.FAILED, run.status());
            assertTrue(run.error().contains("graphql_user") && run.error().contains("300"), run.error());
            assertTrue(Duration.between(start, time.now()).compareTo(Duration.ofMinutes(1)) < 0, "no window waited for");
            assertEquals(List.of(ChangeEvent.SYNC_RUN_FAILED), fixture.events().stream().map(ChangeEvent::event).toList());
            assertEquals(1, log.lines().stream().filter(l -> l.contains("fails:")).count(), log.lines().toString());
        }
    }

    @Test
    void aRunThatReadsNothingForThreeWindowsFailsWithTheBudgets() {
        try (Sandbox sandbox = time.sandbox().population(Population.of(300, 3)).limits(RateLimits.BUILDKITE).start();
             LogCapture log = LogCapture.of(SyncRunner.class.getName())) {
            SyncFixture fixture = new SyncFixture(sandbox, time);
            sandbox.faults().burst429("POST /graphql", 1_000_000, 60); // Buildkite refuses every query

            SyncRun run = fixture.sync(WORKER);

            assertEquals(SyncRun.Status.FAILED, run.status());
            assertTrue(run.error().contains("no Buildkite call through") && run.error().contains("graphql_user: limit 5000") && !run.error().contains("user:local"),
                    run.error());
            // Measured from the last page read: the REST lane read on while the GraphQL lane waited.
            Instant lastRead = sandbox.journal().entries().stream().filter(e -> e.status() == 200).map(JournalEntry::at)
                    .max(Instant::compareTo).orElseThrow();
            Duration stuck = Duration.between(lastRead, time.now());
            // Never before three windows; and it does end. (How far past depends on where the worker turns fall.)
            assertTrue(stuck.compareTo(Duration.ofMinutes(15)) >= 0, "not before three GraphQL windows without a page: " + stuck);
            assertTrue(stuck.compareTo(Duration.ofMinutes(30)) < 0, "within a few worker turns of them: " + stuck);
            assertEquals(1, log.lines().stream().filter(l -> l.contains("fails:")).count(), log.lines().toString());
        }
    }

    @Test
    void aRunThatChecksNoRemovalForThreeWindowsFailsWithTheBudgets() {
        try (Sandbox sandbox = time.sandbox().population(Population.of(300, 3)).limits(RateLimits.BUILDKITE).start();
             LogCapture log = LogCapture.of(SyncRunner.class.getName())) {
            SyncFixture fixture = new SyncFixture(sandbox, time);
            fixture.sync(WORKER);
            // A member leaves: the next run asks Buildkite about them alone (VERIFY), and Buildkite refuses every such question.
            var world = sandbox.world();
            String leaver = world.members(fixture.org().uuid()).stream().map(m -> m.userUuid())
                    .filter(u -> !u.equals(fixture.actor())).findFirst().orElseThrow();
            world.removeMember(fixture.org(), fixture.actor(), leaver);
            sandbox.faults().burst429("GET /v2/organizations/{org}/members/{user}", 1_000_000, 60);
            sandbox.faults().burst429("GET /v2/organizations/{org}/teams/{team}/members/{user}", 1_000_000, 60);

            SyncRun run = fixture.sync(WORKER);

            assertEquals(SyncRun.Status.FAILED, run.status());
            assertTrue(run.error().contains("verifying got no Buildkite call through"), run.error());
            assertEquals(1, log.lines().stream().filter(l -> l.contains("fails:")).count(), log.lines().toString());
        }
    }
}
