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

    @Test
    void aMarkerPacksUuidsAndNamesTheSameKeysAsAListedOne() {
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
        // About 22 characters an id, where a list takes 39 (3,900 for the page).
        assertTrue(packed.data().toString().length() < 2_300, packed.data().toString().length() + " characters");

        // An id that is not a lowercase UUID: listed as it is (a marker written by an earlier version reads alike).
        List<String> mixed = List.of(users.get(0), "not-a-uuid", users.get(1).toUpperCase());
        SnapshotStore.Item listed = InPlace.seenMarker(ORG, InPlace.Part.MEMBERS, null, mixed);
        assertFalse(listed.data().has("u"));
        assertEquals(mixed, InPlace.idsOf(listed.data()));
        assertEquals(mixed.stream().map(u -> SnapshotKeys.member(ORG, u)).toList(), InPlace.keysOf(listed));
    }
}
