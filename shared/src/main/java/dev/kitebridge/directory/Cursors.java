package dev.kitebridge.directory;

import java.time.Duration;
import java.util.Map;

import dev.kitebridge.state.CursorStore;

/**
 * Cursors bound to the walk they belong to: a cursor answers only to the tenant, account,
 * resource and filters it was issued for, and only until it expires; otherwise 400
 * {@code invalid_cursor}.
 */
public final class Cursors {

    public static final Duration LIFETIME = Duration.ofHours(1);

    private final CursorStore store;

    public Cursors(CursorStore store) {
        this.store = store;
    }

    /** Where a walk stands: its start (empty) when the query has no cursor. */
    public Map<String, String> position(Session session, String resource, ListQuery query) {
        if (query.cursor() == null) {
            return Map.of();
        }
        if (query.cursor().length() > 64) {
            throw DirectoryException.invalidCursor();
        }
        CursorStore.Cursor cursor = store.find(query.cursor(), session.now()).orElseThrow(DirectoryException::invalidCursor);
        boolean same = cursor.tenantId().equals(session.account().tenantId())
                && cursor.accountId().equals(session.account().id())
                && cursor.resource().equals(resource)
                && cursor.filters().equals(query.filtersKey());
        if (!same) {
            throw DirectoryException.invalidCursor();
        }
        return cursor.position();
    }

    /** A cursor for the rest of the walk. */
    public String issue(Session session, String resource, ListQuery query, Map<String, String> position) {
        return store.save(new CursorStore.Cursor(session.account().tenantId(), session.account().id(), resource,
                query.filtersKey(), position, session.now().plus(LIFETIME)));
    }
}
