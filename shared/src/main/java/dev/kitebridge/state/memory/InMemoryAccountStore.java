package dev.kitebridge.state.memory;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.kitebridge.state.AccountStore;
import dev.kitebridge.state.IntegratedAccount;

/** Accounts in memory, for tests and the local dev server. */
public final class InMemoryAccountStore implements AccountStore {

    private final Map<String, IntegratedAccount> accounts = new ConcurrentHashMap<>();

    @Override
    public void save(IntegratedAccount account) {
        accounts.put(account.id(), account);
    }

    @Override
    public Optional<IntegratedAccount> find(String tenantId, String accountId) {
        return Optional.ofNullable(accounts.get(accountId)).filter(a -> a.tenantId().equals(tenantId));
    }

    @Override
    public List<IntegratedAccount> list(String tenantId) {
        return accounts.values().stream()
                .filter(a -> a.tenantId().equals(tenantId))
                .sorted(Comparator.comparing(IntegratedAccount::createdAt).thenComparing(IntegratedAccount::id))
                .toList();
    }

    @Override
    public void delete(String tenantId, String accountId) {
        accounts.computeIfPresent(accountId, (id, a) -> a.tenantId().equals(tenantId) ? null : a);
    }
}
