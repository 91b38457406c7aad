package dev.kitebridge.access;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.kitebridge.buildkite.BuildkiteJson;
import dev.kitebridge.buildkite.Page;
import dev.kitebridge.buildkite.PageRequest;
import dev.kitebridge.buildkite.client.BuildkiteClient;
import dev.kitebridge.buildkite.rest.Organization;

/** An organization the token reaches, as a walk across organizations remembers it. */
public record OrganizationRef(String id, String slug, String name) {

    /** Every organization the session's token reaches, in Buildkite's order. */
    public static List<OrganizationRef> reachable(BuildkiteClient buildkite) {
        List<OrganizationRef> all = new ArrayList<>();
        Optional<PageRequest> next = Optional.of(PageRequest.first(PageRequest.MAX_PER_PAGE));
        while (next.isPresent()) {
            Page<Organization> page = buildkite.organizations().list(next.get());
            page.items().forEach(o -> all.add(new OrganizationRef(o.id(), o.slug(), o.name())));
            next = page.next();
        }
        return all;
    }
}
