package dev.kitebridge.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.kitebridge.access.TokenVault;
import dev.kitebridge.buildkite.BuildkiteToken;

/** What every TokenVault adapter must do; each adapter's test extends this. */
public abstract class TokenVaultContract {

    protected abstract TokenVault vault();

    @Test
    void aTokenIsKeptReplacedAndDeleted() {
        vault().put("acct-1", BuildkiteToken.of("bkua_first"));
        assertEquals("bkua_first", vault().get("acct-1").orElseThrow().reveal());
        vault().put("acct-1", BuildkiteToken.of("bkua_second"));
        assertEquals("bkua_second", vault().get("acct-1").orElseThrow().reveal());
        vault().delete("acct-1");
        assertTrue(vault().get("acct-1").isEmpty());
        vault().delete("acct-1");
    }

    @Test
    void anUnknownAccountHasNoToken() {
        assertTrue(vault().get("acct-never").isEmpty());
    }
}
