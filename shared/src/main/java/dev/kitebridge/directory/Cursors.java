package dev.kitebridge.directory;

import java.time.Duration;
import java.util.Map;

import dev.kitebridge.access.Session;
import dev.kitebridge.contract.ApiError;

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
            throw ApiError.invalidCursor();
        }
        CursorStore.Cursor cursor = store.find(query.cursor(), session.now()).orElseThrow(ApiError::invalidCursor);
        boolean same = cursor.tenantId().equals(session.account().tenantId())
                && cursor.accountId().equals(session.account().id())
                && cursor.resource().equals(resource)
                && cursor.filters().equals(query.filtersKey());
        if (!same) {
            throw ApiError.invalidCursor();
        }
        return cursor.position();
    }

    /** A page of a list known whole (roles, organizations): the cursor keeps how many were given. */
    public <T> ListPage<T> slice(Session session, String resource, ListQuery query, java.util.function.Supplier<java.util.List<T>> list) {
        Map<String, String> position = position(session, resource, query);
        int skip;
        try {
            skip = position.isEmpty() ? 0 : Integer.parseInt(position.get("skip"));
        } catch (RuntimeException e) {
            throw ApiError.invalidCursor();
        }
        java.util.List<T> all = list.get();
        int from = Math.min(skip, all.size());
        int end = Math.min(from + query.limit(), all.size());
        String next = end < all.size() ? issue(session, resource, query, Map.of("skip", Integer.toString(end))) : null;
        return new ListPage<>(all.subList(from, end), next, null);
    }

    /** A cursor for the rest of the walk. */
    public String issue(Session session, String resource, ListQuery query, Map<String, String> position) {
        return store.save(new CursorStore.Cursor(session.account().tenantId(), session.account().id(), resource,
                query.filtersKey(), position, session.now().plus(LIFETIME)));
    }
}
