package dev.kitebridge.directory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.access.Session;
import dev.kitebridge.buildkite.Page;
import dev.kitebridge.buildkite.PageRequest;
import dev.kitebridge.buildkite.rest.Organization;
import dev.kitebridge.contract.ApiError;
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
        return cursors.slice(session, RESOURCE, query, () -> all(session, query.includeRemoteData()));
    }

    public UnifiedOrganization get(Session session, String id, boolean includeRemoteData) {
        String orgId = ListQuery.requireUuid("id", id);
        return all(session, includeRemoteData).stream().filter(o -> o.id().equals(orgId)).findFirst()
                .orElseThrow(() -> ApiError.notFound("no organization " + orgId + " is reachable with this integrated account"));
    }

    private List<UnifiedOrganization> all(Session session, boolean includeRemoteData) {
        return access.call(session, buildkite -> {
            List<UnifiedOrganization> all = new ArrayList<>();
            Optional<PageRequest> next = Optional.of(PageRequest.first(PageRequest.MAX_PER_PAGE));
            while (next.isPresent()) {
                Page<Organization> page = buildkite.organizations().list(next.get());
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
