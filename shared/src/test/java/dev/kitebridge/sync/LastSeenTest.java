package dev.kitebridge.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kitebridge.directory.orgdata.OrganizationData;
import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.model.Member;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.Team;
import dev.kitebridge.sandbox.model.TeamMember;
import dev.kitebridge.state.aws.Dynalite;
import dev.kitebridge.state.aws.DynamoDbSnapshotStore;
import dev.kitebridge.state.memory.InMemoryEventLog;
import dev.kitebridge.state.memory.InMemoryOrganizationDataStore;
import dev.kitebridge.state.memory.InMemorySnapshotStore;
import dev.kitebridge.state.memory.InMemorySyncStore;

/**
 * Buildkite's last seen, kept beside the profiles (see {@link LastSeen}): a full run in place does
 * not rewrite a profile for a visit, yet every record made from the snapshot — the directory's kept
 * data, a full run's events and a pass's — carries the visit.
 */
class LastSeenTest {

    private static final Duration WORKER = Duration.ofMinutes(10);

    @Test
    void membersSeenBetweenTwoFullRunsAreKeptSeenWithoutTheirProfilesRewritten() {
        CountingSnapshots counted = new CountingSnapshots(new InMemorySnapshotStore());
        try (SyncFixture fixture = new SyncFixture(SyncFixture.sandbox(120, 6), counted)) {
            fixture.sync(WORKER);
            long current = fixture.syncs.account(SyncFixture.ACCOUNT).orElseThrow().currentGeneration();
            List<dev.kitebridge.directory.orgdata.MemberProfile> keptAsRead = keptSnapshot(fixture).profiles();
            List<Member> seen = visits(fixture, 0.5, 1);
            assertTrue(seen.size() >= 50, seen.size() + " seen");
            assertNotEquals(lastSeenInTheWorld(fixture), lastSeenKept(fixture), "the kept data does not know of the visits yet");
            int events = fixture.events().size();
            counted.clear();

            SyncRun second = fixture.sync(WORKER);
            assertTrue(second.inPlace());
            assertEquals(SyncRun.Status.COMPLETED, second.status(), second.error());
            assertEquals(List.of(ChangeEvent.SYNC_RUN_COMPLETED), types(fixture, events), "no event for a visit");
            assertEquals(List.of(), profilesPut(counted, current), "no profile rewritten in the account's generation");
            assertEquals(List.of(), profilesPut(counted, second.generation()), "nor in the run's");
            assertEquals(List.of(LastSeen.PREFIX + fixture.org().uuid() + "/"), counted.keysPut(current).stream()
                    .map(k -> k.substring(0, k.lastIndexOf('/') + 1)).distinct().toList(), "a packed item of the organization's, only");
            assertEquals(lastSeenInTheWorld(fixture), lastSeenKept(fixture), "the directory's kept data has every visit");
            // Kept apart from the profiles there too: the confirmation changes that part alone (a store keeps it as a small patch).
            assertEquals(keptAsRead, keptSnapshot(fixture).profiles());
            assertEquals(seen.size(), keptSnapshot(fixture).lastSeen().size());

            // Nothing seen since: nothing written, the packed items as they were.
            events = fixture.events().size();
            counted.clear();
            fixture.sync(WORKER);
            assertEquals(List.of(ChangeEvent.SYNC_RUN_COMPLETED), types(fixture, events));
            assertEquals(0, counted.writes(current), "nothing written: " + counted.keysPut(current));
            assertEquals(lastSeenInTheWorld(fixture), lastSeenKept(fixture));

            // Seen again (some of them twice): the packed items rewritten, the profiles still not.
            visits(fixture, 0.3, 2);
            counted.clear();
            SyncRun fourth = fixture.sync(WORKER);
            assertEquals(List.of(), profilesPut(counted, current));
            assertEquals(List.of(), profilesPut(counted, fourth.generation()));
            assertEquals(lastSeenInTheWorld(fixture), lastSeenKept(fixture));
        }
    }

    /**
     * On DynamoDB, which gives a packed item's fields back in its own order: a run after which nobody
     * was seen writes no packed item again.
     */
    @Test
    void onDynamoDbARunWithNoVisitsSinceWritesNoPackedItem() {
        Dynalite.Table table = Dynalite.get().newTable();
        assertARunWithNoVisitsSinceWritesNoPackedItem(new DynamoDbSnapshotStore(table.client(), table.name()));
    }

    /** The same where the store gives a packed item's fields back reversed (as DynamoDB may give them in any order). */
    @Test
    void aRunWithNoVisitsSinceWritesNoPackedItemWhateverOrderItsFieldsComeBackIn() {
        assertARunWithNoVisitsSinceWritesNoPackedItem(new Reversing(new InMemorySnapshotStore()));
    }

    private static void assertARunWithNoVisitsSinceWritesNoPackedItem(SnapshotStore store) {
        CountingSnapshots counted = new CountingSnapshots(store);
        try (SyncFixture fixture = new SyncFixture(SyncFixture.sandbox(60, 3), counted)) {
            fixture.sync(WORKER);
            long current = fixture.syncs.account(SyncFixture.ACCOUNT).orElseThrow().currentGeneration();
            visits(fixture, 0.5, 1);
            fixture.sync(WORKER);
            assertFalse(LastSeen.items(counted, SyncFixture.ACCOUNT, current).isEmpty(), "the visits packed");

            counted.clear();
            SyncRun third = fixture.sync(WORKER);
            assertEquals(SyncRun.Status.COMPLETED, third.status(), third.error());
            assertEquals(List.of(), counted.keysPut(current), "nothing written");
            assertEquals(lastSeenInTheWorld(fixture), lastSeenKept(fixture));
        }
    }

    /**
     * A run in place killed in its PUBLISH after it wrote the profiles and before it packed the last
     * seen: the account's profiles served meanwhile with the last seen packed before; the run resumed
     * packs it, and publishes what an unkilled run does.
     */
    @Test
    void aRunKilledBetweenItsProfilesAndItsPackedLastSeenFinishesAsOneNotKilled() {
        DyingBeforeLastSeen dying = new DyingBeforeLastSeen(new InMemorySnapshotStore());
        InMemorySyncStore runs = new InMemorySyncStore();
        try (Sandbox sandbox = SyncFixture.sandbox(60, 6);
             SyncFixture fixture = new SyncFixture(sandbox, dying, runs, new InMemoryEventLog(), new InMemoryOrganizationDataStore());
             SyncFixture unkilled = new SyncFixture(sandbox, new InMemorySnapshotStore(), new InMemorySyncStore(),
                     new InMemoryEventLog(), new InMemoryOrganizationDataStore())) {
            fixture.sync(WORKER);
            unkilled.sync(WORKER);
            visits(fixture, 0.5, 1);
            fixture.sync(WORKER);
            unkilled.sync(WORKER);
            Map<String, Instant> keptBefore = lastSeenKept(fixture);
            int seen = fixture.events().size();
            int unkilledSeen = unkilled.events().size();
            visits(fixture, 0.5, 2);
            InPlaceRunTest.change(fixture);

            dying.armed = true;
            String runId = fixture.service.start(SyncFixture.TENANT, SyncFixture.ACCOUNT, "api").run().id();
            assertThrows(Killer.Killed.class, () -> fixture.finish(runId, WORKER));
            SyncRun killed = runs.run(runId).orElseThrow();
            assertTrue(killed.inPlace());
            assertEquals(SyncRun.Phase.PUBLISH, killed.phase(), "killed in its PUBLISH");
            assertTrue(dying.profilesPut > 0, "after it wrote profiles");
            SyncRun done = fixture.finish(runId, WORKER);
            SyncRun other = unkilled.sync(WORKER);

            assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
            assertEquals(SyncRun.Status.COMPLETED, other.status(), other.error());
            assertEquals(InPlaceRunTest.described(unkilled.events(), unkilledSeen), InPlaceRunTest.described(fixture.events(), seen));
            assertEquals(lastSeenInTheWorld(fixture), lastSeenKept(fixture));
            assertNotEquals(keptBefore, lastSeenKept(fixture));
            assertEquals(unkilled.kept(), fixture.kept());
        }
    }

    /** Snapshots in memory that die once, when armed, at the first put of a packed last seen (after any profile put before it). */
    private static final class DyingBeforeLastSeen extends ForwardingSnapshotStore {
        boolean armed;
        int profilesPut;

        DyingBeforeLastSeen(SnapshotStore store) {
            super(store);
        }

        @Override
        public void put(String accountId, long generation, List<Item> items, Instant expiresAt) {
            if (armed && items.stream().anyMatch(i -> i.key().startsWith(LastSeen.PREFIX))) {
                armed = false;
                throw new Killer.Killed();
            }
            if (armed) {
                profilesPut += (int) items.stream().filter(i -> i.key().startsWith("o/") && i.key().endsWith("/g")).count();
            }
            store.put(accountId, generation, items, expiresAt);
        }
    }

    /** A store that gives the packed last seen's items back with their data's fields in reverse order. */
    private static final class Reversing extends ForwardingSnapshotStore {
        Reversing(SnapshotStore store) {
            super(store);
        }

        @Override
        public List<Item> list(String accountId, long generation, String afterKey, int limit) {
            return reversed(store.list(accountId, generation, afterKey, limit));
        }

        @Override
        public List<Item> list(String accountId, long generation, String afterKey, String beforeKey, int limit) {
            return reversed(store.list(accountId, generation, afterKey, beforeKey, limit));
        }

        @Override
        public List<Item> get(String accountId, long generation, Collection<String> keys) {
            return reversed(store.get(accountId, generation, keys));
        }

        private static List<Item> reversed(List<Item> items) {
            return items.stream().map(i -> i.key().startsWith(LastSeen.PREFIX) ? new Item(i.key(), reversed(i.data())) : i).toList();
        }

        private static JsonNode reversed(JsonNode data) {
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
            data.fields().forEachRemaining(fields::add);
            Collections.reverse(fields);
            ObjectNode reversed = JsonNodeFactory.instance.objectNode();
            fields.forEach(f -> reversed.set(f.getKey(), f.getValue()));
            return reversed;
        }
    }

    /**
     * Last seen only moves on: where Buildkite answers an older one, or none (a token that lost its
     * administrator reads none), the later one kept is served still.
     */
    @Test
    void anOlderOrMissingLastSeenReadDoesNotTakeTheKeptOneBack() {
        try (SyncFixture fixture = new SyncFixture(60, 3)) {
            fixture.sync(WORKER);
            List<Member> seen = visits(fixture, 0.5, 1);
            fixture.sync(WORKER);
            Map<String, Instant> kept = lastSeenKept(fixture);
            Member older = seen.get(0);
            Member none = seen.get(1);
            fixture.sandbox.world().memberSeen(fixture.org(), older.userUuid(), older.lastSeenAt().minus(Duration.ofDays(30)));
            fixture.sandbox.world().memberSeen(fixture.org(), none.userUuid(), null);

            SyncRun third = fixture.sync(WORKER);
            assertTrue(third.inPlace());
            assertEquals(SyncRun.Status.COMPLETED, third.status(), third.error());
            assertEquals(kept, lastSeenKept(fixture));
            assertNotNull(kept.get(none.userUuid()));
        }
    }

    /** A pass that reads a member whose answer's last seen lags the profile's own keeps the later (the profile as it was). */
    @Test
    void aPassReadingAnOlderLastSeenDoesNotTakeTheProfilesOwnBack() {
        try (SyncFixture fixture = new SyncFixture(60, 3)) {
            fixture.sync(WORKER); // a whole generation: every profile with its own last seen
            Map<String, Instant> kept = lastSeenKept(fixture);
            Member member = fixture.sandbox.world().members(fixture.org().uuid()).stream()
                    .filter(m -> m.lastSeenAt() != null && !m.userUuid().equals(fixture.actor())).findFirst().orElseThrow();
            fixture.sandbox.world().memberSeen(fixture.org(), member.userUuid(), member.lastSeenAt().minus(Duration.ofDays(30)));

            SyncRun pass = fixture.finish(fixture.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit",
                    List.of(Subject.user(fixture.org().uuid(), member.userUuid()))).run().id(), WORKER);
            assertEquals(SyncRun.Status.COMPLETED, pass.status(), pass.error());
            assertEquals(kept, lastSeenKept(fixture));
        }
    }

    /** Two accounts over one world, every member seen: a run in place publishes the visits in its events as a whole generation does. */
    @Test
    void aRunInPlacePublishesAndKeepsTheLastSeenARunWritingAWholeGenerationDoes() {
        try (SyncFixture inPlace = new SyncFixture(120, 6);
             SyncFixture whole = new SyncFixture(inPlace.sandbox, new InMemorySnapshotStore(), new InMemorySyncStore(),
                     new InMemoryEventLog(), new InMemoryOrganizationDataStore())) {
            inPlace.sync(WORKER);
            whole.sync(WORKER);
            visits(inPlace, 1.0, 3);
            inPlace.sync(WORKER); // the visits kept beside the profiles
            whole.sync(WORKER);
            int inPlaceSeen = inPlace.events().size();
            int wholeSeen = whole.events().size();
            visits(inPlace, 0.5, 4);
            InPlaceRunTest.change(inPlace);

            SyncRun a = inPlace.sync(WORKER);
            SyncRun b = InPlaceRunTest.inGenerationMode(whole);
            assertTrue(a.inPlace());
            assertFalse(b.inPlace());
            List<String> found = InPlaceRunTest.described(inPlace.events(), inPlaceSeen);
            assertTrue(found.stream().anyMatch(e -> e.contains(" " + ChangeEvent.USER_UPDATED + " ")), String.join("\n", found));
            assertEquals(InPlaceRunTest.described(whole.events(), wholeSeen), found);
            assertEquals(whole.kept(), inPlace.kept());
            assertEquals(lastSeenInTheWorld(inPlace), lastSeenKept(inPlace));
        }
    }

    /** After a run in place kept the visits beside the profiles, a pass that does not read a profile publishes it with its visit. */
    @Test
    void aPassPublishesTheLastSeenKeptBesideAProfileItDoesNotRead() {
        try (SyncFixture fixture = new SyncFixture(120, 6)) {
            fixture.sync(WORKER);
            Instant visited = Instant.parse("2031-05-06T07:08:09Z");
            var world = fixture.sandbox.world();
            Organization org = fixture.org();
            Team from = world.teams(org.uuid()).get(0);
            Team to = world.teams(org.uuid()).get(1);
            TeamMember moving = world.teamMembers(org.uuid(), from.uuid()).stream()
                    .filter(m -> !m.userUuid().equals(fixture.actor()) && world.teamMember(org.uuid(), to.uuid(), m.userUuid()).isEmpty())
                    .findFirst().orElseThrow();
            world.memberSeen(org, moving.userUuid(), visited);
            fixture.sync(WORKER);
            int seen = fixture.events().size();

            world.addTeamMember(org, fixture.actor(), to.uuid(), moving.userUuid(), TeamMember.Role.MEMBER);
            SyncRun pass = fixture.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit",
                    List.of(Subject.roster(org.uuid(), to.uuid()))).run();
            assertFalse(pass.full());
            assertEquals(SyncRun.Status.COMPLETED, fixture.finish(pass.id(), WORKER).status());
            ChangeEvent updated = fixture.events().subList(seen, fixture.events().size()).stream()
                    .filter(e -> e.event().equals(ChangeEvent.USER_UPDATED)).findFirst().orElseThrow();
            assertEquals(moving.userUuid(), updated.data().get("id").asText());
            assertEquals(visited.toString(), updated.data().get("last_active_at").asText(), updated.data().toString());
        }
    }

    /**
     * A member seen, kept beside their profile, who leaves and joins again: their new membership was
     * never seen, and is not served the old one's last seen.
     */
    @Test
    void aMemberWhoLeftAndJoinedAgainIsNotServedTheirEarlierMembershipsLastSeen() {
        try (SyncFixture fixture = new SyncFixture(120, 6)) {
            fixture.sync(WORKER);
            Instant visited = Instant.parse("2031-05-06T07:08:09Z");
            var world = fixture.sandbox.world();
            Organization org = fixture.org();
            Member member = world.members(org.uuid()).stream()
                    .filter(m -> !m.userUuid().equals(fixture.actor()) && m.role() == Member.Role.MEMBER).findFirst().orElseThrow();
            world.memberSeen(org, member.userUuid(), visited);
            fixture.sync(WORKER);
            assertEquals(visited, lastSeenKept(fixture).get(member.userUuid()));

            world.removeMember(org, fixture.actor(), member.userUuid());
            pass(fixture, Subject.user(org.uuid(), member.userUuid()));
            world.addMember(new Member("a0000000-0000-4000-8000-000000000001", org.uuid(), member.userUuid(), Member.Role.MEMBER,
                    member.ssoMode(), visited.plus(Duration.ofDays(1)), null, false));
            int seen = fixture.events().size();
            pass(fixture, Subject.user(org.uuid(), member.userUuid()));
            ChangeEvent created = fixture.events().subList(seen, fixture.events().size()).stream()
                    .filter(e -> e.event().equals(ChangeEvent.USER_CREATED)).findFirst().orElseThrow();
            assertTrue(created.data().get("last_active_at").isNull(), created.data().toString());
            assertEquals(null, lastSeenKept(fixture).get(member.userUuid()), "the kept data, right after the pass that adds them again");
            assertEquals(lastSeenInTheWorld(fixture), lastSeenKept(fixture));

            fixture.sync(WORKER);
            assertEquals(null, lastSeenKept(fixture).get(member.userUuid()));
            assertEquals(lastSeenInTheWorld(fixture), lastSeenKept(fixture));
        }
    }

    // ---------------------------------------------------------------- helpers

    /** A day's visits: a share of the members seen now. */
    private static List<Member> visits(SyncFixture fixture, double share, long seed) {
        return fixture.sandbox.world().membersSeen(fixture.org().uuid(), share, new Random(seed));
    }

    private static void pass(SyncFixture fixture, Subject subject) {
        SyncRun pass = fixture.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit", List.of(subject)).run();
        assertFalse(pass.full());
        SyncRun done = fixture.finish(pass.id(), WORKER);
        assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
    }

    private static List<String> profilesPut(CountingSnapshots counted, long generation) {
        return counted.keysPut(generation).stream().filter(k -> k.startsWith("o/") && k.endsWith("/g")).toList();
    }

    private static List<String> types(SyncFixture fixture, int from) {
        List<ChangeEvent> events = fixture.events();
        return events.subList(from, events.size()).stream().map(ChangeEvent::event).toList();
    }

    /** Every member's last seen in Buildkite, to the millisecond as it serves it, by user (a map without those never seen). */
    private static Map<String, Instant> lastSeenInTheWorld(SyncFixture fixture) {
        Map<String, Instant> lastSeen = new TreeMap<>();
        fixture.sandbox.world().members(fixture.org().uuid()).stream().filter(m -> m.lastSeenAt() != null)
                .forEach(m -> lastSeen.put(m.userUuid(), m.lastSeenAt().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
        return lastSeen;
    }

    /** Every member's last seen in the directory's kept data, by user (without those never seen). */
    private static Map<String, Instant> lastSeenKept(SyncFixture fixture) {
        Map<String, Instant> lastSeen = new TreeMap<>();
        fixture.directory.complete(SyncFixture.DATA_KEY, fixture.org().slug(), OrganizationData.Part.PROFILES).orElseThrow()
                .profiles().stream().filter(p -> p.lastSeenAt() != null).forEach(p -> lastSeen.put(p.userUuid(), p.lastSeenAt()));
        return lastSeen;
    }

    private static OrganizationData.Snapshot keptSnapshot(SyncFixture fixture) {
        return fixture.directory.complete(SyncFixture.DATA_KEY, fixture.org().slug(), OrganizationData.Part.PROFILES).orElseThrow().snapshot();
    }
}
