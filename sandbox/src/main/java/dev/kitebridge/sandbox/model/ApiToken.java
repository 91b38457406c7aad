package dev.kitebridge.sandbox.model;

import java.time.Instant;
import java.util.Set;

/**
 * A Buildkite API access token: it belongs to a user, carries scopes, and reaches a chosen set of
 * that user's organizations.
 *
 * @param organizationSlugs the organizations the token may reach
 * @param expiresAt null for a token that never expires
 */
public record ApiToken(
        String uuid,
        String secret,
        String userUuid,
        Set<String> scopes,
        Set<String> organizationSlugs,
        String description,
        Instant createdAt,
        Instant expiresAt) {

    public ApiToken {
        scopes = Set.copyOf(scopes);
        organizationSlugs = Set.copyOf(organizationSlugs);
    }

    public boolean hasScope(String scope) {
        return scopes.contains(scope);
    }

    public boolean reaches(String organizationSlug) {
        return organizationSlugs.contains(organizationSlug);
    }

    @Override
    public String toString() {
        return "ApiToken[uuid=" + uuid + ", user=" + userUuid + ", scopes=" + scopes + "]";
    }
}
