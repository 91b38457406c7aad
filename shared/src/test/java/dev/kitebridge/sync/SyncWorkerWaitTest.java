package dev.kitebridge.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.kitebridge.VirtualTime;
import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Population;

/**
 * A worker is billed while it sleeps: one whose run would wait long for a budget ends its turn, and
 * the run is queued again for the refill, to end in a later turn as it would have without the wait.
 */
class SyncWorkerWaitTest {

    /** The worker function's time: its 300 s less what it keeps in reserve. */
    private static final Duration TURN = Duration.ofSeconds(300).minus(SyncWorker.RESERVE);
    private static final Population WORLD = Population.of(300, 6);

    @Test
    void aWorkerFacingALongWaitForABudgetEndsItsTurnAndTheRunEndsInALaterOneAsWithoutTheWait() {
        VirtualTime roomyTime = new VirtualTime();
        VirtualTime time = new VirtualTime();
        // The same world twice: once with budgets that never wait, once with 10 REST requests a minute (a run needs some 20).
        try (Sandbox roomy = roomyTime.sandbox().population(WORLD).limits(RateLimits.BUILDKITE.withRest(100_000, 100_000)).start();
             Sandbox tight = time.sandbox().population(WORLD).limits(RateLimits.BUILDKITE.withRest(200, 10)).start();
             SyncFixture reference = new SyncFixture(roomy, roomyTime);
             SyncFixture fixture = new SyncFixture(tight, time)) {
            SyncRun withoutWait = reference.sync(TURN);
            assertEquals(SyncRun.Status.COMPLETED, withoutWait.status(), withoutWait.error());

            List<Duration> delays = new ArrayList<>();
            List<String> ended = new ArrayList<>();
            SyncWorker worker = new SyncWorker(fixture.runner, (tenantId, accountId, published, deadline) -> ended.add(accountId),
                    (runId, delay) -> delays.add(delay), time, SyncWorker.BUSY_RETRY);
            // An account's first sync sleeps for its budgets (a newly linked account waits for it): it ends in its one turn.
            worker.work(fixture.service.start(SyncFixture.TENANT, SyncFixture.ACCOUNT, "api").run().id(), "worker-first", time.now().plus(TURN));
            assertEquals(List.of(SyncFixture.ACCOUNT), ended, "the first sync ended in its turn");
            assertEquals(List.of(), delays, "and was never queued again");
            ended.clear();
            SyncRun secondWithoutWait = reference.sync(TURN);
            assertEquals(SyncRun.Status.COMPLETED, secondWithoutWait.status(), secondWithoutWait.error());
            fixture.sleepUntil(time.now().plus(Duration.ofMinutes(1))); // the first sync's last window refilled
            String runId = fixture.service.start(SyncFixture.TENANT, SyncFixture.ACCOUNT, "api").run().id();

            Instant start = time.now();
            worker.work(runId, "worker-0", time.now().plus(TURN));

            // The next run's first turn spent the REST window and stopped rather than sleep to its refill; it asked to go on then.
            assertEquals(List.of(), ended, "the run did not end in its first turn");
            assertEquals(1, delays.size(), "queued again");
            Duration delay = delays.get(0);
            assertTrue(delay.compareTo(SyncRunner.LONGEST_SLEEP) > 0 && delay.compareTo(Duration.ofSeconds(60)) <= 0,
                    "queued again for the REST window's refill: " + delay);
            assertTrue(Duration.between(start, time.now()).compareTo(delay) < 0, "the turn did not sleep for it");
            // Between turns the run is no worker's, started (so never taken for lost and sent twice), and has read pages.
            SyncRun between = fixture.syncs.run(runId).orElseThrow();
            assertEquals(SyncRun.Status.RUNNING, between.status());
            assertNull(fixture.syncs.account(SyncFixture.ACCOUNT).orElseThrow().leaseOwner());
            assertNull(between.stalledSince(), "a turn that read pages is no stall");
            fixture.sleepUntil(time.now().plus(SyncService.LOST_AFTER));
            assertFalse(fixture.service.requeueIfLost(fixture.syncs.account(SyncFixture.ACCOUNT).orElseThrow()));

            for (int turn = 1; ended.isEmpty(); turn++) {
                assertTrue(turn < 20, "the run ends within a few turns");
                fixture.sleepUntil(time.now().plus(delays.get(delays.size() - 1)));
                worker.work(runId, "worker-" + turn, time.now().plus(TURN));
            }

            SyncRun run = fixture.syncs.run(runId).orElseThrow();
            assertEquals(SyncRun.Status.COMPLETED, run.status(), run.error());
            assertEquals(List.of(SyncFixture.ACCOUNT), ended, "ended once");
            assertTrue(delays.size() >= 2, "more than one turn went on after a refill: " + delays);
            assertEquals(0, tight.journal().entries().stream().filter(e -> e.status() == 429).count(), "no budget overdrawn");
            assertEquals(reference.snapshot(), fixture.snapshot());
            assertEquals(ids(reference.events()), ids(fixture.events()));
            assertEquals(reference.kept(), fixture.kept());
        }
    }

    /**
     * A member of more than 100 teams has their teams listed over REST, a call a team: more than
     * REST's window holds, and read whole or not at all. Those calls sleep for their budget within
     * the turn, so the pass ends, where a turn ended at each refill would begin them again for ever.
     */
    @Test
    void aMemberOfMoreTeamsThanAWindowHoldsIsReadWhole() {
        VirtualTime time = new VirtualTime();
        try (Sandbox tight = time.sandbox().population(Population.of(20, 104)).limits(RateLimits.BUILDKITE.withRest(200, 50)).start();
             SyncFixture fixture = new SyncFixture(tight, time)) {
            fixture.sync(TURN);
            var world = tight.world();
            var org = fixture.org();
            String user = world.teamMembers(org.uuid(), world.teams(org.uuid()).get(0).uuid()).stream()
                    .map(dev.kitebridge.sandbox.model.TeamMember::userUuid).filter(u -> !u.equals(fixture.actor())).findFirst().orElseThrow();
            for (var team : world.teams(org.uuid())) {
                if (world.teamMember(org.uuid(), team.uuid(), user).isEmpty()) {
                    world.addTeamMember(org, fixture.actor(), team.uuid(), user, dev.kitebridge.sandbox.model.TeamMember.Role.MEMBER);
                }
            }
            fixture.sleepUntil(time.now().plus(Duration.ofMinutes(1))); // the full run's last window refilled

            List<Duration> delays = new ArrayList<>();
            List<String> ended = new ArrayList<>();
            SyncWorker worker = new SyncWorker(fixture.runner, (tenantId, accountId, published, deadline) -> ended.add(accountId),
                    (runId, delay) -> delays.add(delay), time, SyncWorker.BUSY_RETRY);
            String runId = fixture.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit",
                    List.of(Subject.user(org.uuid(), user))).run().id();
            for (int turn = 0; ended.isEmpty(); turn++) {
                assertTrue(turn < 5, "the pass ends within a few turns: queued again after " + delays);
                if (!delays.isEmpty()) {
                    fixture.sleepUntil(time.now().plus(delays.get(delays.size() - 1)));
                }
                worker.work(runId, "worker-" + turn, time.now().plus(TURN));
            }
            SyncRun run = fixture.syncs.run(runId).orElseThrow();
            assertEquals(SyncRun.Status.COMPLETED, run.status(), run.error());
            String teams = SnapshotKeys.user(org.uuid(), user) + "/t/";
            assertEquals(104, fixture.snapshot().keySet().stream().filter(k -> k.startsWith(teams)).count(), "every team of theirs");
            assertEquals(0, tight.journal().entries().stream().filter(e -> e.status() == 429).count(), "no budget overdrawn");
        }
    }

    @Test
    void aPassOfChangesFacingALongWaitEndsItsTurnToo() {
        VirtualTime roomyTime = new VirtualTime();
        VirtualTime time = new VirtualTime();
        try (Sandbox roomy = roomyTime.sandbox().population(WORLD).limits(RateLimits.BUILDKITE.withRest(100_000, 100_000)).start();
             Sandbox tight = time.sandbox().population(WORLD).limits(RateLimits.BUILDKITE.withRest(200, 10)).start();
             SyncFixture reference = new SyncFixture(roomy, roomyTime);
             SyncFixture fixture = new SyncFixture(tight, time)) {
            reference.sync(TURN);
            fixture.sync(TURN);
            int referenceSeen = reference.events().size();
            int seen = fixture.events().size();
            for (SyncFixture each : List.of(reference, fixture)) {
                var world = each.sandbox.world();
                var org = each.org();
                var teams = world.teams(org.uuid());
                var moving = world.teamMembers(org.uuid(), teams.get(0).uuid()).stream()
                        .filter(m -> !m.userUuid().equals(each.actor()) && world.teamMember(org.uuid(), teams.get(1).uuid(), m.userUuid()).isEmpty())
                        .findFirst().orElseThrow();
                world.moveTeamMember(org, each.actor(), teams.get(0).uuid(), teams.get(1).uuid(), moving.userUuid(),
                        dev.kitebridge.sandbox.model.TeamMember.Role.MEMBER);
            }
            // The member list and every team's roster: some 15 REST requests, where a window has 10.
            List<Subject> subjects = new ArrayList<>(List.of(Subject.members(fixture.org().uuid())));
            tight.world().teams(fixture.org().uuid()).forEach(t -> subjects.add(Subject.roster(fixture.org().uuid(), t.uuid())));
            reference.finish(reference.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "look", subjects).run().id(), TURN);

            List<Duration> delays = new ArrayList<>();
            List<String> ended = new ArrayList<>();
            SyncWorker worker = new SyncWorker(fixture.runner, (tenantId, accountId, published, deadline) -> ended.add(accountId),
                    (runId, delay) -> delays.add(delay), time, SyncWorker.BUSY_RETRY);
            fixture.sleepUntil(time.now().plus(Duration.ofMinutes(1))); // the full run's last window refilled
            String runId = fixture.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "look", subjects).run().id();
            Instant start = time.now();
            worker.work(runId, "worker-0", time.now().plus(TURN));
            assertEquals(List.of(), ended, "the pass did not end in its first turn");
            assertEquals(1, delays.size(), "queued again");
            assertTrue(delays.get(0).compareTo(SyncRunner.LONGEST_SLEEP) > 0, "for the REST window's refill: " + delays);
            assertTrue(Duration.between(start, time.now()).compareTo(delays.get(0)) < 0, "the turn did not sleep for it");
            assertEquals(SyncRun.Status.RUNNING, fixture.syncs.run(runId).orElseThrow().status(), "started: never taken for lost");
            for (int turn = 1; ended.isEmpty(); turn++) {
                assertTrue(turn < 20, "the pass ends within a few turns");
                fixture.sleepUntil(time.now().plus(delays.get(delays.size() - 1)));
                worker.work(runId, "worker-" + turn, time.now().plus(TURN));
            }

            SyncRun pass = fixture.syncs.run(runId).orElseThrow();
            assertEquals(SyncRun.Status.COMPLETED, pass.status(), pass.error());
            assertEquals(0, tight.journal().entries().stream().filter(e -> e.status() == 429).count(), "no budget overdrawn");
            assertEquals(ids(reference.events().subList(referenceSeen, reference.events().size())),
                    ids(fixture.events().subList(seen, fixture.events().size())));
            assertEquals(reference.snapshot(), fixture.snapshot());
        }
    }

    private static List<String> ids(List<ChangeEvent> events) {
        return events.stream().map(e -> e.event() + " " + e.id()).toList();
    }
}
