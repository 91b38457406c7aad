package dev.kitebridge.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Snapshots that count the items written (put or deleted) by generation, and note the keys put. */
class CountingSnapshots implements SnapshotStore {
    private final SnapshotStore kept;
    final Map<Long, List<String>> puts = new ConcurrentHashMap<>();
    private final Map<Long, AtomicLong> writes = new ConcurrentHashMap<>();

    CountingSnapshots(SnapshotStore kept) {
        this.kept = kept;
    }

    void clear() {
        puts.clear();
        writes.clear();
    }

    long writes(long generation) {
        return writes.getOrDefault(generation, new AtomicLong()).get();
    }

    List<String> keysPut(long generation) {
        return new ArrayList<>(puts.getOrDefault(generation, List.of()));
    }

    @Override
    public void put(String accountId, long generation, List<Item> items) {
        writes.computeIfAbsent(generation, g -> new AtomicLong()).addAndGet(items.size());
        puts.computeIfAbsent(generation, g -> java.util.Collections.synchronizedList(new ArrayList<>()))
                .addAll(items.stream().map(Item::key).toList());
        kept.put(accountId, generation, items);
    }

    @Override
    public List<Item> list(String accountId, long generation, String afterKey, int limit) {
        return kept.list(accountId, generation, afterKey, limit);
    }

    @Override
    public List<Item> get(String accountId, long generation, java.util.Collection<String> keys) {
        return kept.get(accountId, generation, keys);
    }

    @Override
    public void delete(String accountId, long generation, List<String> keys) {
        writes.computeIfAbsent(generation, g -> new AtomicLong()).addAndGet(keys.size());
        kept.delete(accountId, generation, keys);
    }

    /** How many items differ between two snapshots (new, changed or gone). */
    static long changedItems(Map<String, String> before, Map<String, String> after) {
        TreeSet<String> keys = new TreeSet<>(before.keySet());
        keys.addAll(after.keySet());
        return keys.stream().filter(k -> !Objects.equals(before.get(k), after.get(k))).count();
    }

    /** Two snapshots item by item; a failure names the items that differ, not the whole snapshot. */
    static void assertSameItems(Map<String, String> expected, Map<String, String> actual, String what) {
        TreeSet<String> keys = new TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        List<String> differ = keys.stream().filter(k -> !Objects.equals(expected.get(k), actual.get(k)))
                .map(k -> k + "\n  expected " + expected.get(k) + "\n  actual   " + actual.get(k)).limit(8).toList();
        org.junit.jupiter.api.Assertions.assertTrue(differ.isEmpty(), what + ": items differ\n" + String.join("\n", differ));
    }
}
