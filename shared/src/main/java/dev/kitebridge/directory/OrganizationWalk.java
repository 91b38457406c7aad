package dev.kitebridge.directory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;

import dev.kitebridge.access.OrganizationRef;
import dev.kitebridge.buildkite.BuildkiteJson;
import dev.kitebridge.contract.ApiError;

/**
 * Where a list walk across organizations stands: which organization, which part of it (members
 * or invitations, for users), which page, and how far into the page. A cursor keeps it.
 */
final class OrganizationWalk {

    List<OrganizationRef> orgs;
    int org;
    boolean invitations;
    int page = 1;
    String after;
    int offset;
    /** The last record taken from the current page: where to resume even if the page has shifted since. */
    String last;

    Map<String, String> position() {
        Map<String, String> position = new HashMap<>();
        position.put("orgs", encode(orgs));
        position.put("org", Integer.toString(org));
        position.put("phase", invitations ? "invitations" : "members");
        position.put("page", Integer.toString(page));
        position.put("offset", Integer.toString(offset));
        if (after != null) {
            position.put("after", after);
        }
        if (last != null) {
            position.put("last", last);
        }
        return position;
    }

    static OrganizationWalk from(Map<String, String> position) {
        OrganizationWalk walk = new OrganizationWalk();
        try {
            walk.orgs = decode(position.get("orgs"));
            walk.org = Integer.parseInt(position.get("org"));
            walk.invitations = "invitations".equals(position.get("phase"));
            walk.page = Integer.parseInt(position.get("page"));
            walk.offset = Integer.parseInt(position.get("offset"));
            walk.after = position.get("after");
            walk.last = position.get("last");
        } catch (RuntimeException e) {
            throw ApiError.invalidCursor();
        }
        return walk;
    }

    void nextOrganization() {
        org++;
        invitations = false;
        page = 1;
        after = null;
        offset = 0;
        last = null;
    }

    /** Where to start in a page: after the last record taken, if it is still there; else at the offset. */
    int start(List<String> ids) {
        int at = last == null ? -1 : ids.indexOf(last);
        return at >= 0 ? at + 1 : Math.min(offset, ids.size());
    }

    /** The page's records up to {@code end} are taken. */
    void took(List<String> ids, int end) {
        offset = end;
        last = end > 0 ? ids.get(end - 1) : null;
    }

    void nextPage() {
        offset = 0;
        last = null;
    }

    private static String encode(List<OrganizationRef> orgs) {
        try {
            return BuildkiteJson.MAPPER.writeValueAsString(orgs);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<OrganizationRef> decode(String json) {
        try {
            return BuildkiteJson.MAPPER.readValue(json, new TypeReference<List<OrganizationRef>>() {});
        } catch (JsonProcessingException e) {
            throw ApiError.invalidCursor();
        }
    }
}
