package dev.kitebridge.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.kitebridge.access.AccountStore;
import dev.kitebridge.access.IntegratedAccount;

/** What every AccountStore adapter must do; each adapter's test extends this. */
public abstract class AccountStoreContract {

    protected abstract AccountStore store();

    private static IntegratedAccount account(String id, String tenant, Instant created) {
        return IntegratedAccount.linked(id, tenant, "label " + id, List.of("read_user", "graphql"),
                List.of(new IntegratedAccount.OrganizationRef("org-1", "acme", "Acme Inc")), Instant.parse("2027-01-01T00:00:00Z"), created,
                "user:local");
    }

    @Test
    void anAccountIsFoundOnlyThroughItsTenant() {
        IntegratedAccount mine = account("acct-1", "tenant-a", Instant.parse("2026-11-01T00:00:00Z"));
        store().create(mine);
        assertEquals(mine, store().find("tenant-a", "acct-1").orElseThrow());
        assertTrue(store().find("tenant-b", "acct-1").isEmpty(), "another tenant's id does not exist");
        store().delete("tenant-b", "acct-1");
        assertTrue(store().find("tenant-a", "acct-1").isPresent(), "another tenant cannot delete it");
        assertTrue(store().replace(account("acct-1", "tenant-b", Instant.now())).isEmpty(), "nor replace it");
        assertEquals(mine, store().find("tenant-a", "acct-1").orElseThrow());
    }

    /** A read of the account as stored a moment ago finds what a read finds, through its tenant only. */
    @Test
    void aRecentReadFindsTheAccountOnlyThroughItsTenant() {
        IntegratedAccount mine = account("acct-7", "tenant-g", Instant.parse("2026-11-01T00:00:00Z"));
        store().create(mine);
        assertEquals(mine, store().findRecent("tenant-g", "acct-7").orElseThrow());
        assertTrue(store().findRecent("tenant-h", "acct-7").isEmpty(), "another tenant's id does not exist");
        assertTrue(store().findRecent("tenant-g", "acct-8").isEmpty());
    }

    @Test
    void aTenantListsItsAccountsOldestFirst() {
        store().create(account("acct-2", "tenant-c", Instant.parse("2026-11-02T00:00:00Z")));
        store().create(account("acct-1", "tenant-c", Instant.parse("2026-11-01T00:00:00Z")));
        store().create(account("acct-3", "tenant-d", Instant.parse("2026-11-01T00:00:00Z")));
        assertEquals(List.of("acct-1", "acct-2"), store().list("tenant-c").stream().map(IntegratedAccount::id).toList());
    }

    @Test
    void anAccountIsCreatedOnce() {
        store().create(account("acct-5", "tenant-f", Instant.parse("2026-11-01T00:00:00Z")));
        assertThrows(IllegalStateException.class, () -> store().create(account("acct-5", "tenant-f", Instant.now())));
        assertEquals("label acct-5", store().find("tenant-f", "acct-5").orElseThrow().label());
    }

    @Test
    void aReplaceLandsOnlyOverTheRevisionItWasMadeFrom() {
        IntegratedAccount read = account("acct-9", "tenant-e", Instant.parse("2026-11-01T00:00:00Z"));
        store().create(read);

        IntegratedAccount rotated = store().replace(read.withLabel("rotated")).orElseThrow();
        assertEquals(1, rotated.revision());
        assertEquals(rotated, store().find("tenant-e", "acct-9").orElseThrow());

        assertTrue(store().replace(read.withStatus(IntegratedAccount.Status.NEEDS_REAUTH)).isEmpty(),
                "a change made from the older revision does not undo the newer one");
        assertEquals(rotated, store().find("tenant-e", "acct-9").orElseThrow());

        store().delete("tenant-e", "acct-9");
        assertTrue(store().replace(rotated.withStatus(IntegratedAccount.Status.NEEDS_REAUTH)).isEmpty(),
                "a replace does not bring back a deleted account");
        assertTrue(store().find("tenant-e", "acct-9").isEmpty());
        assertTrue(store().list("tenant-e").isEmpty());
    }
}
