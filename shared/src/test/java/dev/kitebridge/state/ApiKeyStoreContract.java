package dev.kitebridge.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;

import org.junit.jupiter.api.Test;

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
