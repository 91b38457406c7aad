package dev.kitebridge.sandbox.model;

import java.time.Instant;

/**
 * A Buildkite organization.
 *
 * @param memberFields2026 whether REST member objects carry {@code role} and {@code sso_mode}
 *     (added May–July 2026); an organization without them answers the older id/name/email shape
 * @param ssoEnabled with SSO on, inviting requires an explicit {@code sso_mode}
 * @param enterprise on Buildkite's Enterprise plan, which alone has the audit log
 */
public record Organization(
        String uuid,
        String slug,
        String name,
        Instant createdAt,
        boolean teamsEnabled,
        boolean memberFields2026,
        boolean ssoEnabled,
        boolean enterprise) {

    public String graphqlId() {
        return GraphqlIds.of("Organization", uuid);
    }

    public Organization withTeamsEnabled(boolean enabled) {
        return new Organization(uuid, slug, name, createdAt, enabled, memberFields2026, ssoEnabled, enterprise);
    }

    public Organization withEnterprise(boolean onEnterprise) {
        return new Organization(uuid, slug, name, createdAt, teamsEnabled, memberFields2026, ssoEnabled, onEnterprise);
    }
}
