package dev.kitebridge.directory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;

import dev.kitebridge.buildkite.BuildkiteClient;
import dev.kitebridge.buildkite.BuildkiteJson;
import dev.kitebridge.buildkite.Page;
import dev.kitebridge.buildkite.PageRequest;
import dev.kitebridge.buildkite.rest.Organization;
import dev.kitebridge.contract.ApiError;

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

    /** The organizations narrowed to one, by id; 404 when the token does not reach it. */
    public static List<OrganizationRef> only(List<OrganizationRef> all, String organizationId) {
        if (organizationId == null) {
            return all;
        }
        String id = ListQuery.requireUuid("organization_id", organizationId);
        List<OrganizationRef> one = all.stream().filter(o -> o.id().equals(id)).toList();
        if (one.isEmpty()) {
            throw ApiError.notFound("no organization " + id + " is reachable with this integrated account");
        }
        return one;
    }

    static String encode(List<OrganizationRef> orgs) {
        try {
            return BuildkiteJson.MAPPER.writeValueAsString(orgs);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<OrganizationRef> decode(String json) {
        try {
            return BuildkiteJson.MAPPER.readValue(json, new TypeReference<List<OrganizationRef>>() {});
        } catch (JsonProcessingException e) {
            throw ApiError.invalidCursor();
        }
    }
}
