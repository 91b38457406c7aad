package dev.kitebridge.accounts;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.access.IntegratedAccount;

/**
 * What accounts tell sync about links, the one way they reach it: accounts own this port, sync
 * implements it ({@code sync.SyncLinks}), the composition root wires it.
 */
public interface AccountLinks {

    /**
     * A newly linked account: its {@code integrated_account.created} (carrying {@code view}, the account
     * as the API shows it) is published and the schedule syncs it from its next tick.
     */
    void linked(IntegratedAccount account, JsonNode view);

    /** An unlinked account: no more scheduled runs; its events and runs expire (30 days), its snapshot stays. */
    void unlinked(String accountId);
}
