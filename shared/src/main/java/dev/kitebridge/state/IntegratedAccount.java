package dev.kitebridge.state;

import java.time.Instant;
import java.util.List;

/**
 * A customer's Buildkite linked to a tenant. The token itself is not here: it lives in the
 * {@link TokenVault}.
 *
 * @param organizations the organizations the token reached when it was last checked
 * @param budgetKey whose per-user Buildkite budgets the account's calls spend: the same for every
 *     account whose token belongs to the same Buildkite user (derived from the user, never the token)
 */
public record IntegratedAccount(
        String id,
        String tenantId,
        String label,
        Status status,
        List<String> scopes,
        List<OrganizationRef> organizations,
        Instant tokenExpiresAt,
        Instant createdAt,
        String budgetKey) {

    public enum Status { ACTIVE, NEEDS_REAUTH }

    public record OrganizationRef(String id, String slug, String name) {}

    public IntegratedAccount {
        scopes = List.copyOf(scopes);
        organizations = List.copyOf(organizations);
    }

    public IntegratedAccount withStatus(Status newStatus) {
        return new IntegratedAccount(id, tenantId, label, newStatus, scopes, organizations, tokenExpiresAt, createdAt, budgetKey);
    }
}
