package dev.kitebridge.webhooks;

import java.time.Instant;

/**
 * Where a subscription's delivery of one account's events stands, and who is delivering them.
 *
 * @param position the last event dealt with (delivered, skipped or parked): delivery resumes after it
 * @param failures failed attempts at the event after {@code position}; 0 when the last attempt succeeded
 * @param failingSince when the first of those attempts failed
 * @param retryAt not before then is that event tried again (backoff, or the receiver's Retry-After)
 * @param leaseOwner the one deliverer at work until {@code leaseExpiresAt}: one that died stops
 *     blocking the others when its lease expires
 * @param revision a change is written only over the revision it was made from
 */
public record DeliveryState(
        String tenantId,
        String webhookId,
        String accountId,
        String position,
        int failures,
        Instant failingSince,
        Instant retryAt,
        String leaseOwner,
        Instant leaseExpiresAt,
        long revision) {

    public static DeliveryState startingAt(String tenantId, String webhookId, String accountId, String position) {
        return new DeliveryState(tenantId, webhookId, accountId, position, 0, null, null, null, null, 0);
    }

    public boolean leasedAt(Instant now) {
        return leaseOwner != null && leaseExpiresAt != null && now.isBefore(leaseExpiresAt);
    }

    public DeliveryState leasedTo(String owner, Instant until) {
        return new DeliveryState(tenantId, webhookId, accountId, position, failures, failingSince, retryAt, owner, until, revision);
    }

    /** Past the event at {@code next}, with no failure pending. */
    public DeliveryState advancedTo(String next) {
        return new DeliveryState(tenantId, webhookId, accountId, next, 0, null, null, leaseOwner, leaseExpiresAt, revision);
    }

    /** One more failed attempt at the next event; the next try not before {@code nextTry}. */
    public DeliveryState failed(Instant now, Instant nextTry) {
        return new DeliveryState(tenantId, webhookId, accountId, position, failures + 1, failingSince == null ? now : failingSince,
                nextTry, leaseOwner, leaseExpiresAt, revision);
    }

    public DeliveryState released() {
        return new DeliveryState(tenantId, webhookId, accountId, position, failures, failingSince, retryAt, null, null, revision);
    }

    public DeliveryState nextRevision() {
        return new DeliveryState(tenantId, webhookId, accountId, position, failures, failingSince, retryAt, leaseOwner, leaseExpiresAt,
                revision + 1);
    }
}
