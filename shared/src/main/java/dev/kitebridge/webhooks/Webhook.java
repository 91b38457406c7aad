package dev.kitebridge.webhooks;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * A tenant's webhook subscription: where to send which change events, of one integrated account or
 * of all the tenant's accounts.
 *
 * @param integratedAccountId the one account whose events go out; null: every account of the tenant
 * @param signingSecret the HMAC key deliveries are signed with; shown to the tenant once, when made,
 *     and left out of {@link #toString()} so that it cannot reach a log line by accident
 */
public record Webhook(
        String id,
        String tenantId,
        String targetUrl,
        List<String> eventTypes,
        String integratedAccountId,
        Instant createdAt,
        String signingSecret) {

    public Webhook {
        eventTypes = List.copyOf(eventTypes);
    }

    /** A new subscription, with a random id and a secret of 256 random bits. */
    public static Webhook create(String tenantId, String targetUrl, List<String> eventTypes, String integratedAccountId, Instant now) {
        SecureRandom random = new SecureRandom();
        byte[] id = new byte[12];
        random.nextBytes(id);
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        return new Webhook("wh_" + HexFormat.of().formatHex(id), tenantId, targetUrl, eventTypes, integratedAccountId, now,
                "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
    }

    /** Whether this subscription delivers the account's events. */
    public boolean covers(String accountId) {
        return integratedAccountId == null || integratedAccountId.equals(accountId);
    }

    @Override
    public String toString() {
        return "Webhook[" + id + " of " + tenantId + " to " + targetUrl + ", " + eventTypes + ", account " + integratedAccountId + "]";
    }
}
