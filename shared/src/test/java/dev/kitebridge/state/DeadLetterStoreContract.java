package dev.kitebridge.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.kitebridge.webhooks.DeadLetterStore.ParkedDelivery;
import dev.kitebridge.webhooks.DeadLetterStore;

/** What every DeadLetterStore adapter must do; each adapter's test extends this. */
public abstract class DeadLetterStoreContract {

    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

    protected abstract DeadLetterStore store();

    private static ParkedDelivery parked(String tenant, String webhook, String account, String position) {
        return new ParkedDelivery(tenant, webhook, account, position, "evt_" + position, "{\"id\":\"evt_" + position + "\"}",
                "the receiver answered 410", 1, NOW);
    }

    @Test
    void aSubscriptionsParkedDeliveriesAreListedByAccountThenPosition() {
        ParkedDelivery a2 = parked("tenant-a", "wh_1", "acct-a", "000000000002/10/u2");
        ParkedDelivery a1 = parked("tenant-a", "wh_1", "acct-a", "000000000001/99/run");
        ParkedDelivery b1 = parked("tenant-a", "wh_1", "acct-b", "000000000001/10/u1");
        store().park(b1);
        store().park(a2);
        store().park(a1);
        store().park(parked("tenant-a", "wh_2", "acct-a", "000000000001/10/u1"));
        store().park(parked("tenant-b", "wh_1", "acct-a", "000000000001/10/u1"));

        assertEquals(List.of(a1, a2, b1), store().list("tenant-a", "wh_1"));
        assertEquals(List.of(), store().list("tenant-c", "wh_1"));
    }

    @Test
    void parkingAgainReplacesAndRemovingTakesOne() {
        ParkedDelivery first = parked("tenant-a", "wh_1", "acct-a", "000000000001/10/u1");
        ParkedDelivery second = parked("tenant-a", "wh_1", "acct-a", "000000000001/10/u2");
        store().park(first);
        store().park(second);
        ParkedDelivery again = new ParkedDelivery("tenant-a", "wh_1", "acct-a", first.position(), first.eventId(), first.body(),
                "the receiver answered 503", 20, NOW.plusSeconds(60));
        store().park(again);
        assertEquals(List.of(again, second), store().list("tenant-a", "wh_1"));

        store().remove(again);
        assertEquals(List.of(second), store().list("tenant-a", "wh_1"));
    }
}
