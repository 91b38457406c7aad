package dev.kitebridge.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.kitebridge.webhooks.DeliveryState;
import dev.kitebridge.webhooks.Webhook;
import dev.kitebridge.webhooks.WebhookStore;

/** What every WebhookStore adapter must do; each adapter's test extends this. */
public abstract class WebhookStoreContract {

    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

    protected abstract WebhookStore store();

    private static Webhook webhook(String tenant, Instant createdAt) {
        return Webhook.create(tenant, "https://hooks.example.com/kitebridge", List.of("user.created", "user.deleted"), null, createdAt);
    }

    @Test
    void aSubscriptionIsFoundListedAndDeletedThroughItsTenantOnly() {
        Webhook first = webhook("tenant-a", NOW);
        Webhook second = Webhook.create("tenant-a", "https://other.example.com/", List.of("group.created"), "acct-1", NOW.plusSeconds(1));
        Webhook theirs = webhook("tenant-b", NOW);
        store().create(second);
        store().create(first);
        store().create(theirs);

        assertEquals(first, store().find("tenant-a", first.id()).orElseThrow());
        assertEquals(first.signingSecret(), store().find("tenant-a", first.id()).orElseThrow().signingSecret(), "kept to sign with");
        assertTrue(store().find("tenant-b", first.id()).isEmpty(), "another tenant's id finds nothing");
        assertEquals(List.of(first, second), store().list("tenant-a"), "oldest first");
        assertEquals(List.of(theirs), store().list("tenant-b"));

        assertFalse(store().delete("tenant-b", first.id()));
        assertTrue(store().find("tenant-a", first.id()).isPresent(), "another tenant cannot delete it");
        assertTrue(store().delete("tenant-a", first.id()));
        assertTrue(store().find("tenant-a", first.id()).isEmpty());
        assertFalse(store().delete("tenant-a", first.id()));
        assertEquals(List.of(second), store().list("tenant-a"));
    }

    @Test
    void anIdIsCreatedOnce() {
        Webhook webhook = webhook("tenant-a", NOW);
        store().create(webhook);
        assertThrows(IllegalStateException.class, () -> store().create(webhook));
    }

    @Test
    void aDeliveryStateIsCreatedOnceAndReplacedOnlyOverTheRevisionItWasMadeFrom() {
        Webhook webhook = webhook("tenant-a", NOW);
        store().create(webhook);
        DeliveryState start = DeliveryState.startingAt("tenant-a", webhook.id(), "acct-1", "000000000003/");
        assertTrue(store().createDelivery(start));
        assertFalse(store().createDelivery(start.advancedTo("000000000009/")), "created once");
        assertEquals(start, store().delivery("tenant-a", webhook.id(), "acct-1").orElseThrow());
        assertTrue(store().delivery("tenant-a", webhook.id(), "acct-2").isEmpty());
        assertTrue(store().delivery("tenant-b", webhook.id(), "acct-1").isEmpty());
        assertEquals(start, store().recentDelivery("tenant-a", webhook.id(), "acct-1").orElseThrow(), "a turn's read");
        assertTrue(store().recentDelivery("tenant-b", webhook.id(), "acct-1").isEmpty());

        DeliveryState leased = store().replaceDelivery(start.leasedTo("worker-1", NOW.plusSeconds(60))).orElseThrow();
        assertEquals(1, leased.revision());
        assertTrue(store().replaceDelivery(start.leasedTo("worker-2", NOW.plusSeconds(60))).isEmpty(), "made from a stale revision");
        DeliveryState failed = store().replaceDelivery(leased.failed(NOW, NOW.plusSeconds(30))).orElseThrow();
        assertEquals(failed, store().delivery("tenant-a", webhook.id(), "acct-1").orElseThrow());
        assertEquals(1, failed.failures());
        assertEquals(NOW.plusSeconds(30), failed.retryAt());
        assertEquals("worker-1", failed.leaseOwner());
    }

    @Test
    void deletingASubscriptionDeletesItsDeliveryStates() {
        Webhook webhook = webhook("tenant-a", NOW);
        Webhook other = webhook("tenant-a", NOW);
        store().create(webhook);
        store().create(other);
        store().createDelivery(DeliveryState.startingAt("tenant-a", webhook.id(), "acct-1", null));
        store().createDelivery(DeliveryState.startingAt("tenant-a", webhook.id(), "acct-2", null));
        store().createDelivery(DeliveryState.startingAt("tenant-a", other.id(), "acct-1", null));

        store().delete("tenant-a", webhook.id());
        assertTrue(store().delivery("tenant-a", webhook.id(), "acct-1").isEmpty());
        assertTrue(store().delivery("tenant-a", webhook.id(), "acct-2").isEmpty());
        assertTrue(store().delivery("tenant-a", other.id(), "acct-1").isPresent());
        assertTrue(store().replaceDelivery(DeliveryState.startingAt("tenant-a", webhook.id(), "acct-1", null)).isEmpty(),
                "a deliverer that was at work cannot bring it back");
    }
}
