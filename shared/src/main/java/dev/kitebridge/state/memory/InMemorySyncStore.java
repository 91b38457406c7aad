package dev.kitebridge.state.memory;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.kitebridge.sync.AccountSync;
import dev.kitebridge.sync.SyncRun;
import dev.kitebridge.sync.SyncStore;

/** Sync runs and account sync states in memory, for tests and the local dev server. */
public final class InMemorySyncStore implements SyncStore {

    private final Map<String, AccountSync> accounts = new ConcurrentHashMap<>();
    private final Map<String, SyncRun> runs = new ConcurrentHashMap<>();

    @Override
    public List<AccountSync> accounts() {
        return accounts.values().stream().sorted(Comparator.comparing(AccountSync::accountId)).toList();
    }

    @Override
    public Optional<AccountSync> account(String accountId) {
        return Optional.ofNullable(accounts.get(accountId));
    }

    @Override
    public boolean createAccount(AccountSync state) {
        return accounts.putIfAbsent(state.accountId(), state) == null;
    }

    @Override
    public Optional<AccountSync> replaceAccount(AccountSync changed) {
        AccountSync next = changed.nextRevision();
        AccountSync stored = accounts.computeIfPresent(changed.accountId(),
                (id, current) -> current.revision() == changed.revision() ? next : current);
        return stored == next ? Optional.of(next) : Optional.empty();
    }

    @Override
    public void deleteAccount(String accountId) {
        accounts.remove(accountId);
    }

    @Override
    public void createRun(SyncRun run) {
        if (runs.putIfAbsent(run.id(), run) != null) {
            throw new IllegalStateException("a sync run with id " + run.id() + " exists already");
        }
    }

    @Override
    public Optional<SyncRun> run(String runId) {
        return Optional.ofNullable(runs.get(runId));
    }

    @Override
    public List<SyncRun> runs(String accountId, long beforeOrdinal, int limit) {
        return runs.values().stream().filter(r -> r.accountId().equals(accountId) && r.ordinal() < beforeOrdinal)
                .sorted(Comparator.comparingLong(SyncRun::ordinal).reversed()).limit(limit).toList();
    }

    @Override
    public Optional<SyncRun> replaceRun(SyncRun changed) {
        SyncRun next = changed.nextRevision();
        SyncRun stored = runs.computeIfPresent(changed.id(), (id, current) -> current.revision() == changed.revision() ? next : current);
        return stored == next ? Optional.of(next) : Optional.empty();
    }
}
