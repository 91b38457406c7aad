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

    List<IntegratedAccount> list(String tenantId);

    void delete(String tenantId, String accountId);
}
