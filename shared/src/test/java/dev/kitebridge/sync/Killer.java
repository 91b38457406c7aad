package dev.kitebridge.sync;

import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import dev.kitebridge.directory.orgdata.OrganizationData;
import dev.kitebridge.directory.orgdata.OrganizationDataStore;
import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.events.EventLog;

/**
 * Kills its worker at the Nth call to any of the stores it wraps, as a process that dies mid-step
 * leaves its state: with an Error, which nothing in the engine catches, sometimes before the call
 * and sometimes after a write has landed (the lease is let go by the worker's finally block, as it
 * would expire).
 */
final class Killer {

    static final class Killed extends Error {
        Killed() {
            super("killed");
        }
    }

    private final AtomicInteger callsLeft = new AtomicInteger(-1);
    private final Random random = new Random(11);

    private volatile boolean writesOnly;

    /** Kills at the {@code calls}-th call from now; -1: never. */
    void killAfter(int calls) {
        writesOnly = false;
        callsLeft.set(calls);
    }

    /** Kills at the {@code writes}-th write from now (reads do not count): kill points spread by what a worker leaves behind. */
    void killAfterWrites(int writes) {
        writesOnly = true;
        callsLeft.set(writes);
    }

    /** A fixture on the reference's sandbox whose every store (runs: {@code runs}) this killer wraps, each in memory. */
    SyncFixture crashingBeside(SyncFixture reference, dev.kitebridge.state.memory.InMemorySyncStore runs) {
        return new SyncFixture(reference.sandbox, snapshots(new dev.kitebridge.state.memory.InMemorySnapshotStore()), syncs(runs),
                log(new dev.kitebridge.state.memory.InMemoryEventLog()),
                organizationData(new dev.kitebridge.state.memory.InMemoryOrganizationDataStore()));
    }

    /**
     * Works the run to its end through {@code fixture}'s worker turns of {@code slice}, killed in each
     * of its lives after a random number of writes (under {@code upTo}); returns the run as each kill
     * left it. Nothing is killed after it.
     */
    List<SyncRun> finishKilled(SyncFixture fixture, SyncStore runs, String runId, java.time.Duration slice, Random random, int upTo,
                               int maxKills) {
        List<SyncRun> killedAt = new java.util.ArrayList<>();
        try {
            while (true) {
                killAfterWrites(random.nextInt(upTo));
                try {
                    fixture.finish(runId, slice);
                    return killedAt;
                } catch (Killed killed) {
                    killedAt.add(runs.run(runId).orElseThrow());
                }
                if (killedAt.size() >= maxKills) {
                    throw new AssertionError("the run goes on between kills; in " + runs.run(runId).orElseThrow().phase());
                }
            }
        } finally {
            killAfter(-1);
        }
    }

    /** The phases a run was killed in. */
    static java.util.Set<SyncRun.Phase> phases(List<SyncRun> killedAt) {
        java.util.Set<SyncRun.Phase> phases = java.util.EnumSet.noneOf(SyncRun.Phase.class);
        killedAt.forEach(run -> phases.add(run.phase()));
        return phases;
    }

    /** A read: it may kill, unless only writes count. */
    private <T> T read(Supplier<T> work) {
        return writesOnly ? work.get() : call(work);
    }

    private <T> T call(Supplier<T> work) {
        if (callsLeft.get() < 0 || callsLeft.getAndDecrement() != 0) {
            return work.get();
        }
        if (random.nextBoolean()) {
            work.get(); // the write lands; the worker dies before it hears so
        }
        throw new Killed();
    }

    private void run(Runnable work) {
        call(() -> {
            work.run();
            return null;
        });
    }

    SnapshotStore snapshots(SnapshotStore store) {
        return new SnapshotStore() {
            @Override
            public void put(String accountId, long generation, List<Item> items, java.time.Instant expiresAt) {
                run(() -> store.put(accountId, generation, items, expiresAt));
            }

            @Override
            public List<Item> list(String accountId, long generation, String afterKey, int limit) {
                return read(() -> store.list(accountId, generation, afterKey, limit));
            }

            @Override
            public List<Item> list(String accountId, long generation, String afterKey, String beforeKey, int limit) {
                return read(() -> store.list(accountId, generation, afterKey, beforeKey, limit));
            }

            @Override
            public List<Item> get(String accountId, long generation, java.util.Collection<String> keys) {
                return read(() -> store.get(accountId, generation, keys));
            }

            @Override
            public void delete(String accountId, long generation, List<String> keys) {
                run(() -> store.delete(accountId, generation, keys));
            }
        };
    }

    EventLog log(EventLog log) {
        return new EventLog() {
            @Override
            public void put(String accountId, List<ChangeEvent> events) {
                run(() -> log.put(accountId, events));
            }

            @Override
            public void delete(String accountId, List<String> positions) {
                run(() -> log.delete(accountId, positions));
            }

            @Override
            public List<ChangeEvent> list(String accountId, String afterPosition, String beforePosition, int limit) {
                return read(() -> log.list(accountId, afterPosition, beforePosition, limit));
            }
        };
    }

    /** The sync store's writes of runs and account states may kill; its reads do not (a worker reads before it works). */
    SyncStore syncs(SyncStore store) {
        return new ForwardingSyncStore(store) {
            @Override
            public Optional<AccountSync> replaceAccount(AccountSync changed) {
                return call(() -> store.replaceAccount(changed));
            }

            @Override
            public Optional<SyncRun> replaceRun(SyncRun changed) {
                return call(() -> store.replaceRun(changed));
            }
        };
    }

    /** The directory's kept data, which a completed run's CLEAN writes: every call may kill. */
    OrganizationDataStore organizationData(OrganizationDataStore store) {
        return new OrganizationDataStore() {
            @Override
            public Optional<OrganizationData> complete(String accountId, String organizationSlug, OrganizationData.Part part) {
                return read(() -> store.complete(accountId, organizationSlug, part));
            }

            @Override
            public Optional<OrganizationData> building(String accountId, String organizationSlug) {
                return read(() -> store.building(accountId, organizationSlug));
            }

            @Override
            public void save(OrganizationData data) {
                run(() -> store.save(data));
            }

            @Override
            public void revise(String accountId, String organizationSlug, java.util.function.Consumer<OrganizationData> change) {
                run(() -> store.revise(accountId, organizationSlug, change));
            }

            @Override
            public void forget(String accountId, String organizationSlug) {
                run(() -> store.forget(accountId, organizationSlug));
            }

            @Override
            public void deleteAccount(String accountId) {
                run(() -> store.deleteAccount(accountId));
            }
        };
    }
}
