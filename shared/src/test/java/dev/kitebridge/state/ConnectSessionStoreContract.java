package dev.kitebridge.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.kitebridge.access.IntegratedAccount;
import dev.kitebridge.connect.ConnectSession;
import dev.kitebridge.connect.ConnectSessionStore;

/** What every ConnectSessionStore adapter must do; each adapter's test extends this. */
public abstract class ConnectSessionStoreContract {

    protected abstract ConnectSessionStore store();

    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");

    private static ConnectSession session(String hash) {
        return ConnectSession.opened("cs_" + hash, hash, "tenant-a", "Acme", "state-1", "https://app.example.com/done?x=1",
                List.of("read_user", "graphql"), T0, T0.plusSeconds(1800));
    }

    @Test
    void aSessionIsFoundByItsKeyAsItWasMade() {
        ConnectSession made = session("hash-1");
        store().create(made);
        assertEquals(made, store().find("hash-1").orElseThrow());
        assertTrue(store().find("hash-2").isEmpty());
    }

    @Test
    void aSessionIsCreatedOnce() {
        store().create(session("hash-3"));
        assertThrows(IllegalStateException.class, () -> store().create(session("hash-3")));
    }

    @Test
    void aReplaceLandsOnlyOverTheRevisionItWasMadeFrom() {
        ConnectSession read = session("hash-4");
        store().create(read);
        ConnectSession.Pending pending = new ConnectSession.Pending("v1.sealed", List.of("read_user"),
                List.of(new IntegratedAccount.OrganizationRef("org-1", "acme", "Acme Inc")), T0.plusSeconds(86_400));
        ConnectSession checked = store().replace(read.withAttempt().withPending(pending)).orElseThrow();
        assertEquals(1, checked.revision());
        assertEquals(checked, store().find("hash-4").orElseThrow());
        assertEquals(pending, store().find("hash-4").orElseThrow().pending());

        assertTrue(store().replace(read.used("acct-1")).isEmpty(), "a change made from the older revision does not land");
        ConnectSession used = store().replace(checked.used("acct-1")).orElseThrow();
        assertEquals(ConnectSession.Status.USED, store().find("hash-4").orElseThrow().status());
        assertEquals(null, used.pending(), "a used session keeps no token");
        assertTrue(store().replace(checked.used("acct-2")).isEmpty(), "two confirmations cannot both use it");
        assertEquals("acct-1", store().find("hash-4").orElseThrow().accountId());
        assertTrue(store().replace(session("hash-9")).isEmpty(), "a replace creates nothing");
        assertTrue(store().find("hash-9").isEmpty());
    }
}
