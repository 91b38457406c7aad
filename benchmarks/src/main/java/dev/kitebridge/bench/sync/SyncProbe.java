package dev.kitebridge.bench.sync;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.access.IntegratedAccount;
import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.buildkite.ratelimit.InMemoryRateLimitGovernor;
import dev.kitebridge.directory.orgdata.OrganizationDataBuilder;
import dev.kitebridge.directory.orgdata.OrganizationDataService;
import dev.kitebridge.directory.orgdata.OrganizationReader;
import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.events.EventFeed;
import dev.kitebridge.events.EventLog;
import dev.kitebridge.state.aws.AwsClients;
import dev.kitebridge.state.aws.AwsConfig;
import dev.kitebridge.state.aws.DynamoDbEventLog;
import dev.kitebridge.state.aws.DynamoDbOrganizationDataStore;
import dev.kitebridge.state.aws.DynamoDbSnapshotStore;
import dev.kitebridge.state.aws.DynamoDbSyncStore;
import dev.kitebridge.state.memory.InMemoryAccountStore;
import dev.kitebridge.state.memory.InMemoryTokenVault;
import dev.kitebridge.sync.SyncRun;
import dev.kitebridge.sync.SyncRunner;
import dev.kitebridge.sync.SyncService;
import dev.kitebridge.time.TimeSource;

/**
 * One first sync in a process of its own, as the worker function runs it: its state in DynamoDB
 * (dynalite), Buildkite the sandbox, workers of 15 minutes (Lambda's longest) one after another.
 * Then (unless {@code PROBE_SECOND} is {@code none}) a second full run, once Buildkite's budgets have
 * refilled and a day's visits moved some members' last seen (the probe prints {@link #VISITS} and waits
 * for a line on its input: the benchmark, which holds the sandbox, has made them), nothing else changed: in place ({@code in-place}, as every full run after the first
 * is), or writing a whole generation ({@code whole}, as every full run did before), with its own
 * heap peak and the snapshot items it wrote. Prints one line of results, with the heap's peak, for
 * {@code SyncBenchmark} to read.
 */
public final class SyncProbe {

    private static final Duration WORKER = Duration.ofMinutes(15);

    /** The line asking the benchmark for a day's visits before the second run. */
    public static final String VISITS = "VISITS";

    private SyncProbe() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        double scale = Double.parseDouble(env.get("PROBE_SCALE"));
        TimeSource time = TimeSource.scaled(scale);
        AwsConfig aws = AwsConfig.fromEnvironment(env).orElseThrow();
        DynamoDbClient dynamo = AwsClients.dynamoDb(aws);
        InMemoryAccountStore accounts = new InMemoryAccountStore();
        InMemoryTokenVault tokens = new InMemoryTokenVault();
        accounts.create(new IntegratedAccount("bench-account", "bench", "sandbox", IntegratedAccount.Status.ACTIVE, List.of(), List.of(),
                null, Instant.now(), "user:bench", null, 0));
        tokens.put("bench-account", BuildkiteToken.of(env.get("PROBE_BUILDKITE_TOKEN")));
        BuildkiteAccess access = new BuildkiteAccess(accounts, tokens, new InMemoryRateLimitGovernor(),
                new BuildkiteAccess.Endpoints(URI.create(env.get("PROBE_REST_URL")), URI.create(env.get("PROBE_GRAPHQL_URL"))), time);
        // Reading ends where comparing begins: the first save of a run in DIFF, which this store notes (second run).
        AtomicLong diffNanos = new AtomicLong();
        DynamoDbSyncStore dynamoSyncs = new DynamoDbSyncStore(dynamo, aws.table());
        dev.kitebridge.sync.SyncStore syncs = new dev.kitebridge.sync.SyncStore() {
            @Override public List<dev.kitebridge.sync.AccountSync> accounts() { return dynamoSyncs.accounts(); }
            @Override public java.util.Optional<dev.kitebridge.sync.AccountSync> account(String id) { return dynamoSyncs.account(id); }
            @Override public boolean createAccount(dev.kitebridge.sync.AccountSync state) { return dynamoSyncs.createAccount(state); }
            @Override public java.util.Optional<dev.kitebridge.sync.AccountSync> replaceAccount(dev.kitebridge.sync.AccountSync changed) {
                return dynamoSyncs.replaceAccount(changed);
            }
            @Override public void deleteAccount(String id) { dynamoSyncs.deleteAccount(id); }
            @Override public void createRun(SyncRun run) { dynamoSyncs.createRun(run); }
            @Override public java.util.Optional<SyncRun> run(String id) { return dynamoSyncs.run(id); }
            @Override public java.util.Optional<SyncRun> replaceRun(SyncRun changed) {
                if (changed.phase() == SyncRun.Phase.DIFF) {
                    diffNanos.compareAndSet(0, System.nanoTime());
                }
                return dynamoSyncs.replaceRun(changed);
            }
            @Override public List<SyncRun> runs(String id, long beforeOrdinal, int limit) { return dynamoSyncs.runs(id, beforeOrdinal, limit); }
        };
        CountingSnapshots snapshots = new CountingSnapshots(new DynamoDbSnapshotStore(dynamo, aws.table(), time));
        // Reading ends where comparing begins: at the first event written, which this log notes.
        AtomicLong firstEventNanos = new AtomicLong();
        DynamoDbEventLog dynamoLog = new DynamoDbEventLog(dynamo, aws.table());
        EventLog log = new EventLog() {
            @Override
            public void put(String accountId, List<ChangeEvent> events) {
                firstEventNanos.compareAndSet(0, System.nanoTime());
                dynamoLog.put(accountId, events);
            }

            @Override
            public void delete(String accountId, List<String> positions) {
                dynamoLog.delete(accountId, positions);
            }

            @Override
            public List<ChangeEvent> list(String accountId, String afterPosition, String beforePosition, int limit) {
                return dynamoLog.list(accountId, afterPosition, beforePosition, limit);
            }
        };
        // As the deployed worker: the run keeps what it published as the directory's data (in its CLEAN).
        OrganizationReader reader = new OrganizationReader(access, OrganizationReader.laneThreads());
        OrganizationDataService directory = new OrganizationDataService(new DynamoDbOrganizationDataStore(dynamo, aws.table(), time),
                new OrganizationDataBuilder(reader), access);
        SyncRunner runner = new SyncRunner(access, reader, directory, syncs, snapshots, log, time, 0.2);
        SyncService service = new SyncService(accounts, syncs, (runId, delay) -> { }, new EventFeed(log, syncs),
                new dev.kitebridge.state.memory.InMemoryCursorStore(), time);

        String runId = service.start("bench", "bench-account", "benchmark").run().id();
        long startedNanos = System.nanoTime();
        int workers = work(runner, runId, time);
        long endedNanos = System.nanoTime();
        // Reading is paced by Buildkite's budgets, on the scaled clock; the phases after it touch only
        // DynamoDB, so their real time is what they take in AWS too, unscaled.
        double readSeconds = (firstEventNanos.get() - startedNanos) / 1e9 * scale;
        double afterReadRealSeconds = (endedNanos - firstEventNanos.get()) / 1e9;
        SyncRun run = syncs.run(runId).orElseThrow();
        long heapPeak = heapPeak();
        long events = run.counts().events().values().stream().mapToLong(Long::longValue).sum();
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "RESULT status=%s read_seconds=%.1f after_read_real_seconds=%.1f"
                        + " workers=%d events=%d users=%d groups=%d memberships=%d buildkite_calls=%d rate_limited=%d heap_peak_mb=%.1f"
                        + " max_heap_mb=%.0f items_written=%d",
                run.status(), readSeconds, afterReadRealSeconds, workers, events,
                run.counts().users(), run.counts().groups(), run.counts().memberships(), run.counts().buildkiteCalls(),
                run.counts().rateLimited(), heapPeak / 1048576.0, Runtime.getRuntime().maxMemory() / 1048576.0, snapshots.written()));
        boolean ok = run.status() == SyncRun.Status.COMPLETED;
        String second = env.getOrDefault("PROBE_SECOND", "in-place");
        if (ok && !second.equals("none")) {
            // Buildkite's budgets refill (GraphQL's window is 5 minutes), as between two scheduled runs.
            time.sleep(Duration.ofMinutes(5));
            System.out.println(VISITS);
            System.out.flush();
            if (new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8)).readLine() == null) {
                throw new IllegalStateException("the benchmark went away before the day's visits");
            }
            long generation = syncs.account("bench-account").orElseThrow().currentGeneration();
            long baseItems = snapshots.count("bench-account", generation);
            System.gc();
            ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
            snapshots.clear();
            diffNanos.set(0);
            dev.kitebridge.bench.fleet.CapacityMeter.GLOBAL.reset();
            String secondId = service.start("bench", "bench-account", "benchmark").run().id();
            if (second.equals("whole")) {
                syncs.replaceRun(syncs.run(secondId).orElseThrow().inGenerationMode()).orElseThrow();
            }
            long secondStarted = System.nanoTime();
            int secondWorkers = work(runner, secondId, time);
            long secondEnded = System.nanoTime();
            SyncRun again = syncs.run(secondId).orElseThrow();
            long secondEvents = again.counts().events().values().stream().mapToLong(Long::longValue).sum();
            line.append(String.format(Locale.ROOT, " second_mode=%s second_status=%s second_read_seconds=%.1f"
                            + " second_after_read_real_seconds=%.1f second_workers=%d second_events=%d second_buildkite_calls=%d"
                            + " second_heap_peak_mb=%.1f base_items=%d second_written_base=%d second_written_own=%d second_markers=%d"
                            + " second_looked_up=%d",
                    again.inPlace() ? "in-place" : "whole", again.status(), (diffNanos.get() - secondStarted) / 1e9 * scale,
                    (secondEnded - diffNanos.get()) / 1e9, secondWorkers, secondEvents, again.counts().buildkiteCalls(),
                    heapPeak() / 1048576.0, baseItems, snapshots.written(generation), snapshots.written(again.generation()),
                    snapshots.markers(), snapshots.lookedUp()));
            dev.kitebridge.bench.fleet.CapacityMeter meter = dev.kitebridge.bench.fleet.CapacityMeter.GLOBAL;
            System.out.printf(Locale.ROOT, "second run's DynamoDB: %.1f RCU, %.1f WCU (%.1f computed), %d calls %s; units by operation and item: %s%n",
                    meter.readUnits(), meter.writeUnits(), meter.computedUnits(), meter.calls("DynamoDb"), meter.calls(), meter.unitsByItem());
            ok = again.status() == SyncRun.Status.COMPLETED;
        }
        System.out.println(line);
        System.exit(ok ? 0 : 1);
    }

    private static int work(SyncRunner runner, String runId, TimeSource time) throws InterruptedException {
        int workers = 0;
        while (true) {
            workers++;
            SyncRunner.Outcome outcome = runner.work(runId, "worker-" + workers, time.now().plus(WORKER));
            if (outcome.kind() == SyncRunner.Outcome.Kind.DONE) {
                return workers;
            }
            if (outcome.kind() == SyncRunner.Outcome.Kind.LATER && outcome.at().isAfter(time.now())) {
                time.sleep(Duration.between(time.now(), outcome.at()));
            }
        }
    }

    private static long heapPeak() {
        long heapPeak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heapPeak += pool.getPeakUsage().getUsed();
            }
        }
        return heapPeak;
    }

    /** The snapshot store, counting the items written (put or deleted) by generation, the markers among them, and the keys looked up. */
    private static final class CountingSnapshots implements dev.kitebridge.sync.SnapshotStore {
        private final dev.kitebridge.sync.SnapshotStore store;
        private final Map<Long, AtomicLong> written = new java.util.concurrent.ConcurrentHashMap<>();
        private final AtomicLong markers = new AtomicLong();
        private final AtomicLong lookedUp = new AtomicLong();

        CountingSnapshots(dev.kitebridge.sync.SnapshotStore store) {
            this.store = store;
        }

        void clear() {
            written.clear();
            markers.set(0);
            lookedUp.set(0);
        }

        long written() {
            return written.values().stream().mapToLong(AtomicLong::get).sum();
        }

        long written(long generation) {
            return written.getOrDefault(generation, new AtomicLong()).get();
        }

        long markers() {
            return markers.get();
        }

        long lookedUp() {
            return lookedUp.get();
        }

        long count(String accountId, long generation) {
            long count = 0;
            String after = null;
            while (true) {
                List<Item> page = store.list(accountId, generation, after, 1000);
                count += page.size();
                if (page.size() < 1000) {
                    return count;
                }
                after = page.get(page.size() - 1).key();
            }
        }

        @Override
        public void put(String accountId, long generation, List<Item> items, Instant expiresAt) {
            written.computeIfAbsent(generation, g -> new AtomicLong()).addAndGet(items.size());
            markers.addAndGet(items.stream().filter(i -> i.key().startsWith("~")).count());
            store.put(accountId, generation, items, expiresAt);
        }

        @Override
        public List<Item> list(String accountId, long generation, String afterKey, int limit) {
            return store.list(accountId, generation, afterKey, limit);
        }

        @Override
        public List<Item> list(String accountId, long generation, String afterKey, String beforeKey, int limit) {
            return store.list(accountId, generation, afterKey, beforeKey, limit);
        }

        @Override
        public List<Item> listSettled(String accountId, long generation, String afterKey, String beforeKey, Instant writtenBefore, int limit) {
            return store.listSettled(accountId, generation, afterKey, beforeKey, writtenBefore, limit);
        }

        @Override
        public List<Item> get(String accountId, long generation, java.util.Collection<String> keys) {
            lookedUp.addAndGet(keys.size());
            return store.get(accountId, generation, keys);
        }

        @Override
        public void delete(String accountId, long generation, List<String> keys) {
            written.computeIfAbsent(generation, g -> new AtomicLong()).addAndGet(keys.size());
            store.delete(accountId, generation, keys);
        }
    }
}
