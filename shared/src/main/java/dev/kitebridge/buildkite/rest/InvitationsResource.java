package dev.kitebridge.buildkite.rest;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.buildkite.BuildkiteException;
import dev.kitebridge.buildkite.LinkHeader;
import dev.kitebridge.buildkite.OrganizationRole;
import dev.kitebridge.buildkite.Page;
import dev.kitebridge.buildkite.PageRequest;
import dev.kitebridge.buildkite.SsoMode;
import dev.kitebridge.buildkite.TeamRole;
import dev.kitebridge.buildkite.Transport;
import dev.kitebridge.buildkite.WithJson;

/**
 * Organization invitations (REST, July 2026; scopes {@code read_organization_invitations} and
 * {@code write_organization_invitations}). The list is an envelope paged by cursor, not by page
 * number, and holds pending invitations only.
 */
public final class InvitationsResource {

    private final RestClient rest;

    public InvitationsResource(RestClient rest) {
        this.rest = rest;
    }

    /** One invitation to a team, as sent when inviting. */
    public record TeamAssignment(String teamId, TeamRole role) {}

    public Page<Invitation> list(String org, PageRequest page) {
        String path = RestClient.path("organizations", org, "invitations");
        Transport.Response response = rest.call("GET", path, page, null, org);
        JsonNode items = response.body() == null ? null : response.body().get("items");
        if (items == null || !items.isArray()) {
            throw new BuildkiteException.Unavailable(response.status(), "Buildkite answered GET " + path
                    + " without an items list", null);
        }
        // The envelope's links.next and the Link header say the same; either will do.
        JsonNode next = response.body().path("links").path("next");
        Optional<PageRequest> nextPage = next.isTextual() && !next.asText().isBlank()
                ? Optional.of(PageRequest.fromLink(URI.create(next.asText())))
                : LinkHeader.next(response.headers().firstValue("Link").orElse(null));
        return RestClient.page(items, nextPage, Invitation.class);
    }

    /** An invitation in any state. */
    public Invitation get(String org, String invitationId) {
        return rest.get(RestClient.path("organizations", org, "invitations", invitationId), org, Invitation.class);
    }

    /**
     * Invites people by email; Buildkite validates the whole batch before creating any. With SSO on,
     * {@code ssoMode} is required.
     */
    public List<Invitation> create(String org, List<String> emails, OrganizationRole role, SsoMode ssoMode,
                                   List<TeamAssignment> teams) {
        return createWithJson(org, emails, role, ssoMode, teams).stream().map(WithJson::value).toList();
    }

    /** {@link #create}, answering each invitation with the JSON Buildkite sent. */
    public List<WithJson<Invitation>> createWithJson(String org, List<String> emails, OrganizationRole role, SsoMode ssoMode,
                                                     List<TeamAssignment> teams) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("emails", emails);
        if (role != null) {
            body.put("role", role.rest());
        }
        if (ssoMode != null) {
            body.put("sso_mode", ssoMode.rest());
        }
        if (teams != null && !teams.isEmpty()) {
            body.put("teams", teams.stream().map(t -> Map.of("id", t.teamId(), "role", t.role().rest())).toList());
        }
        JsonNode created = rest.write("POST", RestClient.path("organizations", org, "invitations"), body, org);
        List<WithJson<Invitation>> invitations = new ArrayList<>();
        if (created != null) {
            created.forEach(item -> invitations.add(WithJson.read(item, Invitation.class)));
        }
        return invitations;
    }

    /** Revokes a pending invitation; Buildkite refuses (422) one that is no longer pending. */
    public void revoke(String org, String invitationId) {
        rest.write("DELETE", RestClient.path("organizations", org, "invitations", invitationId), null, org);
    }
}
