package dev.kitebridge.state.memory;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

import dev.kitebridge.sync.SnapshotStore;
import dev.kitebridge.time.TimeSource;

/** Snapshots in memory, for tests and the local dev server; an item whose expiry has passed on its clock is not read. */
public final class InMemorySnapshotStore implements SnapshotStore {

    private record Generation(String accountId, long generation) {}

    /** An item as stored, with its expiry (null: never). */
    private record Stored(Item item, Instant expiresAt) {}

    private final Map<Generation, NavigableMap<String, Stored>> generations = new ConcurrentHashMap<>();
    private final TimeSource time;

    /** On the system clock. */
    public InMemorySnapshotStore() {
        this(TimeSource.SYSTEM);
    }

    /** @param time the clock an item's expiry is judged on (the runs' own, where they run on another) */
    public InMemorySnapshotStore(TimeSource time) {
        this.time = time;
    }

    @Override
    public void put(String accountId, long generation, List<Item> items, Instant expiresAt) {
        NavigableMap<String, Stored> stored = generations.computeIfAbsent(new Generation(accountId, generation),
                g -> new ConcurrentSkipListMap<>());
        items.forEach(item -> stored.put(item.key(), new Stored(item, expiresAt)));
    }

    @Override
    public List<Item> list(String accountId, long generation, String afterKey, int limit) {
        NavigableMap<String, Stored> stored = generations.getOrDefault(new Generation(accountId, generation), new ConcurrentSkipListMap<>());
        NavigableMap<String, Stored> after = afterKey == null ? stored : stored.tailMap(afterKey, false);
        return live(after, limit);
    }

    @Override
    public List<Item> list(String accountId, long generation, String afterKey, String beforeKey, int limit) {
        NavigableMap<String, Stored> stored = generations.getOrDefault(new Generation(accountId, generation), new ConcurrentSkipListMap<>());
        NavigableMap<String, Stored> after = afterKey == null ? stored.headMap(beforeKey, false) : afterKey.compareTo(beforeKey) >= 0
                ? new ConcurrentSkipListMap<>() : stored.subMap(afterKey, false, beforeKey, false);
        return live(after, limit);
    }

    @Override
    public List<Item> get(String accountId, long generation, java.util.Collection<String> keys) {
        NavigableMap<String, Stored> stored = generations.get(new Generation(accountId, generation));
        if (stored == null) {
            return List.of();
        }
        Instant now = time.now();
        return keys.stream().distinct().map(stored::get).filter(s -> s != null && live(s, now)).map(Stored::item).toList();
    }

    @Override
    public void delete(String accountId, long generation, List<String> keys) {
        NavigableMap<String, Stored> stored = generations.get(new Generation(accountId, generation));
        if (stored != null) {
            keys.forEach(stored::remove);
        }
    }

    /** At most {@code limit} of the items not expired, in key order (the limit counts what is returned, as a page's does). */
    private List<Item> live(NavigableMap<String, Stored> items, int limit) {
        Instant now = time.now();
        return items.values().stream().filter(s -> live(s, now)).limit(limit).map(Stored::item).toList();
    }

    private static boolean live(Stored stored, Instant now) {
        return stored.expiresAt() == null || stored.expiresAt().isAfter(now);
    }
}
