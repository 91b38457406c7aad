package dev.kitebridge.webhooks;

import java.time.Instant;
import java.util.List;

/** Deliveries given up on (parked), kept until a replay delivers them. */
public interface DeadLetterStore {

    /**
     * An event a subscription could not deliver.
     *
     * @param position the event's position in its account's log: parked deliveries replay in this order
     * @param body the event as it was sent (signed again, with a new timestamp, when replayed)
     * @param reason why it was parked: the receiver's last status, or the network failure
     */
    record ParkedDelivery(String tenantId, String webhookId, String accountId, String position, String eventId, String body,
                          String reason, int attempts, Instant parkedAt) {}

    /** Parks a delivery; parking the same event again replaces it. */
    void park(ParkedDelivery delivery);

    /** The subscription's parked deliveries, by account then position. */
    List<ParkedDelivery> list(String tenantId, String webhookId);

    void remove(ParkedDelivery delivery);
}
