package dev.kitebridge.state.memory;

import java.util.List;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

import dev.kitebridge.webhooks.DeadLetterStore;

/** Parked webhook deliveries in memory, for tests and the local dev server. */
public final class InMemoryDeadLetterStore implements DeadLetterStore {

    /** By tenant, subscription, account and position, in that order: a subscription's deliveries lie together, in replay order. */
    private final NavigableMap<String, ParkedDelivery> parked = new ConcurrentSkipListMap<>();

    @Override
    public void park(ParkedDelivery delivery) {
        parked.put(key(delivery), delivery);
    }

    @Override
    public List<ParkedDelivery> list(String tenantId, String webhookId) {
        String prefix = tenantId + "\n" + webhookId + "\n";
        return List.copyOf(parked.subMap(prefix, prefix + Character.MAX_VALUE).values());
    }

    @Override
    public void remove(ParkedDelivery delivery) {
        parked.remove(key(delivery));
    }

    private static String key(ParkedDelivery delivery) {
        return String.join("\n", delivery.tenantId(), delivery.webhookId(), delivery.accountId(), delivery.position());
    }
}
