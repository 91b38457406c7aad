package dev.kitebridge.access;

import java.util.List;
import java.util.Optional;

/** Integrated accounts, always read through their tenant: another tenant's account does not exist. */
public interface AccountStore {

    /**
     * Stores a newly linked account.
     *
     * @throws IllegalStateException if an account with its id exists already
     */
    void create(IntegratedAccount account);

    /**
     * Stores {@code changed} as the next revision, but only over the revision it was made from
     * ({@code changed.revision()}).
     *
     * @return the account as stored, or empty if it changed meanwhile or is gone
     */
    Optional<IntegratedAccount> replace(IntegratedAccount changed);

    Optional<IntegratedAccount> find(String tenantId, String accountId);

    /**
     * {@link #find}, as stored a moment ago: a change made in about the last second may not show yet
     * (DynamoDB: an eventually consistent read, half the price). For the schedule's tick, which reads
     * every account every minute and whose look at one already outlasts that second: a change that
     * lands while a look is under way is already handled, and one read a moment late is handled the
     * same way (a rotated token's 401 reads the stored token again; a status or a token is written only
     * over the revision read; a run's worker reads the account afresh each turn).
     */
    Optional<IntegratedAccount> findRecent(String tenantId, String accountId);

    List<IntegratedAccount> list(String tenantId);

    void delete(String tenantId, String accountId);
}
