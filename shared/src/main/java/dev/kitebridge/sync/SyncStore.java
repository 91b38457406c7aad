package dev.kitebridge.sync;

import java.util.List;
import java.util.Optional;

/** Sync runs and each account's sync state. Every change is written over the revision it was made from. */
public interface SyncStore {

    /** Every account that syncs, for the schedule. */
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
}
