package dev.kitebridge.state;

import java.util.List;
import java.util.Optional;

/** Integrated accounts, always read through their tenant: another tenant's account does not exist. */
public interface AccountStore {

    void save(IntegratedAccount account);

    Optional<IntegratedAccount> find(String tenantId, String accountId);

    List<IntegratedAccount> list(String tenantId);

    void delete(String tenantId, String accountId);
}
