package dev.kitebridge.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.kitebridge.directory.CursorStore;

/** What every CursorStore adapter must do; each adapter's test extends this. */
public abstract class CursorStoreContract {

    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

    protected abstract CursorStore store();

    private static CursorStore.Cursor cursor(Instant expiresAt) {
        return new CursorStore.Cursor("tenant-1", "acct-1", "users", "{status=active}", Map.of("org", "0", "page", "3"), expiresAt);
    }

    @Test
    void aSavedCursorIsFoundByItsIdUntilItExpires() {
        CursorStore.Cursor saved = cursor(NOW.plusSeconds(3600));
        String id = store().save(saved);
        assertEquals(saved, store().find(id, NOW).orElseThrow());
        assertEquals(saved, store().find(id, NOW.plusSeconds(3599)).orElseThrow());
        assertTrue(store().find(id, NOW.plusSeconds(3600)).isEmpty(), "expiry is checked on read");
    }

    @Test
    void idsAreOpaqueAndUnguessable() {
        String first = store().save(cursor(NOW.plusSeconds(60)));
        String second = store().save(cursor(NOW.plusSeconds(60)));
        assertNotEquals(first, second);
        assertTrue(first.length() >= 20, "at least 120 random bits: " + first);
        assertTrue(!first.contains("tenant") && !first.contains("acct") && !first.contains("users"));
        assertTrue(store().find("not-" + first, NOW).isEmpty());
    }
}
