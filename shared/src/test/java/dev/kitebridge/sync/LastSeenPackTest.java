package dev.kitebridge.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.kitebridge.state.memory.InMemorySnapshotStore;

/** The packed last seen of an organization (see {@link LastSeen}): its chunks, their keys, and what a reader reads of them. */
class LastSeenPackTest {

    @Test
    void eachMemberIsFoundInItsChunkAndAWalkInKeyOrderReadsEachChunkOnce() {
        Random random = new Random(7);
        TreeMap<String, Long> byUser = new TreeMap<>();
        while (byUser.size() < 5_000) {
            byUser.put(new UUID(random.nextLong(), random.nextLong()).toString(), 1_800_000_000_000L + random.nextInt(1_000_000));
        }
        List<SnapshotStore.Item> chunks = LastSeen.pack("org-1", byUser);
        assertEquals(16, chunks.size(), "a bucket a first hex digit of the ids' hash: " + chunks.stream().map(SnapshotStore.Item::key).toList());
        assertTrue(chunks.stream().allMatch(c -> InPlace.idsOf(c.data()).size() <= LastSeen.CHUNK));
        AtomicInteger lists = new AtomicInteger();
        InMemorySnapshotStore store = new InMemorySnapshotStore();
        SnapshotStore counted = new Listing(store, lists);
        store.put("acct", 3, chunks);

        LastSeen.Of read = LastSeen.read(counted, "acct", 3, "org-1");
        byUser.forEach((id, millis) -> assertEquals(millis, read.millisOf(id), id));
        assertEquals(16, lists.get(), "each chunk read once");
        List<String> absent = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            absent.add(new UUID(random.nextLong(), random.nextLong()).toString());
        }
        LastSeen.Of again = LastSeen.read(counted, "acct", 3, "org-1");
        absent.forEach(id -> assertNull(again.millisOf(id)));
        byUser.keySet().stream().limit(50).forEach(id -> assertEquals(byUser.get(id), again.millisOf(id)));
        assertNull(LastSeen.read(counted, "acct", 3, "org-2").millisOf(byUser.firstKey()), "another organization's");

        // Another day's members seen, as many: the same keys, each replaced.
        TreeMap<String, Long> nextDay = new TreeMap<>();
        byUser.keySet().stream().filter(id -> random.nextBoolean()).forEach(id -> nextDay.put(id, 1_900_000_000_000L));
        while (nextDay.size() < 4_000) {
            nextDay.put(new UUID(random.nextLong(), random.nextLong()).toString(), 1_900_000_000_000L);
        }
        assertEquals(chunks.stream().map(SnapshotStore.Item::key).toList(),
                LastSeen.pack("org-1", nextDay).stream().map(SnapshotStore.Item::key).toList());
        // A small organization: one chunk, whatever its members.
        TreeMap<String, Long> few = new TreeMap<>(java.util.Map.of("user-2", 5L, "user-1", 7L));
        assertEquals(List.of(LastSeen.PREFIX + "org-3/~"), LastSeen.pack("org-3", few).stream().map(SnapshotStore.Item::key).toList());
        store.put("acct", 3, LastSeen.pack("org-3", few));
        LastSeen.Of small = LastSeen.read(store, "acct", 3, "org-3");
        assertEquals(7L, small.millisOf("user-1"));
        assertEquals(5L, small.millisOf("user-2"));
        assertNull(small.millisOf("user-3"));
    }

    /** Members in no chunk are answered from what was asked already: a walk over an organization with none packed reads once. */
    @Test
    void aWalkOverMembersInNoChunkReadsOnceForEachGapNotOnceAMember() {
        Random random = new Random(11);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            ids.add(new UUID(random.nextLong(), random.nextLong()).toString());
        }
        ids.sort(java.util.Comparator.comparing(LastSeen::hashed));
        AtomicInteger lists = new AtomicInteger();
        InMemorySnapshotStore store = new InMemorySnapshotStore();
        LastSeen.Of none = LastSeen.read(new Listing(store, lists), "acct", 3, "org-1");
        ids.forEach(id -> assertNull(none.millisOf(id)));
        assertEquals(1, lists.get(), "nothing packed: one read for the walk");

        TreeMap<String, Long> byUser = new TreeMap<>();
        while (byUser.size() < 5_000) {
            byUser.put(new UUID(random.nextLong(), random.nextLong()).toString(), 1_800_000_000_000L);
        }
        store.put("acct", 3, LastSeen.pack("org-1", byUser)); // 16 chunks, one a first hex digit
        lists.set(0);
        LastSeen.Of some = LastSeen.read(new Listing(store, lists), "acct", 3, "org-1");
        ids.forEach(id -> assertNull(some.millisOf(id)));
        assertEquals(16, lists.get(), "members in no chunk of a packed organization: each chunk read once, not once a member");
    }

    @Test
    void timeOrderedIdsSpreadOverChunksEachWithinItsSize() {
        // Buildkite's user ids: 48 bits of the milliseconds the user signed up at, then random ones (UUID version 7).
        Random random = new Random(11);
        long signedUp = 1_702_598_400_000L; // 2023-12-15, as the reference's 018c6030-b459-...
        TreeMap<String, Long> byUser = new TreeMap<>();
        while (byUser.size() < 30_000) {
            long millis = signedUp + random.nextLong(50L * 86_400_000L);
            UUID id = new UUID(millis << 16 | 0x7000 | random.nextInt(0x1000), random.nextLong() & 0x3fffffffffffffffL | 0x8000000000000000L);
            byUser.put(id.toString(), 1_800_000_000_000L + random.nextInt(1_000_000));
        }
        List<SnapshotStore.Item> chunks = LastSeen.pack("org-1", byUser);
        assertTrue(chunks.size() <= 256, chunks.size() + " chunks");
        for (SnapshotStore.Item chunk : chunks) {
            int members = InPlace.idsOf(chunk.data()).size();
            assertTrue(members <= LastSeen.CHUNK, chunk.key() + " holds " + members);
            assertTrue(members * 24 < LastSeen.MOST_BYTES, chunk.key());
        }
        InMemorySnapshotStore store = new InMemorySnapshotStore();
        store.put("acct", 3, chunks);
        AtomicInteger lists = new AtomicInteger();
        LastSeen.Of read = LastSeen.read(new Listing(store, lists), "acct", 3, "org-1");
        byUser.forEach((id, millis) -> assertEquals(millis, read.millisOf(id), id));
        assertEquals(chunks.size(), lists.get(), "each chunk read once");
    }

    @Test
    void aChunkOverItsMostIsRefusedNotPut() {
        TreeMap<String, Long> byUser = new TreeMap<>();
        for (int i = 0; i < LastSeen.CHUNK; i++) {
            byUser.put("user-" + "x".repeat(200) + i, 1_800_000_000_000L);
        }
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> LastSeen.pack("org-1", byUser));
        assertTrue(refused.getMessage().contains("over " + LastSeen.MOST_BYTES), refused.getMessage());
    }

    /** A store that counts its lists. */
    private static final class Listing extends ForwardingSnapshotStore {
        private final AtomicInteger lists;

        Listing(SnapshotStore store, AtomicInteger lists) {
            super(store);
            this.lists = lists;
        }

        @Override
        public List<Item> list(String accountId, long generation, String afterKey, int limit) {
            lists.incrementAndGet();
            return store.list(accountId, generation, afterKey, limit);
        }

        @Override
        public List<Item> list(String accountId, long generation, String afterKey, String beforeKey, int limit) {
            lists.incrementAndGet();
            return store.list(accountId, generation, afterKey, beforeKey, limit);
        }
    }
}
