package dev.kitebridge.state.memory;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.kitebridge.webhooks.DeliveryState;
import dev.kitebridge.webhooks.Webhook;
import dev.kitebridge.webhooks.WebhookStore;

/** Webhook subscriptions and their delivery states in memory, for tests and the local dev server. */
public final class InMemoryWebhookStore implements WebhookStore {

    private final Map<String, Webhook> webhooks = new ConcurrentHashMap<>();
    private final Map<List<String>, DeliveryState> deliveries = new ConcurrentHashMap<>();

    @Override
    public void create(Webhook webhook) {
        if (webhooks.putIfAbsent(webhook.id(), webhook) != null) {
            throw new IllegalStateException("a webhook with id " + webhook.id() + " exists already");
        }
    }

    @Override
    public Optional<Webhook> find(String tenantId, String webhookId) {
        return Optional.ofNullable(webhooks.get(webhookId)).filter(w -> w.tenantId().equals(tenantId));
    }

    @Override
    public List<Webhook> list(String tenantId) {
        return webhooks.values().stream().filter(w -> w.tenantId().equals(tenantId))
                .sorted(Comparator.comparing(Webhook::createdAt).thenComparing(Webhook::id)).toList();
    }

    @Override
    public boolean delete(String tenantId, String webhookId) {
        if (find(tenantId, webhookId).isEmpty()) {
            return false;
        }
        webhooks.remove(webhookId);
        deliveries.keySet().removeIf(key -> key.get(0).equals(tenantId) && key.get(1).equals(webhookId));
        return true;
    }

    @Override
    public Optional<DeliveryState> delivery(String tenantId, String webhookId, String accountId) {
        return Optional.ofNullable(deliveries.get(List.of(tenantId, webhookId, accountId)));
    }

    @Override
    public boolean createDelivery(DeliveryState state) {
        return deliveries.putIfAbsent(key(state), state) == null;
    }

    @Override
    public Optional<DeliveryState> replaceDelivery(DeliveryState changed) {
        DeliveryState next = changed.nextRevision();
        DeliveryState stored = deliveries.computeIfPresent(key(changed),
                (key, current) -> current.revision() == changed.revision() ? next : current);
        return stored == next ? Optional.of(next) : Optional.empty();
    }

    private static List<String> key(DeliveryState state) {
        return List.of(state.tenantId(), state.webhookId(), state.accountId());
    }
}
