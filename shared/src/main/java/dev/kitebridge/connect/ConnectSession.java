package dev.kitebridge.connect;

import java.time.Instant;
import java.util.List;

import dev.kitebridge.access.IntegratedAccount;

/**
 * A connect session: a single-use page on which a tenant's customer links their Buildkite. What
 * opens it is a secret in the page's URL; only that secret's hash is kept, as the session's key.
 *
 * @param id the session's public name ({@code cs_…}), in the tenant's answer; it opens nothing
 * @param secretHash SHA-256 of the URL's secret: the key the session is found by
 * @param requiredScopes the scopes the page asks for; a token without one of them is not linked
 * @param attempts how many tokens were tried on the page (at most {@link ConnectService#MAX_ATTEMPTS})
 * @param pending the token checked and waiting for the customer's confirmation: sealed, never in clear
 * @param accountId the account linked, once the session is used
 * @param revision a change is written only over the revision it was made from
 */
public record ConnectSession(
        String id,
        String secretHash,
        String tenantId,
        String label,
        String state,
        String redirectUrl,
        List<String> requiredScopes,
        Instant createdAt,
        Instant expiresAt,
        Status status,
        int attempts,
        Pending pending,
        String accountId,
        long revision) {

    public enum Status { OPEN, USED }

    /**
     * A token that Buildkite accepted, waiting for the customer to confirm, with what Buildkite said of
     * it (shown on the page).
     *
     * @param sealedToken the token encrypted with a key derived from the URL's secret, which is not kept
     *     ({@link ConnectSecrets#seal}): the table holds nothing that reveals it
     */
    public record Pending(String sealedToken, List<String> scopes, List<IntegratedAccount.OrganizationRef> organizations,
                          Instant tokenExpiresAt) {

        public Pending {
            scopes = List.copyOf(scopes);
            organizations = List.copyOf(organizations);
        }

        @Override
        public String toString() {
            return "Pending[scopes=" + scopes + ", organizations=" + organizations.size() + "]";
        }
    }

    public ConnectSession {
        requiredScopes = List.copyOf(requiredScopes);
    }

    public static ConnectSession opened(String id, String secretHash, String tenantId, String label, String state, String redirectUrl,
                                        List<String> requiredScopes, Instant now, Instant expiresAt) {
        return new ConnectSession(id, secretHash, tenantId, label, state, redirectUrl, requiredScopes, now, expiresAt, Status.OPEN, 0,
                null, null, 0);
    }

    public boolean expiredAt(Instant now) {
        return !now.isBefore(expiresAt);
    }

    public ConnectSession withAttempt() {
        return new ConnectSession(id, secretHash, tenantId, label, state, redirectUrl, requiredScopes, createdAt, expiresAt, status,
                attempts + 1, pending, accountId, revision);
    }

    public ConnectSession withPending(Pending checked) {
        return new ConnectSession(id, secretHash, tenantId, label, state, redirectUrl, requiredScopes, createdAt, expiresAt, status,
                attempts, checked, accountId, revision);
    }

    /** Used: linked to this account, and the sealed token gone. */
    public ConnectSession used(String linkedAccountId) {
        return new ConnectSession(id, secretHash, tenantId, label, state, redirectUrl, requiredScopes, createdAt, expiresAt,
                Status.USED, attempts, null, linkedAccountId, revision);
    }

    /** Open again after a link that failed, without a token waiting. */
    public ConnectSession reopened() {
        return new ConnectSession(id, secretHash, tenantId, label, state, redirectUrl, requiredScopes, createdAt, expiresAt, Status.OPEN,
                attempts, null, null, revision);
    }

    public ConnectSession nextRevision() {
        return new ConnectSession(id, secretHash, tenantId, label, state, redirectUrl, requiredScopes, createdAt, expiresAt, status,
                attempts, pending, accountId, revision + 1);
    }

    @Override
    public String toString() {
        return "ConnectSession[" + id + ", tenant=" + tenantId + ", " + status + ", attempts=" + attempts + "]";
    }
}
