package dev.kitebridge.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import dev.kitebridge.tenants.ApiKeyStore;

/** What every ApiKeyStore adapter must do; each adapter's test extends this. */
public abstract class ApiKeyStoreContract {

    protected abstract ApiKeyStore store();

    @Test
    void aKeyIsKnownByItsHashOnlyAndListedByPrefix() {
        ApiKeyStore.NewKey key = ApiKeyStore.newKey("tenant-a", "ci", Instant.parse("2026-11-25T00:00:00Z"));
        store().save(key.stored());
        assertEquals("tenant-a", store().tenantOf(ApiKeyStore.hash(key.secret())).orElseThrow());
        assertTrue(store().tenantOf(ApiKeyStore.hash(key.secret() + "x")).isEmpty());
        assertEquals(1, store().list("tenant-a").size());
        ApiKeyStore.StoredKey listed = store().list("tenant-a").get(0);
        assertEquals(key.secret().substring(0, 11), listed.prefix());
        assertFalse(listed.toString().contains(key.secret()), "what is kept is never the key");
        assertFalse(key.toString().contains(key.secret().substring(11)));
        assertEquals(64, listed.hash().length(), "SHA-256 in hex");
    }

    @Test
    void aSecondKeyWithATakenPrefixIsRefusedAndNeverWorks() {
        ApiKeyStore.StoredKey first = ApiKeyStore.newKey("tenant-d", "ci", Instant.parse("2026-11-25T00:00:00Z")).stored();
        store().save(first);
        ApiKeyStore.StoredKey clash = new ApiKeyStore.StoredKey("tenant-d", first.prefix(), ApiKeyStore.hash("another key"), "clash",
                Instant.parse("2026-11-25T00:00:00Z"));
        assertThrows(IllegalStateException.class, () -> store().save(clash));
        assertTrue(store().tenantOf(clash.hash()).isEmpty(), "a key that could not be revoked is not kept");
        assertEquals(1, store().list("tenant-d").size());
        assertTrue(store().revoke("tenant-d", first.prefix()));
    }

    @Test
    void aRevokedKeyStopsWorkingAndOnlyItsTenantCanRevokeIt() {
        ApiKeyStore.NewKey key = ApiKeyStore.newKey("tenant-b", "ci", Instant.parse("2026-11-25T00:00:00Z"));
        store().save(key.stored());
        assertFalse(store().revoke("tenant-c", key.stored().prefix()));
        assertTrue(store().tenantOf(key.stored().hash()).isPresent());
        assertTrue(store().revoke("tenant-b", key.stored().prefix()));
        assertTrue(store().tenantOf(key.stored().hash()).isEmpty());
        assertTrue(store().list("tenant-b").isEmpty());
        assertFalse(store().revoke("tenant-b", key.stored().prefix()));
    }
}
