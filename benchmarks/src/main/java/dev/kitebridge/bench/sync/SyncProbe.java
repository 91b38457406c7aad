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
 * Prints one line of results, with the heap's peak, for {@code SyncBenchmark} to read.
 */
public final class SyncProbe {

    private static final Duration WORKER = Duration.ofMinutes(15);

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
        DynamoDbSyncStore syncs = new DynamoDbSyncStore(dynamo, aws.table());
        DynamoDbSnapshotStore snapshots = new DynamoDbSnapshotStore(dynamo, aws.table());
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
        int workers = 0;
        while (true) {
            workers++;
            SyncRunner.Outcome outcome = runner.work(runId, "worker-" + workers, time.now().plus(WORKER));
            if (outcome.kind() == SyncRunner.Outcome.Kind.DONE) {
                break;
            }
            if (outcome.kind() == SyncRunner.Outcome.Kind.LATER && outcome.at().isAfter(time.now())) {
                time.sleep(Duration.between(time.now(), outcome.at()));
            }
        }
        long endedNanos = System.nanoTime();
        // Reading is paced by Buildkite's budgets, on the scaled clock; the phases after it touch only
        // DynamoDB, so their real time is what they take in AWS too, unscaled.
        double readSeconds = (firstEventNanos.get() - startedNanos) / 1e9 * scale;
        double afterReadRealSeconds = (endedNanos - firstEventNanos.get()) / 1e9;
        SyncRun run = syncs.run(runId).orElseThrow();
        long heapPeak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heapPeak += pool.getPeakUsage().getUsed();
            }
        }
        long events = run.counts().events().values().stream().mapToLong(Long::longValue).sum();
        System.out.printf(Locale.ROOT, "RESULT status=%s read_seconds=%.1f after_read_real_seconds=%.1f workers=%d events=%d"
                        + " users=%d groups=%d memberships=%d buildkite_calls=%d rate_limited=%d heap_peak_mb=%.1f max_heap_mb=%.0f%n",
                run.status(), readSeconds, afterReadRealSeconds, workers, events,
                run.counts().users(), run.counts().groups(), run.counts().memberships(), run.counts().buildkiteCalls(),
                run.counts().rateLimited(), heapPeak / 1048576.0, Runtime.getRuntime().maxMemory() / 1048576.0);
        System.exit(run.status() == SyncRun.Status.COMPLETED ? 0 : 1);
    }
}
