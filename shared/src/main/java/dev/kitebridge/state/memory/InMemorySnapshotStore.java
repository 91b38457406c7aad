package dev.kitebridge.state.memory;

import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

import dev.kitebridge.sync.SnapshotStore;

/** Snapshots in memory, for tests and the local dev server. */
public final class InMemorySnapshotStore implements SnapshotStore {

    private record Generation(String accountId, long generation) {}

    private final Map<Generation, NavigableMap<String, Item>> generations = new ConcurrentHashMap<>();

    @Override
    public void put(String accountId, long generation, List<Item> items) {
        NavigableMap<String, Item> stored = generations.computeIfAbsent(new Generation(accountId, generation),
                g -> new ConcurrentSkipListMap<>());
        items.forEach(item -> stored.put(item.key(), item));
    }

    @Override
    public List<Item> list(String accountId, long generation, String afterKey, int limit) {
        NavigableMap<String, Item> stored = generations.getOrDefault(new Generation(accountId, generation), new ConcurrentSkipListMap<>());
        NavigableMap<String, Item> after = afterKey == null ? stored : stored.tailMap(afterKey, false);
        return after.values().stream().limit(limit).toList();
    }

    @Override
    public List<Item> list(String accountId, long generation, String afterKey, String beforeKey, int limit) {
        NavigableMap<String, Item> stored = generations.getOrDefault(new Generation(accountId, generation), new ConcurrentSkipListMap<>());
        NavigableMap<String, Item> after = afterKey == null ? stored.headMap(beforeKey, false) : afterKey.compareTo(beforeKey) >= 0
                ? new ConcurrentSkipListMap<>() : stored.subMap(afterKey, false, beforeKey, false);
        return after.values().stream().limit(limit).toList();
    }

    @Override
    public List<Item> get(String accountId, long generation, java.util.Collection<String> keys) {
        NavigableMap<String, Item> stored = generations.get(new Generation(accountId, generation));
        if (stored == null) {
            return List.of();
        }
        return keys.stream().distinct().map(stored::get).filter(java.util.Objects::nonNull).toList();
    }

    @Override
    public void delete(String accountId, long generation, List<String> keys) {
        NavigableMap<String, Item> stored = generations.get(new Generation(accountId, generation));
        if (stored != null) {
            keys.forEach(stored::remove);
        }
    }
}
