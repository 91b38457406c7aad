package dev.kitebridge.state.memory;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.kitebridge.directory.CursorStore;

/** Cursors in memory, for tests and the local dev server; expired ones are dropped when met. */
public final class InMemoryCursorStore implements CursorStore {

    private final Map<String, Cursor> cursors = new ConcurrentHashMap<>();

    @Override
    public String save(Cursor cursor) {
        String id = CursorStore.newId();
        cursors.put(id, cursor);
        return id;
    }

    @Override
    public Optional<Cursor> find(String id, Instant now) {
        Cursor cursor = cursors.get(id);
        if (cursor == null) {
            return Optional.empty();
        }
        if (!now.isBefore(cursor.expiresAt())) {
            cursors.remove(id);
            return Optional.empty();
        }
        return Optional.of(cursor);
    }
}
