package dev.kitebridge.directory;

import java.util.List;
import java.util.Map;

import dev.kitebridge.directory.model.UnifiedRole;

/** Roles: Buildkite's fixed catalog. No Buildkite call is made; the account is still checked. */
public final class RolesService {

    public static final String RESOURCE = "roles";

    private final Cursors cursors;

    public RolesService(Cursors cursors) {
        this.cursors = cursors;
    }

    public ListPage<UnifiedRole> list(Session session, ListQuery query) {
        Map<String, String> position = cursors.position(session, RESOURCE, query);
        int skip;
        try {
            skip = position.isEmpty() ? 0 : Integer.parseInt(position.get("skip"));
        } catch (RuntimeException e) {
            throw DirectoryException.invalidCursor();
        }
        List<UnifiedRole> all = UnifiedRole.CATALOG;
        int end = Math.min(skip + query.limit(), all.size());
        List<UnifiedRole> page = all.subList(Math.min(skip, all.size()), end);
        String next = end < all.size() ? cursors.issue(session, RESOURCE, query, Map.of("skip", Integer.toString(end))) : null;
        return new ListPage<>(page, next, null);
    }

    public UnifiedRole get(String id) {
        return UnifiedRole.byId(id).orElseThrow(() -> DirectoryException.notFound("no role " + id
                + "; Buildkite's roles are organization:admin, organization:member, team:maintainer and team:member"));
    }
}
