package dev.kitebridge.webhooks;

import java.util.List;
import java.util.Optional;

/**
 * Webhook subscriptions, always read through their tenant (another tenant's id finds nothing), and
 * where each subscription's delivery of each account's events stands.
 */
public interface WebhookStore {

    /** @throws IllegalStateException if a subscription with its id exists already */
    void create(Webhook webhook);

    Optional<Webhook> find(String tenantId, String webhookId);

    /** The tenant's subscriptions, oldest first. */
    List<Webhook> list(String tenantId);

    /**
     * The tenant's subscriptions as the delivery rounds read them, every minute: a read that may be a moment behind a
     * subscription made or removed (an adapter reads it at its cheapest). A subscription made a moment ago waits for the
     * next round; one removed has no delivery state left, which the deliverer finds, and asks about again before it
     * would make one.
     */
    default List<Webhook> listForRounds(String tenantId) {
        return list(tenantId);
    }

    /** Deletes the subscription and its delivery states; false if the tenant has none with this id. */
    boolean delete(String tenantId, String webhookId);

    Optional<DeliveryState> delivery(String tenantId, String webhookId, String accountId);

    /**
     * {@link #delivery}, as stored a moment ago (an adapter reads it at its cheapest: DynamoDB's eventually consistent
     * read, half the price): for a delivery turn, which writes only over the revision it read, so a state read behind a
     * write fails the turn's first write (the turn is busy, and the next round tries again), and one read behind says a
     * subscription is further back than it is (not caught up, not due yet, leased), never further on.
     */
    default Optional<DeliveryState> recentDelivery(String tenantId, String webhookId, String accountId) {
        return delivery(tenantId, webhookId, accountId);
    }

    /** @return false if the subscription has a delivery state for the account already */
    boolean createDelivery(DeliveryState state);

    /** @return the state as stored (one revision on), or empty if it changed meanwhile or is gone */
    Optional<DeliveryState> replaceDelivery(DeliveryState changed);
}
