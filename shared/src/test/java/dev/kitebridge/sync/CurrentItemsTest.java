package dev.kitebridge.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.kitebridge.state.memory.InMemorySnapshotStore;

/** The current generation as a run in place looks its pages up in it, and the seen markers' ids. */
class CurrentItemsTest {

    private static final String ORG = "11111111-2222-3333-4444-555555555555";
    private static final long CURRENT = 7;

    @AfterEach
    void forget() {
        CurrentItems.forget();
        CurrentItems.budget(CurrentItems.BUDGET);
    }

    private static SnapshotStore.Item item(String key, String value) {
        return new SnapshotStore.Item(key, JsonNodeFactory.instance.objectNode().put("v", value));
    }

    private static SyncRun run(String id) {
        return SyncRun.queued(id, "tenant-1", "acct-1", 3, "schedule", false, Instant.parse("2026-01-01T00:00:00Z"), CURRENT);
    }

    @Test
    void itFindsWhatALookUpByKeyFindsAndReadsEachRangeOnceForTheRunsTurns() {
        CountingSnapshots counted = new CountingSnapshots(new InMemorySnapshotStore());
        List<SnapshotStore.Item> items = List.of(
                item(SnapshotKeys.group(ORG, "team-a"), "a"), item(SnapshotKeys.group(ORG, "team-a") + "/r", "ra"),
                item(SnapshotKeys.group(ORG, "team-a") + "/p/pipe-1", "p1"), item(SnapshotKeys.invitation(ORG, "inv-1"), "i1"),
                item(SnapshotKeys.rosterEntry(ORG, "team-a", "user-1"), "e1"), item(SnapshotKeys.profile(ORG, "user-1"), "g1"),
                item(SnapshotKeys.member(ORG, "user-1"), "m1"), item(SnapshotKeys.membership(ORG, "user-1", "team-a"), "t1"),
                item(SnapshotKeys.profile("other-org", "user-1"), "elsewhere"));
        counted.put("acct-1", CURRENT, items);
        counted.put("acct-1", CURRENT + 1, List.of(item(SnapshotKeys.profile(ORG, "user-2"), "in the run's own generation")));
        counted.clear();

        List<String> keys = new ArrayList<>(items.stream().map(SnapshotStore.Item::key).toList());
        keys.add(SnapshotKeys.profile(ORG, "user-2"));
        keys.add(SnapshotKeys.group(ORG, "team-b"));
        Map<String, String> found = CurrentItems.of(counted, run("run-1"), ORG).get(keys);

        Map<String, String> byKey = new java.util.HashMap<>();
        SnapshotStore plain = new InMemorySnapshotStore();
        plain.put("acct-1", CURRENT, items);
        plain.get("acct-1", CURRENT, keys).forEach(i -> byKey.put(i.key(), i.data().toString()));
        byKey.remove(SnapshotKeys.profile("other-org", "user-1")); // another organization's: looked up by key, found too
        assertEquals(byKey, found.entrySet().stream().filter(e -> !e.getKey().contains("other-org"))
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        assertEquals("{\"v\":\"elsewhere\"}", found.get(SnapshotKeys.profile("other-org", "user-1")));
        assertNull(found.get(SnapshotKeys.profile(ORG, "user-2")), "only the current generation");
        long read = counted.reads(CURRENT);
        assertEquals(2, counted.lookedUp(CURRENT), "by key only the index entry and the other organization's item");

        // The run's next turn in this process reads nothing again; another run does.
        CurrentItems.of(counted, run("run-1"), ORG).get(keys);
        assertEquals(read, counted.reads(CURRENT) - 2, "only the two looked up by key again");
        long again = counted.reads(CURRENT);
        CurrentItems.forget(run("run-2"));
        CurrentItems.of(counted, run("run-1"), ORG).get(List.of(SnapshotKeys.profile(ORG, "user-1")));
        assertEquals(again, counted.reads(CURRENT), "another run's end forgets nothing of this one");
        CurrentItems.forget(run("run-1"));
        CurrentItems.of(counted, run("run-1"), ORG).get(List.of(SnapshotKeys.profile(ORG, "user-1")));
        assertTrue(counted.reads(CURRENT) > again, "read again once forgotten");
        again = counted.reads(CURRENT);
        CurrentItems.of(counted, run("run-2"), ORG).get(List.of(SnapshotKeys.profile(ORG, "user-1")));
        assertTrue(counted.reads(CURRENT) > again, "another run reads its ranges");
    }

    /**
     * Two accounts over one world, each run in place after the same changes, one with a budget far
     * below its organization's: it holds no more than the budget, looks the rest up by key, and
     * finds, writes and publishes what the other does.
     */
    @Test
    void aRunInPlaceOverItsBudgetLooksTheRestUpByKeyAndWritesWhatAnUncappedOneWrites() {
        long[] most = {0};
        CountingSnapshots cappedStore = new CountingSnapshots(new InMemorySnapshotStore()) {
            @Override
            public List<Item> get(String accountId, long generation, java.util.Collection<String> keys) {
                most[0] = Math.max(most[0], CurrentItems.held()); // what is held as it looks the rest up
                return super.get(accountId, generation, keys);
            }
        };
        CountingSnapshots wholeStore = new CountingSnapshots(new InMemorySnapshotStore());
        java.time.Duration worker = java.time.Duration.ofMinutes(10);
        try (dev.kitebridge.sandbox.Sandbox sandbox = SyncFixture.sandbox(150, 6);
             SyncFixture capped = new SyncFixture(sandbox, cappedStore); SyncFixture whole = new SyncFixture(sandbox, wholeStore)) {
            capped.sync(worker);
            whole.sync(worker);
            long current = capped.syncs.account(SyncFixture.ACCOUNT).orElseThrow().currentGeneration();
            assertEquals(current, whole.syncs.account(SyncFixture.ACCOUNT).orElseThrow().currentGeneration());
            long text = capped.snapshot().entrySet().stream().mapToLong(e -> e.getKey().length() + e.getValue().length()).sum();
            InPlaceRunTest.change(capped);
            int cappedSeen = capped.events().size();
            int wholeSeen = whole.events().size();
            cappedStore.clear();
            wholeStore.clear();

            long budget = text / 10;
            CurrentItems.budget(budget);
            SyncRun a = capped.sync(worker);
            CurrentItems.budget(CurrentItems.BUDGET);
            SyncRun b = whole.sync(worker);

            assertTrue(a.inPlace() && b.inPlace());
            assertEquals(SyncRun.Status.COMPLETED, a.status(), a.error());
            assertEquals(SyncRun.Status.COMPLETED, b.status(), b.error());
            assertTrue(cappedStore.lookedUp(current) > 0, "past the budget, items are looked up by key");
            assertEquals(0, wholeStore.lookedUp(current), "within it, none are");
            assertEquals(whole.snapshot(), capped.snapshot(), "the generations they leave");
            assertEquals(whole.kept(), capped.kept());
            assertEquals(events(whole.events(), wholeSeen), events(capped.events(), cappedSeen));
            assertTrue(events(capped.events(), cappedSeen).size() > 5, "some changes found");
            assertEquals(wholeStore.writes(current), cappedStore.writes(current), "writes into the snapshot");
            java.util.Set<String> intoWhole = new java.util.TreeSet<>(wholeStore.keysPut(b.generation()));
            java.util.Set<String> intoCapped = new java.util.TreeSet<>(cappedStore.keysPut(a.generation()));
            assertEquals(intoWhole, intoCapped, "items written into the run's own generation, the first that differ: "
                    + intoCapped.stream().filter(k -> !intoWhole.contains(k)).limit(3).toList() + " "
                    + intoWhole.stream().filter(k -> !intoCapped.contains(k)).limit(3).toList());
            assertEquals(0, CurrentItems.held(), "nothing held once the run is over");
            assertTrue(most[0] > 0 && most[0] <= budget, most[0] + " characters held for a budget of " + budget);
        }
    }

    @Test
    void itHoldsNoMoreThanItsBudgetAndLooksThePastUpByKey() {
        CountingSnapshots counted = new CountingSnapshots(new InMemorySnapshotStore());
        List<SnapshotStore.Item> items = new ArrayList<>();
        for (int i = 0; i < 1_200; i++) { // more than a page of the range
            items.add(item(SnapshotKeys.profile(ORG, String.format("user-%04d", i)), String.format("p%04d", i)));
        }
        counted.put("acct-1", CURRENT, items);
        counted.clear();
        List<String> keys = new ArrayList<>(items.stream().map(SnapshotStore.Item::key).toList());
        keys.add(SnapshotKeys.profile(ORG, "user-9999")); // none: past what is held, looked up and not found
        keys.add(SnapshotKeys.profile(ORG, "user-0000a")); // none: within what is held, not looked up
        long size = items.get(0).key().length() - SnapshotKeys.organization(ORG).length() + items.get(0).data().toString().length();

        CurrentItems.budget(size * 700 + size / 2);
        Map<String, String> found = CurrentItems.of(counted, run("run-1"), ORG).get(keys);
        assertEquals(1_200, found.size());
        items.forEach(i -> assertEquals(i.data().toString(), found.get(i.key()), i.key()));
        assertEquals(500 + 1, counted.lookedUp(CURRENT), "the 500 past the 700 held, and the one past them not found");
        assertEquals(size * 700, CurrentItems.held());

        CurrentItems.budget(size / 2);
        CurrentItems.forget();
        counted.clear();
        assertEquals(1_200, CurrentItems.of(counted, run("run-1"), ORG).get(keys).size());
        assertEquals(keys.size(), counted.lookedUp(CURRENT), "nothing held: all by key");
        assertEquals(0, CurrentItems.held());

        CurrentItems.budget(CurrentItems.BUDGET);
        CurrentItems.forget();
        CurrentItems.of(counted, run("run-1"), ORG).get(keys);
        assertTrue(CurrentItems.held() > 0);
        CurrentItems.keepOnly("run-1");
        assertTrue(CurrentItems.held() > 0, "its own run's turn keeps it");
        CurrentItems.keepOnly("run-2");
        assertEquals(0, CurrentItems.held(), "another run's turn drops it");
    }

    private static List<String> events(List<dev.kitebridge.events.ChangeEvent> events, int from) {
        return events.subList(from, events.size()).stream().filter(e -> !e.event().startsWith("sync_run."))
                .map(e -> e.id() + " " + e.event() + " " + e.data() + " " + e.previousAttributes()).toList();
    }

    @Test
    void aMarkerPacksUuidsAndNamesTheSameKeysAsAListedOne() throws Exception {
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            users.add(UUID.nameUUIDFromBytes(("user" + i).getBytes()).toString());
        }
        SnapshotStore.Item packed = InPlace.seenMarker(ORG, InPlace.Part.ROSTER, "team-a", users);
        assertTrue(packed.data().has("u"));
        assertFalse(packed.data().has("ids"));
        assertEquals(users, InPlace.idsOf(packed.data()));
        List<String> expected = new ArrayList<>();
        users.forEach(u -> {
            expected.add(SnapshotKeys.membership(ORG, u, "team-a"));
            expected.add(SnapshotKeys.rosterEntry(ORG, "team-a", u));
        });
        assertEquals(expected, InPlace.keysOf(packed));
        // 16 bytes an id, as bytes (stored so: see SnapshotStore.Item), where a list takes 39 characters and Base64 22.
        assertTrue(packed.data().get("u").isBinary());
        assertEquals(1_600, packed.data().get("u").binaryValue().length);
        // A marker an earlier version wrote, its ids in Base64 text: read alike.
        com.fasterxml.jackson.databind.node.ObjectNode text = packed.data().deepCopy();
        text.put("u", java.util.Base64.getEncoder().withoutPadding().encodeToString(packed.data().get("u").binaryValue()));
        assertEquals(users, InPlace.idsOf(text));

        // An id that is not a lowercase UUID: listed as it is (a marker written by an earlier version reads alike).
        List<String> mixed = List.of(users.get(0), "not-a-uuid", users.get(1).toUpperCase());
        SnapshotStore.Item listed = InPlace.seenMarker(ORG, InPlace.Part.MEMBERS, null, mixed);
        assertFalse(listed.data().has("u"));
        assertEquals(mixed, InPlace.idsOf(listed.data()));
        assertEquals(mixed.stream().map(u -> SnapshotKeys.member(ORG, u)).toList(), InPlace.keysOf(listed));
    }
}
