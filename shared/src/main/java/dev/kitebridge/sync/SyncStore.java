package dev.kitebridge.sync;

import java.util.List;
import java.util.Optional;

import dev.kitebridge.events.Publications;

/**
 * Sync runs and each account's sync state. Every change is written over the revision it was made from.
 * What readers of the event log need of it ({@link Publications}) is read from the same state.
 */
public interface SyncStore extends Publications {

    /**
     * Every account that syncs, for the schedule and the webhook rounds: each looks again a minute
     * later, so a state that lags a write by a moment (read at half the price) costs at most a look
     * repeated; the schedule starts a full run only on the account's state as {@link #account} reads it.
     */
    List<AccountSync> accounts();

    Optional<AccountSync> account(String accountId);

    /** @return false if the account has a sync state already */
    boolean createAccount(AccountSync state);

    /** @return the state as stored, or empty if it changed meanwhile or is gone */
    Optional<AccountSync> replaceAccount(AccountSync changed);

    void deleteAccount(String accountId);

    /** @throws IllegalStateException if a run with its id exists already */
    void createRun(SyncRun run);

    Optional<SyncRun> run(String runId);

    /** @return the run as stored, or empty if it changed meanwhile */
    Optional<SyncRun> replaceRun(SyncRun changed);

    /**
     * An account's runs, newest first (by ordinal), those with an ordinal below {@code beforeOrdinal}
     * ({@link Long#MAX_VALUE}: from the newest), at most {@code limit}. A run is listed from when it is
     * created until it expires with its events.
     */
    List<SyncRun> runs(String accountId, long beforeOrdinal, int limit);

    @Override
    default long publishedThrough(String accountId) {
        return account(accountId).map(AccountSync::publishedThrough).orElse(0L);
    }

    @Override
    default List<Feed> feeds() {
        return accounts().stream().map(a -> new Feed(a.tenantId(), a.accountId(), a.publishedThrough())).toList();
    }
}
