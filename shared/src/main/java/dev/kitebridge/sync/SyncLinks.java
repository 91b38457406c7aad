package dev.kitebridge.sync;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kitebridge.access.IntegratedAccount;
import dev.kitebridge.accounts.AccountLinks;
import dev.kitebridge.contract.ApiJson;
import dev.kitebridge.events.EventLog;

/** Sync's side of a link and an unlink: the account's sync state, and its first event. */
public final class SyncLinks implements AccountLinks {

    private final SyncStore syncs;
    private final EventLog events;

    public SyncLinks(SyncStore syncs, EventLog events) {
        this.syncs = syncs;
        this.events = events;
    }

    @Override
    public void linked(IntegratedAccount account, JsonNode view) {
        // integrated_account.created, published by the account's sync state: the schedule syncs it from its next tick.
        // As GET /integrated-accounts/{id} shows it: with last_confirmed, nothing confirmed yet.
        ObjectNode shown = (ObjectNode) view.deepCopy();
        shown.set("last_confirmed", ApiJson.MAPPER.valueToTree(Confirmed.NEVER));
        events.put(account.id(), List.of(AccountSync.accountCreated(account.tenantId(), account.id(), account.createdAt(), shown)));
        syncs.createAccount(AccountSync.linked(account.id(), account.tenantId()));
    }

    @Override
    public void unlinked(String accountId) {
        syncs.deleteAccount(accountId);
    }
}
