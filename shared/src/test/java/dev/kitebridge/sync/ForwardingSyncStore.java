package dev.kitebridge.sync;

import java.util.List;
import java.util.Optional;

/** A sync store that hands every call to another: a test overrides the calls it counts, fails or delays. */
class ForwardingSyncStore implements SyncStore {

    final SyncStore store;

    ForwardingSyncStore(SyncStore store) {
        this.store = store;
    }

    @Override
    public List<AccountSync> accounts() {
        return store.accounts();
    }

    @Override
    public Optional<AccountSync> account(String accountId) {
        return store.account(accountId);
    }

    @Override
    public boolean createAccount(AccountSync state) {
        return store.createAccount(state);
    }

    @Override
    public Optional<AccountSync> replaceAccount(AccountSync changed) {
        return store.replaceAccount(changed);
    }

    @Override
    public void deleteAccount(String accountId) {
        store.deleteAccount(accountId);
    }

    @Override
    public void createRun(SyncRun run) {
        store.createRun(run);
    }

    @Override
    public Optional<SyncRun> run(String runId) {
        return store.run(runId);
    }

    @Override
    public Optional<SyncRun> replaceRun(SyncRun changed) {
        return store.replaceRun(changed);
    }

    @Override
    public List<SyncRun> runs(String accountId, long beforeOrdinal, int limit) {
        return store.runs(accountId, beforeOrdinal, limit);
    }
}
