package dev.kitebridge.state.memory;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.kitebridge.state.CursorStore;

/** Cursors in memory, for tests and the local dev server; expired ones are dropped when met. */
public final class InMemoryCursorStore implements CursorStore {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, Cursor> cursors = new ConcurrentHashMap<>();

    @Override
    public String save(Cursor cursor) {
        String id = newId();
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

    /** 128 random bits, URL-safe. */
    public static String newId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
