package dev.kitebridge.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.model.Invitation;
import dev.kitebridge.sandbox.model.Member;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.Population;
import dev.kitebridge.sandbox.model.Team;
import dev.kitebridge.sandbox.model.TeamFields;
import dev.kitebridge.sandbox.model.TeamMember;
import dev.kitebridge.state.memory.InMemoryEventLog;
import dev.kitebridge.state.memory.InMemoryOrganizationDataStore;
import dev.kitebridge.state.memory.InMemorySnapshotStore;
import dev.kitebridge.state.memory.InMemorySyncStore;

/**
 * Full runs in place (every full run after the first): what they write, and that they publish
 * what a run writing a whole generation publishes, killed or not.
 */
class InPlaceRunTest {

    private static final Duration WORKER = Duration.ofMinutes(10);

    @Test
    void aSecondRunWithNothingChangedWritesOnlyItsMarkers() {
        CountingSnapshots counted = new CountingSnapshots(new InMemorySnapshotStore());
        try (Sandbox sandbox = SyncFixture.sandbox(250, 6); SyncFixture fixture = new SyncFixture(sandbox, counted)) {
            SyncRun first = fixture.sync(WORKER);
            assertFalse(first.inPlace(), "a first sync has no base: it writes its generation whole");
            long current = fixture.syncs.account(SyncFixture.ACCOUNT).orElseThrow().currentGeneration();
            counted.assertEveryItemExpiresAt(SyncFixture.ACCOUNT, current, null); // the account's generation: never to expire
            Map<String, String> before = fixture.snapshot();
            int seen = fixture.events().size();
            counted.clear();

            SyncRun second = fixture.sync(WORKER);
            assertTrue(second.inPlace());
            assertEquals(SyncRun.Status.COMPLETED, second.status(), second.error());
            assertEquals(List.of(ChangeEvent.SYNC_RUN_COMPLETED), fixture.events().subList(seen, fixture.events().size()).stream()
                    .map(ChangeEvent::event).toList());
            assertEquals(current, fixture.syncs.account(SyncFixture.ACCOUNT).orElseThrow().currentGeneration(),
                    "the account's generation stays, changed in place");
            assertEquals(before, fixture.snapshot());
            assertEquals(0, counted.writes(current), "nothing written into the account's generation: " + counted.puts);
            // Its pages are looked up in the account's generation read by range, not item by item (a read unit each).
            assertEquals(0, counted.lookedUp(current), "keys looked up one by one");
            // The account's generation, last written before the run started, is read settled by READ, DIFF and PUBLISH, each
            // whole (the index entries but by PUBLISH); KEEP, in CLEAN, when the next run may have published, reads it as it is.
            // The run's own is read as it is.
            assertEquals(SyncRun.Applying.NOT_BEGUN, second.applying());
            assertEquals(Set.of("CurrentItems", "SnapshotDiff", "InPlace"), counted.settledBy(current), "readers of it settled");
            assertTrue(counted.listedBy(current).contains("KeptDirectory"), "KEEP reads it as it is: " + counted.listedBy(current));
            assertTrue(counted.settledReads(current) >= 3L * before.size() * 3 / 4, counted.settledReads(current) + " items read settled of "
                    + counted.reads(current) + " read, " + before.size() + " held");
            assertEquals(0, counted.settledReads(second.generation()), "the run's own generation is read as it is");
            assertEquals(java.util.Set.of(second.startedAt()), counted.settledSince);
            List<String> intoRun = counted.keysPut(second.generation());
            assertTrue(intoRun.stream().allMatch(InPlace::isMarker), "only markers: " + intoRun.stream().filter(k -> !InPlace.isMarker(k)).toList());
            // A marker a page read: no more than the pages (Buildkite calls), and far fewer than the items.
            assertTrue(intoRun.size() <= second.counts().buildkiteCalls(), intoRun.size() + " markers for "
                    + second.counts().buildkiteCalls() + " Buildkite calls");
            assertTrue(intoRun.size() * 20L < before.size(), intoRun.size() + " markers for " + before.size() + " items");
            // Its generation is scratch, left to TTL: its CLEAN deletes none of it, and every item carries the run's expiry.
            assertEquals(0, counted.deletes(second.generation()), "nothing of its generation deleted");
            assertTrue(!fixture.snapshots.list(SyncFixture.ACCOUNT, second.generation(), null, 10).isEmpty());
            counted.assertEveryItemExpiresAt(SyncFixture.ACCOUNT, second.generation(), second.createdAt().plus(SyncRun.SCRATCH_LIFETIME));
            assertEquals(second.createdAt().plus(java.time.Duration.ofDays(2)), second.scratchExpiresAt());
        }
    }

    @Test
    void aSecondRunWithAFewChangesWritesIntoTheSnapshotExactlyTheItemsThatChanged() {
        CountingSnapshots counted = new CountingSnapshots(new InMemorySnapshotStore());
        try (Sandbox sandbox = SyncFixture.sandbox(120, 6); SyncFixture fixture = new SyncFixture(sandbox, counted)) {
            fixture.sync(WORKER);
            long current = fixture.syncs.account(SyncFixture.ACCOUNT).orElseThrow().currentGeneration();
            Map<String, String> before = fixture.snapshot();
            change(fixture);
            counted.clear();

            SyncRun second = fixture.sync(WORKER);
            assertEquals(SyncRun.Status.COMPLETED, second.status(), second.error());
            Map<String, String> after = fixture.snapshot();
            long changed = CountingSnapshots.changedItems(before, after);
            assertTrue(changed > 5, "some items changed: " + changed);
            assertEquals(changed, counted.writes(current), "writes into the snapshot: exactly its changed items");
            long notMarkers = counted.keysPut(second.generation()).stream().filter(k -> !InPlace.isMarker(k)).count();
            assertTrue(notMarkers <= changed, notMarkers + " items into the run's own generation for " + changed + " changed");
        }
    }

    /** Two accounts over one world: one syncs in place, the other writes whole generations; they publish and keep the same. */
    @Test
    void aRunInPlaceAndARunWritingAWholeGenerationPublishTheSameAndLeaveTheSameSnapshot() {
        try (SyncFixture inPlace = new SyncFixture(150, 6);
             SyncFixture whole = new SyncFixture(inPlace.sandbox, new InMemorySnapshotStore(), new InMemorySyncStore(),
                     new InMemoryEventLog(), new InMemoryOrganizationDataStore())) {
            inPlace.sync(WORKER);
            whole.sync(WORKER);
            int inPlaceSeen = inPlace.events().size();
            int wholeSeen = whole.events().size();
            change(inPlace);

            SyncRun a = inPlace.sync(WORKER);
            SyncRun b = inGenerationMode(whole);
            assertTrue(a.inPlace());
            assertFalse(b.inPlace());
            assertEquals(SyncRun.Status.COMPLETED, a.status(), a.error());
            assertEquals(SyncRun.Status.COMPLETED, b.status(), b.error());
            List<String> found = described(inPlace.events(), inPlaceSeen);
            assertTrue(found.size() > 10, String.join("\n", found));
            assertEquals(described(whole.events(), wholeSeen), found);
            assertEquals(whole.snapshot(), inPlace.snapshot());
            assertEquals(whole.kept(), inPlace.kept());
            assertEquals(a.counts().events(), b.counts().events());
        }
    }

    /**
     * A team deleted after it was listed and before its roster is read: the run in place drops it
     * (its gone marker un-sees it) as a run that never saw it does.
     */
    @Test
    void aTeamGoneWhileItIsReadIsDeletedAsByARunThatNeverSawIt() {
        HookedSnapshotStore watching = new HookedSnapshotStore();
        try (Sandbox sandbox = SyncFixture.sandbox(120, 5); SyncFixture inPlace = new SyncFixture(sandbox, watching);
             SyncFixture whole = new SyncFixture(sandbox, new InMemorySnapshotStore(), new InMemorySyncStore(), new InMemoryEventLog(),
                     new InMemoryOrganizationDataStore())) {
            inPlace.sync(WORKER);
            whole.sync(WORKER);
            int inPlaceSeen = inPlace.events().size();
            int wholeSeen = whole.events().size();
            var world = sandbox.world();
            Organization org = inPlace.org();
            Team gone = world.teams(org.uuid()).stream()
                    .max(java.util.Comparator.comparingInt(t -> world.teamMemberCount(org.uuid(), t.uuid()))).orElseThrow();
            assertTrue(world.teamMemberCount(org.uuid(), gone.uuid()) > 0);
            // Listed on its page of teams (the page's marker names it); deleted before its roster is read.
            watching.once(key -> key.equals(SnapshotKeys.group(org.uuid(), gone.uuid())),
                    () -> world.deleteTeam(org, inPlace.actor(), gone.uuid()));
            SyncRun a = inPlace.sync(WORKER);
            assertEquals(SyncRun.Status.COMPLETED, a.status(), a.error());
            SyncRun b = inGenerationMode(whole);
            assertEquals(SyncRun.Status.COMPLETED, b.status(), b.error());

            List<String> found = described(inPlace.events(), inPlaceSeen);
            assertTrue(found.stream().anyMatch(e -> e.contains(" " + ChangeEvent.GROUP_DELETED + " ") && e.contains(gone.uuid())),
                    String.join("\n", found));
            assertEquals(described(whole.events(), wholeSeen), found);
            assertEquals(whole.snapshot(), inPlace.snapshot());
            assertTrue(inPlace.snapshot().keySet().stream().noneMatch(k -> k.endsWith("/t/" + gone.uuid())
                    || k.startsWith(SnapshotKeys.group(org.uuid(), gone.uuid())) || k.startsWith(SnapshotKeys.roster(org.uuid(), gone.uuid()))));
            CountingSnapshots.assertIndexExact(inPlace.snapshot(), true);
            int seen = inPlace.events().size();
            inPlace.sync(WORKER);
            assertEquals(List.of(ChangeEvent.SYNC_RUN_COMPLETED), inPlace.events().subList(seen, inPlace.events().size()).stream()
                    .map(ChangeEvent::event).toList());
        }
    }

    /**
     * A full run in place whose worker dies in the middle of a member's take-back (the members' listing
     * missed them, Buildkite asked alone still has them; their parts back in the run's generation, the
     * removal not yet dropped), after which the member really leaves: the retry finishes the take-back
     * without asking again (else the removal would be published beside a snapshot that keeps the
     * member), and the next run publishes the member gone once.
     */
    @Test
    void aTakeBackOfAMemberCutShortIsFinishedWhateverBuildkiteAnswersAfter() {
        takeBackOfAMemberCutShort(false);
    }

    /** The same of a full run writing a whole generation: it holds the member's parts only where it read them or took them back. */
    @Test
    void aTakeBackOfAMemberCutShortInARunWritingAWholeGenerationIsFinishedWhateverBuildkiteAnswersAfter() {
        takeBackOfAMemberCutShort(true);
    }

    private static void takeBackOfAMemberCutShort(boolean wholeGeneration) {
        HookedSnapshotStore snapshots = new HookedSnapshotStore();
        InMemorySyncStore runs = new InMemorySyncStore();
        try (Sandbox sandbox = SyncFixture.sandbox(60, 4);
             SyncFixture fixture = new SyncFixture(sandbox, snapshots, runs, new InMemoryEventLog(), new InMemoryOrganizationDataStore())) {
            fixture.sync(WORKER);
            var world = sandbox.world();
            Organization org = fixture.org();
            Member member = world.members(org.uuid()).stream()
                    .filter(m -> m.role() == Member.Role.MEMBER && !m.userUuid().equals(fixture.actor()))
                    .filter(m -> world.teamMembershipsOf(org.uuid(), m.userUuid()).isEmpty()) // back as they were: none lost
                    .findFirst().orElseThrow();
            String restored = SnapshotKeys.member(org.uuid(), member.userUuid());
            int seen = fixture.events().size();

            // Gone while the members are listed, back once the teams' page is read (after them); the take-back writes the
            // member's parts into the run's generation, and the worker dies right after.
            world.removeMember(org, fixture.actor(), member.userUuid());
            snapshots.once(k -> k.startsWith(SnapshotKeys.groups(org.uuid())), () -> {
                world.addMember(member);
                snapshots.once(restored::equals, () -> {
                    throw new Killer.Killed();
                });
            });
            String runId = fixture.service.start(SyncFixture.TENANT, SyncFixture.ACCOUNT, "api").run().id();
            if (wholeGeneration) {
                runs.replaceRun(runs.run(runId).orElseThrow().inGenerationMode()).orElseThrow();
            }
            assertThrows(Killer.Killed.class, () -> fixture.finish(runId, WORKER));
            SyncRun killed = runs.run(runId).orElseThrow();
            assertEquals(!wholeGeneration, killed.inPlace());
            assertEquals(SyncRun.Phase.VERIFY, killed.phase(), "killed in its take-back");
            world.removeMember(org, fixture.actor(), member.userUuid());
            SyncRun done = fixture.finish(runId, WORKER);

            assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
            List<String> published = aboutMember(fixture.events(), seen, member.userUuid());
            assertEquals(List.of(), published, "the take-back begun is finished: " + String.join("\n", published));
            assertTrue(fixture.snapshot().containsKey(restored), "the member kept");
            int afterRun = fixture.events().size();
            fixture.sync(WORKER);
            List<String> found = aboutMember(fixture.events(), afterRun, member.userUuid());
            assertEquals(1, found.stream().filter(e -> e.startsWith(ChangeEvent.USER_DELETED + " ")).count(),
                    "the member gone published once, by the run that finds it: " + String.join("\n", found));
        }
    }

    /** The user events about a member. */
    private static List<String> aboutMember(List<ChangeEvent> events, int from, String userUuid) {
        return events.subList(from, events.size()).stream()
                .filter(e -> e.event().startsWith("user.") && e.data().toString().contains(userUuid))
                .map(e -> e.event() + " " + e.data() + " " + e.previousAttributes()).toList();
    }

    /** Killed anywhere (its PUBLISH into the account's generation among the kill points), a run in place ends as an uninterrupted one. */
    @Test
    void aRunInPlaceKilledAnywhereEndsAsAnUninterruptedOne() {
        try (SyncFixture reference = new SyncFixture(150, 6)) {
            Killer killer = new Killer();
            InMemorySyncStore runs = new InMemorySyncStore();
            try (SyncFixture crashing = killer.crashingBeside(reference, runs)) {
                reference.sync(WORKER);
                crashing.sync(WORKER);
                int referenceSeen = reference.events().size();
                int crashingSeen = crashing.events().size();
                change(reference);
                reference.sandbox.world().membersSeen(reference.org().uuid(), 0.5, new Random(5)); // last seen kept beside the profiles
                SyncRun done = reference.sync(WORKER);
                assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());

                String runId = crashing.service.start(SyncFixture.TENANT, SyncFixture.ACCOUNT, "api").run().id();
                assertTrue(runs.run(runId).orElseThrow().inPlace());
                List<SyncRun> killedAt = killer.finishKilled(crashing, runs, runId, WORKER, new Random(23), 8, 5_000);
                int kills = killedAt.size();
                Set<SyncRun.Phase> killedIn = Killer.phases(killedAt);
                // (CLEAN writes a few times only: the directory's data and its end; the run's generation is left to expire.)
                assertTrue(killedIn.containsAll(List.of(SyncRun.Phase.READ, SyncRun.Phase.DIFF, SyncRun.Phase.VERIFY, SyncRun.Phase.PUBLISH)),
                        "killed in every phase that writes: " + killedIn + " (" + kills + " kills)");
                assertEquals(SyncRun.Status.COMPLETED, runs.run(runId).orElseThrow().status());
                assertEquals(ids(reference.events(), referenceSeen), ids(crashing.events(), crashingSeen));
                assertEquals(reference.snapshot(), crashing.snapshot());
                CountingSnapshots.assertIndexExact(crashing.snapshot(), true);
                assertEquals(reference.kept(), crashing.kept());
                int seen = crashing.events().size();
                crashing.sync(WORKER);
                assertEquals(List.of(ChangeEvent.SYNC_RUN_COMPLETED), crashing.events().subList(seen, crashing.events().size()).stream()
                        .map(ChangeEvent::event).toList(), "nothing was left half-done");
            }
        }
    }

    /**
     * A settled read may be stale (see {@link SnapshotStore#listSettled}): where every one of the account's generation
     * answers it as it was before the run's PUBLISH began to write there, a run in place killed anywhere (its PUBLISH's
     * writes among the kill points) still publishes, leaves and keeps what an uninterrupted one does.
     */
    @Test
    void aRunInPlaceWhoseSettledReadsAreAsBeforeItsPublishEndsAsAnUninterruptedOneKilledAnywhere() {
        try (SyncFixture reference = new SyncFixture(150, 6)) {
            Killer killer = new Killer();
            InMemorySyncStore runs = new InMemorySyncStore();
            StaleSettled stale = new StaleSettled(killer.snapshots(new InMemorySnapshotStore()));
            try (SyncFixture crashing = new SyncFixture(reference.sandbox, stale, killer.syncs(runs), killer.log(new InMemoryEventLog()),
                    killer.organizationData(new InMemoryOrganizationDataStore()))) {
                reference.sync(WORKER);
                crashing.sync(WORKER);
                int referenceSeen = reference.events().size();
                int crashingSeen = crashing.events().size();
                change(reference);
                reference.sandbox.world().membersSeen(reference.org().uuid(), 0.5, new Random(5)); // last seen kept beside the profiles
                SyncRun done = reference.sync(WORKER);
                assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());

                stale.arm(crashing.syncs.account(SyncFixture.ACCOUNT).orElseThrow().currentGeneration());
                String runId = crashing.service.start(SyncFixture.TENANT, SyncFixture.ACCOUNT, "api").run().id();
                List<SyncRun> killedAt = killer.finishKilled(crashing, runs, runId, WORKER, new Random(23), 8, 5_000);
                assertTrue(Killer.phases(killedAt).contains(SyncRun.Phase.PUBLISH), "killed in PUBLISH: " + Killer.phases(killedAt));
                assertTrue(stale.frozen(), "its PUBLISH wrote into the account's generation");
                assertEquals(SyncRun.Status.COMPLETED, runs.run(runId).orElseThrow().status());
                assertEquals(ids(reference.events(), referenceSeen), ids(crashing.events(), crashingSeen));
                assertEquals(reference.snapshot(), crashing.snapshot());
                assertEquals(reference.kept(), crashing.kept());
            }
        }
    }

    /** Snapshots whose settled reads of one generation, once armed, answer it as it was before the first write into it since. */
    private static final class StaleSettled extends ForwardingSnapshotStore {
        private volatile long armed = -1;
        private volatile java.util.TreeMap<String, Item> before;

        StaleSettled(SnapshotStore store) {
            super(store);
        }

        void arm(long generation) {
            armed = generation;
            before = null;
        }

        boolean frozen() {
            return before != null;
        }

        private void freeze(String accountId, long generation) {
            if (generation != armed || before != null) {
                return;
            }
            java.util.TreeMap<String, Item> items = new java.util.TreeMap<>();
            String after = null;
            while (true) {
                List<Item> page = store.list(accountId, generation, after, 500);
                page.forEach(i -> items.put(i.key(), i));
                if (page.size() < 500) {
                    break;
                }
                after = page.get(page.size() - 1).key();
            }
            before = items;
        }

        @Override
        public void put(String accountId, long generation, List<Item> items, java.time.Instant expiresAt) {
            freeze(accountId, generation);
            store.put(accountId, generation, items, expiresAt);
        }

        @Override
        public void delete(String accountId, long generation, List<String> keys) {
            freeze(accountId, generation);
            store.delete(accountId, generation, keys);
        }

        @Override
        public List<Item> listSettled(String accountId, long generation, String afterKey, String beforeKey, java.time.Instant writtenBefore,
                                      int limit) {
            java.util.TreeMap<String, Item> was = before;
            if (generation != armed || writtenBefore == null || was == null) {
                return store.listSettled(accountId, generation, afterKey, beforeKey, writtenBefore, limit);
            }
            return was.values().stream().filter(i -> afterKey == null || i.key().compareTo(afterKey) > 0)
                    .filter(i -> beforeKey == null || i.key().compareTo(beforeKey) < 0).limit(limit).toList();
        }
    }

    /**
     * From its PUBLISH on, a run in place has begun to change the account's snapshot: however often
     * it fails there, it is retried, never ended as failed (which would take back its events).
     */
    @Test
    void aRunInPlaceThatFailsInItsPublishIsRetriedNeverFailed() {
        java.util.concurrent.atomic.AtomicLong failInto = new java.util.concurrent.atomic.AtomicLong(-1);
        InMemorySnapshotStore kept = new InMemorySnapshotStore();
        SnapshotStore failing = new CountingSnapshots(kept) {
            @Override
            public void put(String accountId, long generation, List<Item> items, java.time.Instant expiresAt) {
                if (generation == failInto.get()) {
                    throw new IllegalStateException("the snapshot table is unreachable");
                }
                super.put(accountId, generation, items, expiresAt);
            }

            @Override
            public void delete(String accountId, long generation, List<String> keys) {
                if (generation == failInto.get()) {
                    throw new IllegalStateException("the snapshot table is unreachable");
                }
                super.delete(accountId, generation, keys);
            }
        };
        try (Sandbox sandbox = SyncFixture.sandbox(60, 4); SyncFixture fixture = new SyncFixture(sandbox, failing)) {
            fixture.sync(WORKER);
            int seen = fixture.events().size();
            change(fixture);
            failInto.set(fixture.syncs.account(SyncFixture.ACCOUNT).orElseThrow().currentGeneration());
            String runId = fixture.service.start(SyncFixture.TENANT, SyncFixture.ACCOUNT, "api").run().id();
            // Each turn at once, without the back-off's wait: a run ends as failed after so many failed turns in a row.
            for (int worker = 0; fixture.syncs.run(runId).orElseThrow().attempts() <= SyncRunner.MAX_FAILED_ATTEMPTS + 1; worker++) {
                SyncRunner.Outcome outcome = fixture.runner.work(runId, "worker-" + worker, fixture.time.now().plus(WORKER));
                assertTrue(worker < 1_000);
                if (outcome.at() != null && outcome.at().isAfter(fixture.time.now())
                        && fixture.syncs.run(runId).orElseThrow().phase() != SyncRun.Phase.PUBLISH) {
                    fixture.sleepUntil(outcome.at()); // a budget to wait for while reading
                }
            }
            SyncRun stuck = fixture.syncs.run(runId).orElseThrow();
            assertEquals(SyncRun.Phase.PUBLISH, stuck.phase());
            assertEquals(SyncRun.Status.RUNNING, stuck.status(), "retried, not failed, after " + stuck.attempts() + " failed attempts");

            failInto.set(-1);
            SyncRun done = fixture.finish(runId, WORKER);
            assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
            assertTrue(fixture.events().size() - seen > 5, "its events are out");
            int after = fixture.events().size();
            fixture.sync(WORKER);
            assertEquals(List.of(ChangeEvent.SYNC_RUN_COMPLETED), fixture.events().subList(after, fixture.events().size()).stream()
                    .map(ChangeEvent::event).toList(), "and the snapshot holds what it published");
        }
    }

    /**
     * A run in place that began writing into the account's snapshot (its writes failed) and is still
     * retrying its PUBLISH in the last hour before its scratch expires (read then, or a turn later, its
     * markers gone, its publication would delete every item it did not see: the whole snapshot)
     * publishes without finishing, says so loudly, confirms nothing and keeps nothing for the
     * directory; the next full run puts the snapshot right.
     */
    @Test
    void aRunInPlaceThatBeganApplyingAndStillRetriesItsPublishInTheLastHourBeforeItsScratchExpiresPublishesWithoutFinishing() {
        dev.kitebridge.VirtualTime time = new dev.kitebridge.VirtualTime();
        java.util.concurrent.atomic.AtomicLong failInto = new java.util.concurrent.atomic.AtomicLong(-1);
        SnapshotStore failing = new CountingSnapshots(new InMemorySnapshotStore(time)) {
            @Override
            public void put(String accountId, long generation, List<Item> items, java.time.Instant expiresAt) {
                if (generation == failInto.get()) {
                    throw new IllegalStateException("the snapshot table is unreachable");
                }
                super.put(accountId, generation, items, expiresAt);
            }

            @Override
            public void delete(String accountId, long generation, List<String> keys) {
                if (generation == failInto.get()) {
                    throw new IllegalStateException("the snapshot table is unreachable");
                }
                super.delete(accountId, generation, keys);
            }
        };
        try (Sandbox sandbox = time.sandbox().population(Population.of(60, 4)).start();
             SyncFixture fixture = new SyncFixture(sandbox, time, failing);
             dev.kitebridge.LogCapture log = dev.kitebridge.LogCapture.of(SyncRunner.class.getName())) {
            fixture.sync(WORKER);
            Map<String, String> before = fixture.snapshot();
            Confirmed confirmedBefore = fixture.syncs.account(SyncFixture.ACCOUNT).orElseThrow().confirmed();
            String keptBefore = fixture.kept();
            java.time.Instant keptAsOfBefore = keptAsOf(fixture);
            int seen = fixture.events().size();
            change(fixture);
            time.advance(Duration.ofMinutes(10)); // (it would confirm the directory as of a later time than the first sync)
            failInto.set(fixture.syncs.account(SyncFixture.ACCOUNT).orElseThrow().currentGeneration());
            String runId = fixture.service.start(SyncFixture.TENANT, SyncFixture.ACCOUNT, "api").run().id();
            for (int worker = 0; fixture.syncs.run(runId).orElseThrow().attempts() < 2; worker++) {
                SyncRunner.Outcome outcome = fixture.runner.work(runId, "worker-" + worker, time.now().plus(WORKER));
                assertTrue(worker < 1_000);
                if (outcome.at() != null && outcome.at().isAfter(time.now()) && fixture.syncs.run(runId).orElseThrow().phase() != SyncRun.Phase.PUBLISH) {
                    fixture.sleepUntil(outcome.at());
                }
            }
            SyncRun publishing = fixture.syncs.run(runId).orElseThrow();
            assertEquals(SyncRun.Phase.PUBLISH, publishing.phase());
            assertEquals(SyncRun.Applying.BEGUN, publishing.applying(), "saved before its first write into the account's generation");

            // Inside the last hour (SCRATCH_MARGIN) before its scratch expires, not after it: it does not apply it.
            time.advance(Duration.between(time.now(), publishing.scratchExpiresAt().minus(Duration.ofMinutes(30))));
            failInto.set(-1);
            SyncRun done = fixture.finish(runId, WORKER);
            assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
            assertEquals(SyncRun.Applying.CUT_SHORT, done.applying(), "the decision, saved: what follows reads it, not the clock");
            assertEquals(before, fixture.snapshot(), "nothing applied, nothing deleted");
            assertEquals(confirmedBefore, fixture.syncs.account(SyncFixture.ACCOUNT).orElseThrow().confirmed(), "it confirms nothing");
            assertEquals(keptBefore, fixture.kept(), "it keeps nothing for the directory");
            assertEquals(keptAsOfBefore, keptAsOf(fixture), "(not even what the account's generation holds, as of its start)");
            assertTrue(fixture.events().size() - seen > 5, "its events are out");
            assertTrue(log.lines().stream().anyMatch(l -> l.contains("SEVERE") && l.contains("publishes without finishing")),
                    String.join("\n", log.lines()));

            fixture.sync(WORKER); // finds the changes again (their events said twice), and the snapshot is right
            int after = fixture.events().size();
            fixture.sync(WORKER);
            assertEquals(List.of(ChangeEvent.SYNC_RUN_COMPLETED), fixture.events().subList(after, fixture.events().size()).stream()
                    .map(ChangeEvent::event).toList());
        }
    }

    /**
     * A run in place whose PUBLISH keeps failing before it writes anything into the account's
     * snapshot (here: the save before its first write), still retried in the last hour before its scratch
     * expires, fails as a stuck run does: its events taken back, nothing of it applied or kept, and
     * the next full run finds its changes again (every published event matches the snapshot).
     */
    @Test
    void aRunInPlaceThatHasNotBegunApplyingWhenItsScratchIsAboutToExpireFailsAndTakesItsEventsBack() {
        dev.kitebridge.VirtualTime time = new dev.kitebridge.VirtualTime();
        PublishBlocked syncs = new PublishBlocked();
        try (Sandbox sandbox = time.sandbox().population(Population.of(60, 4)).start();
             SyncFixture fixture = new SyncFixture(sandbox, time, syncs, java.util.function.UnaryOperator.identity())) {
            fixture.sync(WORKER);
            Map<String, String> before = fixture.snapshot();
            Confirmed confirmedBefore = syncs.account(SyncFixture.ACCOUNT).orElseThrow().confirmed();
            java.time.Instant keptAsOfBefore = keptAsOf(fixture);
            int seen = fixture.events().size();
            change(fixture);
            time.advance(Duration.ofMinutes(10));
            syncs.blocked = true;
            String runId = fixture.service.start(SyncFixture.TENANT, SyncFixture.ACCOUNT, "api").run().id();
            SyncRun publishing = toPublish(fixture, runId);
            assertEquals(SyncRun.Applying.NOT_BEGUN, publishing.applying());

            // Inside the last hour before its scratch expires (not after it).
            time.advance(Duration.between(time.now(), publishing.scratchExpiresAt().minus(Duration.ofMinutes(30))));
            syncs.blocked = false;
            SyncRun done = fixture.finish(runId, WORKER);
            assertEquals(SyncRun.Status.FAILED, done.status());
            assertTrue(done.error().startsWith("not published before what it read expires"), done.error());
            assertEquals(before, fixture.snapshot(), "nothing of it applied");
            assertEquals(List.of(ChangeEvent.SYNC_RUN_FAILED), fixture.events().subList(seen, fixture.events().size()).stream()
                    .map(ChangeEvent::event).toList(), "its events taken back, its failure published");
            assertEquals(confirmedBefore, syncs.account(SyncFixture.ACCOUNT).orElseThrow().confirmed());
            assertEquals(keptAsOfBefore, keptAsOf(fixture));

            int failed = fixture.events().size();
            assertEquals(SyncRun.Status.COMPLETED, fixture.sync(WORKER).status());
            assertTrue(fixture.events().size() - failed > 5, "the next full run finds its changes again");
            int after = fixture.events().size();
            fixture.sync(WORKER);
            assertEquals(List.of(ChangeEvent.SYNC_RUN_COMPLETED), fixture.events().subList(after, fixture.events().size()).stream()
                    .map(ChangeEvent::event).toList(), "and the snapshot holds what it published");
        }
    }

    /**
     * A run in place that applied its scratch whole and moved the account's mark two minutes before
     * the last hour of its scratch, and whose worker died before saving that, is retried inside that
     * hour: it did not publish without applying, so it keeps its data for the directory (the clock at
     * the retry does not decide that; the run's saved decision does).
     */
    @Test
    void aRunInPlaceThatAppliedWholeBeforeTheLastHourKeepsItsDataWhenItsEndIsRetriedInsideIt() {
        dev.kitebridge.VirtualTime time = new dev.kitebridge.VirtualTime();
        PublishBlocked syncs = new PublishBlocked();
        try (Sandbox sandbox = time.sandbox().population(Population.of(60, 4)).start();
             SyncFixture fixture = new SyncFixture(sandbox, time, syncs, java.util.function.UnaryOperator.identity())) {
            fixture.sync(WORKER);
            String keptBefore = fixture.kept();
            java.time.Instant keptAsOfBefore = keptAsOf(fixture);
            change(fixture);
            time.advance(Duration.ofMinutes(10));
            syncs.blocked = true;
            String runId = fixture.service.start(SyncFixture.TENANT, SyncFixture.ACCOUNT, "api").run().id();
            SyncRun publishing = toPublish(fixture, runId);
            java.time.Instant lastHour = publishing.scratchExpiresAt().minus(SyncRunner.SCRATCH_MARGIN);

            time.advance(Duration.between(time.now(), lastHour.minus(Duration.ofMinutes(2))));
            syncs.blocked = false;
            syncs.killAtEnd = true;
            assertThrows(Killer.Killed.class,
                    () -> fixture.runner.work(runId, "worker-applying", time.now().plus(WORKER)));
            assertTrue(syncs.account(SyncFixture.ACCOUNT).orElseThrow().publishedThrough() >= publishing.ordinal(), "its mark moved");
            assertEquals(SyncRun.Status.RUNNING, syncs.run(runId).orElseThrow().status(), "its end not saved");
            Confirmed confirmedAt = syncs.account(SyncFixture.ACCOUNT).orElseThrow().confirmed();

            time.advance(Duration.ofMinutes(3)); // inside the last hour
            SyncRun done = fixture.finish(runId, WORKER);
            assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
            assertEquals(SyncRun.Applying.BEGUN, done.applying());
            assertEquals(confirmedAt, syncs.account(SyncFixture.ACCOUNT).orElseThrow().confirmed());
            assertFalse(keptBefore.equals(fixture.kept()), "it keeps its data for the directory");
            assertTrue(keptAsOf(fixture).isAfter(keptAsOfBefore));

            String kept = fixture.kept();
            int after = fixture.events().size();
            fixture.sync(WORKER);
            assertEquals(List.of(ChangeEvent.SYNC_RUN_COMPLETED), fixture.events().subList(after, fixture.events().size()).stream()
                    .map(ChangeEvent::event).toList(), "the snapshot holds what it published");
            assertEquals(kept, fixture.kept(), "and what it kept is what a full run keeps");
        }
    }

    /**
     * A run in place whose markers are gone by its PUBLISH (expired, or read on a clock past their
     * expiry) would delete every item of the account's snapshot it did not see: all of them. It
     * refuses before writing anything (a failed attempt), and, still so in the last hour before its
     * scratch expires, fails: nothing is deleted from the snapshot.
     */
    @Test
    void aRunInPlaceWhoseMarkersAreGoneByItsPublishDeletesNothing() {
        dev.kitebridge.VirtualTime time = new dev.kitebridge.VirtualTime();
        PublishBlocked syncs = new PublishBlocked();
        try (Sandbox sandbox = time.sandbox().population(Population.of(60, 4)).start();
             SyncFixture fixture = new SyncFixture(sandbox, time, syncs, java.util.function.UnaryOperator.identity())) {
            fixture.sync(WORKER);
            Map<String, String> before = fixture.snapshot();
            int seen = fixture.events().size();
            change(fixture);
            syncs.blocked = true;
            String runId = fixture.service.start(SyncFixture.TENANT, SyncFixture.ACCOUNT, "api").run().id();
            SyncRun publishing = toPublish(fixture, runId);
            List<String> markers = fixture.snapshots.list(SyncFixture.ACCOUNT, publishing.generation(), null, 100_000).stream()
                    .map(SnapshotStore.Item::key).filter(InPlace::isMarker).toList();
            assertFalse(markers.isEmpty());
            fixture.snapshots.delete(SyncFixture.ACCOUNT, publishing.generation(), markers);

            // Another process (nothing of the run's markers read before).
            SyncRunner runner = new SyncRunner(fixture.access, new dev.kitebridge.directory.orgdata.OrganizationReader(fixture.access,
                    dev.kitebridge.directory.orgdata.OrganizationReader.laneThreads()), fixture.directoryService, syncs,
                    fixture.snapshots, fixture.log, time, 0.2);
            syncs.blocked = false;
            SyncRunner.Outcome outcome = runner.work(runId, "worker-other", time.now().plus(WORKER));
            assertEquals(SyncRunner.Outcome.Kind.LATER, outcome.kind());
            SyncRun refused = syncs.run(runId).orElseThrow();
            assertEquals(SyncRun.Phase.PUBLISH, refused.phase());
            assertEquals(SyncRun.Applying.NOT_BEGUN, refused.applying());
            assertTrue(refused.attempts() > publishing.attempts(), "a failed attempt");
            assertEquals(before, fixture.snapshot(), "nothing deleted");

            time.advance(Duration.between(time.now(), publishing.scratchExpiresAt().minus(Duration.ofMinutes(30))));
            for (int worker = 0; !syncs.run(runId).orElseThrow().finished() || syncs.run(runId).orElseThrow().phase() != SyncRun.Phase.DONE;
                 worker++) {
                assertTrue(worker < 100);
                runner.work(runId, "worker-" + worker, time.now().plus(WORKER));
            }
            assertEquals(SyncRun.Status.FAILED, syncs.run(runId).orElseThrow().status());
            assertEquals(before, fixture.snapshot(), "nothing deleted");
            assertEquals(List.of(ChangeEvent.SYNC_RUN_FAILED), fixture.events().subList(seen, fixture.events().size()).stream()
                    .map(ChangeEvent::event).toList());
        }
    }

    /** Works on the run until it is in PUBLISH and has failed there twice (its PUBLISH blocked); returns it. */
    static SyncRun toPublish(SyncFixture fixture, String runId) {
        for (int worker = 0; fixture.syncs.run(runId).orElseThrow().attempts() < 2; worker++) {
            SyncRunner.Outcome outcome = fixture.runner.work(runId, "worker-" + worker, fixture.time.now().plus(WORKER));
            assertTrue(worker < 1_000);
            if (outcome.at() != null && outcome.at().isAfter(fixture.time.now())
                    && fixture.syncs.run(runId).orElseThrow().phase() != SyncRun.Phase.PUBLISH) {
                fixture.sleepUntil(outcome.at());
            }
        }
        SyncRun run = fixture.syncs.run(runId).orElseThrow();
        assertEquals(SyncRun.Phase.PUBLISH, run.phase());
        return run;
    }

    /** As of when the directory's kept data of the organization was read (null: none kept). */
    private static java.time.Instant keptAsOf(SyncFixture fixture) {
        return fixture.directory.complete(SyncFixture.DATA_KEY, fixture.org().slug(), dev.kitebridge.directory.orgdata.OrganizationData.Part.PROFILES)
                .flatMap(d -> d.completedAt(dev.kitebridge.directory.orgdata.OrganizationData.Part.PROFILES)).orElse(null);
    }

    // ---------------------------------------------------------------- helpers

    /** A promotion, a leaver, a rename, a team move, a team deleted and an invitation. */
    static void change(SyncFixture fixture) {
        var world = fixture.sandbox.world();
        Organization org = fixture.org();
        String owner = fixture.actor();
        List<Member> members = world.members(org.uuid()).stream().filter(m -> !m.userUuid().equals(owner)).toList();
        List<Team> teams = world.teams(org.uuid());
        Member promoted = members.stream().filter(m -> m.role() == Member.Role.MEMBER).findFirst().orElseThrow();
        world.updateMember(org, owner, promoted.userUuid(), Member.Role.ADMIN, null);
        Member leaver = members.stream().filter(m -> m != promoted && m.role() == Member.Role.MEMBER
                && !world.teamMembershipsOf(org.uuid(), m.userUuid()).isEmpty()).findFirst().orElseThrow();
        world.removeMember(org, owner, leaver.userUuid());
        world.updateTeam(org, owner, teams.get(0).uuid(), new TeamFields("Renamed team", null, null, null, null, null, null, null, null,
                null));
        Team from = teams.get(1);
        Team to = teams.get(2);
        Member mover = members.stream().filter(m -> m != promoted && m != leaver
                && world.teamMember(org.uuid(), from.uuid(), m.userUuid()).isPresent()
                && world.teamMember(org.uuid(), to.uuid(), m.userUuid()).isEmpty()).findFirst().orElseThrow();
        world.removeTeamMember(org, owner, from.uuid(), mover.userUuid());
        world.addTeamMember(org, owner, to.uuid(), mover.userUuid(), TeamMember.Role.MAINTAINER);
        world.deleteTeam(org, owner, teams.get(3).uuid());
        Invitation invited = world.invite(org, owner, List.of("in-place@example.com"), Member.Role.MEMBER, null, List.of()).get(0);
        assertTrue(invited.uuid() != null);
    }

    /** Runs a full run that writes a whole generation, as first syncs do. */
    static SyncRun inGenerationMode(SyncFixture fixture) {
        SyncRun run = fixture.service.start(SyncFixture.TENANT, SyncFixture.ACCOUNT, "api").run();
        fixture.syncs.replaceRun(fixture.syncs.run(run.id()).orElseThrow().inGenerationMode()).orElseThrow();
        return fixture.finish(run.id(), WORKER);
    }

    /** A run's events as a receiver sees them: id, type, data and previous values, in order (the run's end left out). */
    static List<String> described(List<ChangeEvent> events, int from) {
        return events.subList(from, events.size()).stream().filter(e -> !e.event().startsWith("sync_run."))
                .map(e -> e.id() + " " + e.event() + " " + e.data() + " " + e.previousAttributes()).toList();
    }

    private static List<String> ids(List<ChangeEvent> events, int from) {
        return events.subList(from, events.size()).stream().map(e -> e.event() + " " + e.id()).toList();
    }

}
