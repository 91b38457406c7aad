package dev.kitebridge.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
        assertEquals(16, chunks.size(), "a bucket a first hex digit: " + chunks.stream().map(SnapshotStore.Item::key).toList());
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

    /** A store that counts its lists. */
    private static final class Listing implements SnapshotStore {
        private final SnapshotStore store;
        private final AtomicInteger lists;

        Listing(SnapshotStore store, AtomicInteger lists) {
            this.store = store;
            this.lists = lists;
        }

        @Override
        public void put(String accountId, long generation, List<Item> items, java.time.Instant expiresAt) {
            store.put(accountId, generation, items, expiresAt);
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

        @Override
        public List<Item> get(String accountId, long generation, java.util.Collection<String> keys) {
            return store.get(accountId, generation, keys);
        }

        @Override
        public void delete(String accountId, long generation, List<String> keys) {
            store.delete(accountId, generation, keys);
        }
    }
}
