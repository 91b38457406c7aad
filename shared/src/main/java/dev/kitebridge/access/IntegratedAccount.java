package dev.kitebridge.access;

import java.time.Instant;
import java.util.List;

/**
 * A customer's Buildkite linked to a tenant. The token itself is not here: it lives in the
 * {@link TokenVault}.
 *
 * @param organizations the organizations the token reached when it was last checked
 * @param budgetKey whose per-user Buildkite budgets the account's calls spend: the same for every
 *     account whose token belongs to the same Buildkite user (derived from the user, never the token)
 * @param tokenId a random id given to each token the account stores (never derived from the token):
 *     what was read with one token is kept under it, so it is never served once the token is replaced
 * @param revision how many times the account was replaced since it was linked: a change is written
 *     only over the revision it was made from, so a request that read it earlier cannot undo a
 *     rotate or bring back an unlinked account
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
        String budgetKey,
        String tokenId,
        long revision) {

    public enum Status { ACTIVE, NEEDS_REAUTH }

    public record OrganizationRef(String id, String slug, String name) {}

    public IntegratedAccount {
        scopes = List.copyOf(scopes);
        organizations = List.copyOf(organizations);
    }

    /** A new account, as linking creates it. */
    public static IntegratedAccount linked(String id, String tenantId, String label, List<String> scopes,
                                           List<OrganizationRef> organizations, Instant tokenExpiresAt, Instant createdAt,
                                           String budgetKey) {
        return new IntegratedAccount(id, tenantId, label, Status.ACTIVE, scopes, organizations, tokenExpiresAt, createdAt, budgetKey,
                newTokenId(), 0);
    }

    private static String newTokenId() {
        return java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    /** Whose data this is in the organization-data store: the account with its current token. */
    public String dataKey() {
        return tokenId == null ? id : id + "." + tokenId;
    }

    /** Its {@link #dataKey()} while its token works; none once it needs a new one (its kept data is not served then). */
    public java.util.Optional<String> servedDataKey() {
        return status == Status.NEEDS_REAUTH ? java.util.Optional.empty() : java.util.Optional.of(dataKey());
    }

    public IntegratedAccount withStatus(Status newStatus) {
        return new IntegratedAccount(id, tenantId, label, newStatus, scopes, organizations, tokenExpiresAt, createdAt, budgetKey, tokenId, revision);
    }

    public IntegratedAccount withLabel(String newLabel) {
        return new IntegratedAccount(id, tenantId, newLabel, status, scopes, organizations, tokenExpiresAt, createdAt, budgetKey, tokenId,
                revision);
    }

    /** The account after its token was replaced by one with these facts: active again, a new token id, same revision. */
    public IntegratedAccount withToken(List<String> newScopes, List<OrganizationRef> newOrganizations, Instant newExpiresAt,
                                       String newBudgetKey) {
        return new IntegratedAccount(id, tenantId, label, Status.ACTIVE, newScopes, newOrganizations, newExpiresAt, createdAt,
                newBudgetKey, newTokenId(), revision);
    }

    /** The account as stored by a replace: one revision on. */
    public IntegratedAccount nextRevision() {
        return new IntegratedAccount(id, tenantId, label, status, scopes, organizations, tokenExpiresAt, createdAt, budgetKey, tokenId,
                revision + 1);
    }
}
