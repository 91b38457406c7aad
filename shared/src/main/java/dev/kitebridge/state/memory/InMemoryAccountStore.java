package dev.kitebridge.state.memory;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.kitebridge.access.AccountStore;
import dev.kitebridge.access.IntegratedAccount;

/** Accounts in memory, for tests and the local dev server. */
public final class InMemoryAccountStore implements AccountStore {

    private record Key(String tenantId, String accountId) {}

    private final Map<Key, IntegratedAccount> accounts = new ConcurrentHashMap<>();

    @Override
    public void create(IntegratedAccount account) {
        if (accounts.putIfAbsent(new Key(account.tenantId(), account.id()), account) != null) {
            throw new IllegalStateException("an account with id " + account.id() + " exists already");
        }
    }

    @Override
    public Optional<IntegratedAccount> replace(IntegratedAccount changed) {
        IntegratedAccount next = changed.nextRevision();
        IntegratedAccount stored = accounts.computeIfPresent(new Key(changed.tenantId(), changed.id()),
                (key, current) -> current.revision() == changed.revision() ? next : current);
        return stored == next ? Optional.of(next) : Optional.empty();
    }

    @Override
    public Optional<IntegratedAccount> find(String tenantId, String accountId) {
        return Optional.ofNullable(accounts.get(new Key(tenantId, accountId)));
    }

    @Override
    public Optional<IntegratedAccount> findRecent(String tenantId, String accountId) {
        return find(tenantId, accountId); // always current here
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
        accounts.remove(new Key(tenantId, accountId));
    }
}
