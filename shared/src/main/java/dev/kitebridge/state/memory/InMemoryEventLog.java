package dev.kitebridge.state.memory;

import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.events.EventLog;

/** Event logs in memory, for tests and the local dev server. */
public final class InMemoryEventLog implements EventLog {

    private final Map<String, NavigableMap<String, ChangeEvent>> logs = new ConcurrentHashMap<>();

    @Override
    public void put(String accountId, List<ChangeEvent> events) {
        NavigableMap<String, ChangeEvent> log = logs.computeIfAbsent(accountId, a -> new ConcurrentSkipListMap<>());
        events.forEach(event -> log.put(event.position(), event));
    }

    @Override
    public void delete(String accountId, List<String> positions) {
        NavigableMap<String, ChangeEvent> log = logs.get(accountId);
        if (log != null) {
            positions.forEach(log::remove);
        }
    }

    @Override
    public List<ChangeEvent> list(String accountId, String afterPosition, String beforePosition, int limit) {
        if (afterPosition != null && afterPosition.compareTo(beforePosition) >= 0) {
            return List.of(); // a reader already past the bound: a sub-map would refuse the range
        }
        NavigableMap<String, ChangeEvent> log = logs.getOrDefault(accountId, new ConcurrentSkipListMap<>());
        NavigableMap<String, ChangeEvent> after = afterPosition == null ? log : log.tailMap(afterPosition, false);
        return after.headMap(beforePosition, false).values().stream().limit(limit).toList();
    }
}
