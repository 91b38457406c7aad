package dev.kitebridge.buildkite.rest;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.kitebridge.buildkite.OrganizationRole;
import dev.kitebridge.buildkite.Page;
import dev.kitebridge.buildkite.PageRequest;
import dev.kitebridge.buildkite.SsoMode;
import dev.kitebridge.buildkite.WithJson;

/**
 * Organizations, their members (scopes {@code read_organizations}, {@code write_organizations}) and
 * their pipelines ({@code read_pipelines}).
 */
public final class OrganizationsResource {

    private final RestClient rest;

    public OrganizationsResource(RestClient rest) {
        this.rest = rest;
    }

    /** The organizations the token reaches. */
    public Page<Organization> list(PageRequest page) {
        return rest.list(RestClient.path("organizations"), page, null, Organization.class);
    }

    public Organization get(String org) {
        return rest.get(RestClient.path("organizations", org), org, Organization.class);
    }

    public Page<OrganizationMember> members(String org, PageRequest page) {
        return rest.list(RestClient.path("organizations", org, "members"), page, org, OrganizationMember.class);
    }

    public OrganizationMember member(String org, String userId) {
        return memberWithJson(org, userId).value();
    }

    /** A member, with the JSON Buildkite sent. */
    public WithJson<OrganizationMember> memberWithJson(String org, String userId) {
        return rest.getWithJson(RestClient.path("organizations", org, "members", userId), org, OrganizationMember.class);
    }

    /** Every pipeline of the organization (a team's access to them is {@link TeamsResource#pipelines}). */
    public Page<Pipeline> pipelines(String org, PageRequest page) {
        return rest.list(RestClient.path("organizations", org, "pipelines"), page, org, Pipeline.class);
    }

    /** Changes a member's role or SSO mode (at least one); Buildkite refuses changes to yourself. */
    public OrganizationMember updateMember(String org, String userId, OrganizationRole role, SsoMode ssoMode) {
        return updateMemberWithJson(org, userId, role, ssoMode).value();
    }

    /** {@link #updateMember}, answering the member with the JSON Buildkite sent. */
    public WithJson<OrganizationMember> updateMemberWithJson(String org, String userId, OrganizationRole role, SsoMode ssoMode) {
        if (role == null && ssoMode == null) {
            throw new IllegalArgumentException("a member update needs a role or an SSO mode");
        }
        Map<String, String> body = new LinkedHashMap<>();
        if (role != null) {
            body.put("role", role.rest());
        }
        if (ssoMode != null) {
            body.put("sso_mode", ssoMode.rest());
        }
        return WithJson.read(rest.write("PATCH", RestClient.path("organizations", org, "members", userId), body, org),
                OrganizationMember.class);
    }

    /** Removes a member; Buildkite refuses to remove the last admin. */
    public void removeMember(String org, String userId) {
        rest.write("DELETE", RestClient.path("organizations", org, "members", userId), null, org);
    }
}
