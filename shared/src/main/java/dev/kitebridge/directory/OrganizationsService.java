package dev.kitebridge.directory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.buildkite.Page;
import dev.kitebridge.buildkite.PageRequest;
import dev.kitebridge.buildkite.rest.Organization;
import dev.kitebridge.directory.model.UnifiedOrganization;

/** Organizations: those the token reaches, read live from REST (100 a request). */
public final class OrganizationsService {

    public static final String RESOURCE = "organizations";

    private final BuildkiteAccess access;
    private final Cursors cursors;

    public OrganizationsService(BuildkiteAccess access, Cursors cursors) {
        this.access = access;
        this.cursors = cursors;
    }

    public ListPage<UnifiedOrganization> list(Session session, ListQuery query) {
        Map<String, String> position = cursors.position(session, RESOURCE, query);
        int skip;
        try {
            skip = position.isEmpty() ? 0 : Integer.parseInt(position.get("skip"));
        } catch (RuntimeException e) {
            throw DirectoryException.invalidCursor();
        }
        List<UnifiedOrganization> all = all(session, query.includeRemoteData());
        List<UnifiedOrganization> page = all.subList(Math.min(skip, all.size()), Math.min(skip + query.limit(), all.size()));
        int end = skip + page.size();
        String next = end < all.size() ? cursors.issue(session, RESOURCE, query, Map.of("skip", Integer.toString(end))) : null;
        return new ListPage<>(page, next, null);
    }

    public UnifiedOrganization get(Session session, String id, boolean includeRemoteData) {
        String orgId = ListQuery.requireUuid("id", id);
        return all(session, includeRemoteData).stream().filter(o -> o.id().equals(orgId)).findFirst()
                .orElseThrow(() -> DirectoryException.notFound("no organization " + orgId + " is reachable with this integrated account"));
    }

    private List<UnifiedOrganization> all(Session session, boolean includeRemoteData) {
        return access.call(session, () -> {
            List<UnifiedOrganization> all = new ArrayList<>();
            Optional<PageRequest> next = Optional.of(PageRequest.first(PageRequest.MAX_PER_PAGE));
            while (next.isPresent()) {
                Page<Organization> page = session.buildkite().organizations().list(next.get());
                for (int i = 0; i < page.items().size(); i++) {
                    all.add(organization(page.items().get(i), page.raw().get(i), includeRemoteData));
                }
                next = page.next();
            }
            return all;
        });
    }

    static UnifiedOrganization organization(Organization org, JsonNode raw, boolean includeRemoteData) {
        return new UnifiedOrganization(org.id(), org.name(), org.slug(), org.webUrl(), org.createdAt(),
                includeRemoteData ? raw : null);
    }
}
