package dev.kitebridge.directory;

import dev.kitebridge.access.Session;
import dev.kitebridge.contract.ApiError;
import dev.kitebridge.directory.model.UnifiedRole;

/** Roles: Buildkite's fixed catalog. No Buildkite call is made; the account is still checked. */
public final class RolesService {

    public static final String RESOURCE = "roles";

    private final Cursors cursors;

    public RolesService(Cursors cursors) {
        this.cursors = cursors;
    }

    public ListPage<UnifiedRole> list(Session session, ListQuery query) {
        return cursors.slice(session, RESOURCE, query, () -> UnifiedRole.CATALOG);
    }

    public UnifiedRole get(String id) {
        return UnifiedRole.byId(id).orElseThrow(() -> ApiError.notFound("no role " + id
                + "; Buildkite's roles are organization:admin, organization:member, team:maintainer and team:member"));
    }
}
