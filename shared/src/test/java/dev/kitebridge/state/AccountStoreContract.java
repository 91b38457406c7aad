package dev.kitebridge.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

/** What every AccountStore adapter must do; each adapter's test extends this. */
public abstract class AccountStoreContract {

    protected abstract AccountStore store();

    private static IntegratedAccount account(String id, String tenant, Instant created) {
        return new IntegratedAccount(id, tenant, "label " + id, IntegratedAccount.Status.ACTIVE, List.of("read_user", "graphql"),
                List.of(new IntegratedAccount.OrganizationRef("org-1", "acme", "Acme Inc")), Instant.parse("2027-01-01T00:00:00Z"), created, "user:local");
    }

    @Test
    void anAccountIsFoundOnlyThroughItsTenant() {
        IntegratedAccount mine = account("acct-1", "tenant-a", Instant.parse("2026-11-01T00:00:00Z"));
        store().save(mine);
        assertEquals(mine, store().find("tenant-a", "acct-1").orElseThrow());
        assertTrue(store().find("tenant-b", "acct-1").isEmpty(), "another tenant's id does not exist");
        store().delete("tenant-b", "acct-1");
        assertTrue(store().find("tenant-a", "acct-1").isPresent(), "another tenant cannot delete it");
    }

    @Test
    void aTenantListsItsAccountsOldestFirst() {
        store().save(account("acct-2", "tenant-c", Instant.parse("2026-11-02T00:00:00Z")));
        store().save(account("acct-1", "tenant-c", Instant.parse("2026-11-01T00:00:00Z")));
        store().save(account("acct-3", "tenant-d", Instant.parse("2026-11-01T00:00:00Z")));
        assertEquals(List.of("acct-1", "acct-2"), store().list("tenant-c").stream().map(IntegratedAccount::id).toList());
    }

    @Test
    void savingAgainReplacesAndDeletingRemoves() {
        IntegratedAccount account = account("acct-9", "tenant-e", Instant.parse("2026-11-01T00:00:00Z"));
        store().save(account);
        store().save(account.withStatus(IntegratedAccount.Status.NEEDS_REAUTH));
        assertEquals(IntegratedAccount.Status.NEEDS_REAUTH, store().find("tenant-e", "acct-9").orElseThrow().status());
        store().delete("tenant-e", "acct-9");
        assertTrue(store().find("tenant-e", "acct-9").isEmpty());
        assertTrue(store().list("tenant-e").isEmpty());
    }
}
