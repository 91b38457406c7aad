package dev.kitebridge.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.kitebridge.VirtualTime;
import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.model.Member;
import dev.kitebridge.sandbox.model.Population;

/**
 * A run's scratch expires {@link SyncRun#SCRATCH_LIFETIME} after the run was made (DynamoDB's TTL
 * deletes it): a run that has not reached PUBLISH within {@link SyncRun#PUBLISH_WITHIN} fails, as a
 * stuck run does, before it could read its scratch once part of it is gone; one still retrying its
 * PUBLISH in the last hour before its scratch expires fails so too where it has not begun applying it.
 */
class ScratchLifetimeTest {

    private static final Duration WORKER = Duration.ofMinutes(10);

    @Test
    void aPassNotPublishedWithinADayOfBeingMadeFailsAndTakesNothingIntoTheSnapshot() {
        VirtualTime time = new VirtualTime();
        try (Sandbox sandbox = time.sandbox().population(Population.of(40, 3)).start();
             SyncFixture fixture = new SyncFixture(sandbox, time)) {
            assertEquals(SyncRun.Status.COMPLETED, fixture.sync(WORKER).status());
            Map<String, String> before = fixture.snapshot();
            int seen = fixture.events().size();
            List<Subject> subjects = List.of(Subject.user(fixture.org().uuid(), promote(fixture)));

            SyncRun pass = fixture.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit", subjects).run();
            assertFalse(pass.full());
            // A turn that ends at once: the pass has started (its organizations asked), and reads on later.
            assertEquals(SyncRunner.Outcome.Kind.LATER, fixture.runner.work(pass.id(), "worker-a", time.now()).kind());
            assertEquals(SyncRun.Phase.READ, fixture.syncs.run(pass.id()).orElseThrow().phase());
            time.advance(SyncRun.PUBLISH_WITHIN);
            SyncRun ended = fixture.finish(pass.id(), WORKER);

            assertEquals(SyncRun.Status.FAILED, ended.status());
            assertTrue(ended.error().startsWith("not published within 24 hours"), ended.error());
            assertEquals(SyncRun.Phase.DONE, ended.phase(), "its scratch is left to TTL: nothing to clean");
            assertEquals(before, fixture.snapshot(), "nothing of it taken into the account's snapshot");
            assertEquals(List.of(ChangeEvent.SYNC_RUN_FAILED), types(fixture, seen), "its failure published, and nothing else");

            // A day less a minute is within the bound: the next pass publishes the change.
            seen = fixture.events().size();
            SyncRun next = fixture.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit", subjects).run();
            time.advance(SyncRun.PUBLISH_WITHIN.minusMinutes(1));
            SyncRun published = fixture.finish(next.id(), WORKER);
            assertEquals(SyncRun.Status.COMPLETED, published.status(), published.error());
            assertTrue(types(fixture, seen).contains(ChangeEvent.USER_UPDATED), types(fixture, seen).toString());
        }
    }

    @Test
    void aRunInPlaceNotPublishedWithinADayOfBeingMadeFails() {
        VirtualTime time = new VirtualTime();
        try (Sandbox sandbox = time.sandbox().population(Population.of(40, 3)).start();
             SyncFixture fixture = new SyncFixture(sandbox, time)) {
            SyncRun first = fixture.sync(WORKER);
            assertFalse(first.scratch(), "a first sync writes the account's generation: never scratch");
            assertEquals(null, first.scratchExpiresAt());
            time.advance(SyncRun.PUBLISH_WITHIN.multipliedBy(3)); // a first sync's generation does not expire
            Map<String, String> before = fixture.snapshot();
            assertFalse(before.isEmpty());
            int seen = fixture.events().size();
            promote(fixture);

            SyncRun run = fixture.service.start(SyncFixture.TENANT, SyncFixture.ACCOUNT, "api").run();
            assertTrue(run.inPlace() && run.scratch());
            fixture.runner.work(run.id(), "worker-a", time.now());
            time.advance(SyncRun.PUBLISH_WITHIN);
            SyncRun ended = fixture.finish(run.id(), WORKER);

            assertEquals(SyncRun.Status.FAILED, ended.status());
            assertTrue(ended.error().startsWith("not published within"), ended.error());
            assertEquals(before, fixture.snapshot());
            assertEquals(List.of(ChangeEvent.SYNC_RUN_FAILED), types(fixture, seen));
        }
    }

    /**
     * A pass whose PUBLISH keeps failing before it writes anything into the account's snapshot (the
     * save before its first write), still retried in the last hour before its scratch expires, fails
     * as a stuck pass does: its events taken back, nothing of it applied; the next pass of the same
     * subject publishes the change (every published event matches the snapshot).
     */
    @Test
    void aPassThatHasNotBegunApplyingWhenItsScratchIsAboutToExpireFailsAndTakesItsEventsBack() {
        VirtualTime time = new VirtualTime();
        PublishBlocked syncs = new PublishBlocked();
        try (Sandbox sandbox = time.sandbox().population(Population.of(40, 3)).start();
             SyncFixture fixture = new SyncFixture(sandbox, time, syncs, java.util.function.UnaryOperator.identity())) {
            assertEquals(SyncRun.Status.COMPLETED, fixture.sync(WORKER).status());
            Map<String, String> before = fixture.snapshot();
            String keptBefore = fixture.kept();
            int seen = fixture.events().size();
            List<Subject> subjects = List.of(Subject.user(fixture.org().uuid(), promote(fixture)));

            syncs.blocked = true;
            SyncRun pass = fixture.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit", subjects).run();
            SyncRun publishing = InPlaceRunTest.toPublish(fixture, pass.id());
            assertEquals(SyncRun.Applying.NOT_BEGUN, publishing.applying());
            time.advance(Duration.between(time.now(), publishing.scratchExpiresAt().minus(Duration.ofMinutes(30))));
            syncs.blocked = false;
            SyncRun ended = fixture.finish(pass.id(), WORKER);

            assertEquals(SyncRun.Status.FAILED, ended.status());
            assertTrue(ended.error().startsWith("not published before what it read expires"), ended.error());
            assertEquals(before, fixture.snapshot(), "nothing of it taken into the account's snapshot");
            assertEquals(keptBefore, fixture.kept(), "nor into the directory's kept data");
            assertEquals(List.of(ChangeEvent.SYNC_RUN_FAILED), types(fixture, seen), "its events taken back, its failure published");

            seen = fixture.events().size();
            SyncRun next = fixture.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit", subjects).run();
            SyncRun published = fixture.finish(next.id(), WORKER);
            assertEquals(SyncRun.Status.COMPLETED, published.status(), published.error());
            assertTrue(types(fixture, seen).contains(ChangeEvent.USER_UPDATED), types(fixture, seen).toString());
        }
    }

    /** Makes a member an admin; returns their id. */
    private static String promote(SyncFixture fixture) {
        var world = fixture.sandbox.world();
        Member promoted = world.members(fixture.org().uuid()).stream()
                .filter(m -> m.role() == Member.Role.MEMBER && !m.userUuid().equals(fixture.actor())).findFirst().orElseThrow();
        world.updateMember(fixture.org(), fixture.actor(), promoted.userUuid(), Member.Role.ADMIN, null);
        return promoted.userUuid();
    }

    private static List<String> types(SyncFixture fixture, int seen) {
        List<ChangeEvent> events = fixture.events();
        return events.subList(seen, events.size()).stream().map(ChangeEvent::event).toList();
    }
}
