package dev.kitebridge.webhooks;

import java.util.LinkedHashSet;
import java.util.List;

import dev.kitebridge.access.AccountStore;
import dev.kitebridge.access.IntegratedAccount;
import dev.kitebridge.contract.ApiError;
import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.events.EventFeed;
import dev.kitebridge.time.TimeSource;

/**
 * A tenant's webhook subscriptions: subscribe, list, get, unsubscribe. A new subscription gets
 * the events published after it was made, not the accounts' history.
 */
public final class WebhooksService {

    private final WebhookStore webhooks;
    private final DeadLetterStore deadLetters;
    private final AccountStore accounts;
    private final EventFeed feed;
    private final WebhookTargets targets;
    private final TimeSource time;

    public WebhooksService(WebhookStore webhooks, DeadLetterStore deadLetters, AccountStore accounts, EventFeed feed,
                           WebhookTargets targets, TimeSource time) {
        this.webhooks = webhooks;
        this.deadLetters = deadLetters;
        this.accounts = accounts;
        this.feed = feed;
        this.targets = targets;
        this.time = time;
    }

    /**
     * Subscribes: the answer holds the signing secret, which is never shown again.
     *
     * @param integratedAccountId the one account to deliver the events of; null for all the tenant's accounts
     */
    public Webhook subscribe(String tenantId, String targetUrl, List<String> eventTypes, String integratedAccountId) {
        String refused = targets.refusal(targetUrl);
        if (refused != null) {
            throw ApiError.invalidRequest(refused);
        }
        for (String type : eventTypes) {
            if (!ChangeEvent.TYPES.contains(type)) {
                throw ApiError.invalidRequest("event_types holds '" + type + "', which is not an event type; the types are "
                        + String.join(", ", ChangeEvent.TYPES));
            }
        }
        List<IntegratedAccount> covered = integratedAccountId == null ? accounts.list(tenantId)
                : List.of(accounts.find(tenantId, integratedAccountId)
                        .orElseThrow(() -> ApiError.notFound("no integrated account " + integratedAccountId)));
        Webhook webhook = Webhook.create(tenantId, targetUrl, List.copyOf(new LinkedHashSet<>(eventTypes)), integratedAccountId,
                time.now());
        // Each account's delivery starts at its current end; an account linked later has no history
        // before the subscription, and its delivery starts at its first event.
        for (IntegratedAccount account : covered) {
            webhooks.createDelivery(DeliveryState.startingAt(tenantId, webhook.id(), account.id(), feed.end(account.id())));
        }
        webhooks.create(webhook);
        return webhook;
    }

    public List<Webhook> list(String tenantId) {
        return webhooks.list(tenantId);
    }

    public Webhook get(String tenantId, String webhookId) {
        return webhooks.find(tenantId, webhookId).orElseThrow(() -> notFound(webhookId));
    }

    /** Unsubscribes: nothing more is delivered, and its parked deliveries are dropped. */
    public void unsubscribe(String tenantId, String webhookId) {
        if (!webhooks.delete(tenantId, webhookId)) {
            throw notFound(webhookId);
        }
        deadLetters.list(tenantId, webhookId).forEach(deadLetters::remove);
    }

    private static ApiError notFound(String webhookId) {
        return ApiError.notFound("no webhook " + webhookId);
    }
}
