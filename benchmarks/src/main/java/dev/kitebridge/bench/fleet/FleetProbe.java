package dev.kitebridge.bench.fleet;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import dev.kitebridge.access.IntegratedAccount;
import dev.kitebridge.app.Application;
import dev.kitebridge.app.SyncState;
import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.events.EventFeed;
import dev.kitebridge.events.EventLog;
import dev.kitebridge.functions.Dependencies;
import dev.kitebridge.functions.sync.SyncScheduleHandler;
import dev.kitebridge.functions.sync.SyncWorkerHandler;
import dev.kitebridge.functions.webhooks.WebhookDeliveryHandler;
import dev.kitebridge.state.aws.AwsClients;
import dev.kitebridge.state.aws.AwsConfig;
import dev.kitebridge.state.aws.DynamoDbDeadLetterStore;
import dev.kitebridge.state.aws.DynamoDbEventLog;
import dev.kitebridge.state.aws.DynamoDbOrganizationDataStore;
import dev.kitebridge.state.aws.DynamoDbRateLimitGovernor;
import dev.kitebridge.state.aws.DynamoDbSnapshotStore;
import dev.kitebridge.state.aws.DynamoDbSyncStore;
import dev.kitebridge.state.aws.DynamoDbWebhookStore;
import dev.kitebridge.state.aws.SecretsManagerTokenVault;
import dev.kitebridge.sync.AccountSync;
import dev.kitebridge.sync.SyncQueue;
import dev.kitebridge.sync.SyncRun;
import dev.kitebridge.sync.SyncWork;
import dev.kitebridge.time.TimeSource;
import dev.kitebridge.webhooks.WebhooksService;

/**
 * One integrated account's Kitebridge in a process of its own, as deployed: the wiring is
 * {@link Dependencies#fromEnvironment}'s (state in DynamoDB on dynalite, tokens in Secrets Manager on
 * moto, the DynamoDB rate-limit governor), on Buildkite's scaled clock where the deployed wiring takes
 * the system clock; the functions are the deployed handlers ({@link SyncScheduleHandler},
 * {@link SyncWorkerHandler}, {@link WebhookDeliveryHandler}), each invoked as Lambda would, with its
 * template's timeout. Every SDK client of the process is metered by {@link CapacityMeter#GLOBAL}
 * (registered on this process's classpath by {@code FleetBenchmark}).
 *
 * <p>Two stand-ins, both on the scaled clock: the sync queue (SQS's delays are real seconds, so the
 * queue is a delayed queue here; each message counts as SQS's three requests: send, receive, delete),
 * and Lambda's SQS poller, which hands the worker one message at a time, when it is due.
 *
 * <p>Reads commands on stdin, one a line, and answers each with one {@code RESULT} line:
 * {@code LINK} (the account, with the organization {@code PROBE_ORGANIZATION} names, and its secret;
 * not metered), {@code PASS FULL_SYNC} (a full run started through the sync service, as a tick
 * starts one when it is due, and the worker's invocations until it ends, in a new container),
 * {@code PASS TICK} (one tick of the sync schedule, {@link SyncScheduleHandler}, and the worker's
 * invocations on whatever it started: a full run or a pass of changes), {@code PASS WEBHOOK_TICK} (one
 * delivery tick), {@code IDLE seconds} (Buildkite's time jumping on, as the benchmark's own clock
 * does: {@link FleetClock}), {@code QUIT}.
 *
 * <p>A handler's billed time: its real time, plus its waits for Buildkite's budgets stretched to
 * Buildkite's clock: real + (scale - 1) x the longest any one of its threads slept on the clock (the
 * REST and GraphQL lanes wait in parallel; the one that waited longest sets the run's pace). So
 * DynamoDB and the sandbox count at their real (loopback) latency, budgets at Buildkite's time.
 */
public final class FleetProbe {

    static final String ACCOUNT = "fleet-account";
    static final String TENANT = "fleet";

    private final WaitingClock time;
    private final FleetClock clock;
    private final double scale;
    private final DelayedQueue queue;
    private final DynamoDbSyncStore syncs;
    private final SyncState sync;
    private Application app;
    private final Application.Wiring deployed;
    private final SecretsManagerTokenVault tokens;
    private final int workerTimeoutSeconds;
    private final int tickTimeoutSeconds;
    private final int tickMemoryMb;
    private final int webhookTimeoutSeconds;

    private FleetProbe(Map<String, String> env) {
        scale = Double.parseDouble(env.get("PROBE_SCALE"));
        clock = FleetClock.fromHandOver(env.get("PROBE_CLOCK"), scale);
        time = new WaitingClock(clock);
        workerTimeoutSeconds = Integer.parseInt(env.get("PROBE_WORKER_TIMEOUT"));
        tickTimeoutSeconds = Integer.parseInt(env.get("PROBE_SCHEDULE_TIMEOUT"));
        tickMemoryMb = Integer.parseInt(env.get("PROBE_SCHEDULE_MEMORY"));
        webhookTimeoutSeconds = Integer.parseInt(env.get("PROBE_WEBHOOK_TIMEOUT"));
        queue = new DelayedQueue(time);
        AwsConfig aws = AwsConfig.fromEnvironment(env).orElseThrow();
        DynamoDbClient dynamo = AwsClients.dynamoDb(aws);
        String table = aws.table();
        deployed = Dependencies.fromEnvironment(env);
        tokens = new SecretsManagerTokenVault(AwsClients.secretsManager(aws), aws.secretPrefix(), time);
        syncs = new DynamoDbSyncStore(dynamo, table);
        EventLog log = new DynamoDbEventLog(dynamo, table);
        sync = new SyncState(syncs, new DynamoDbSnapshotStore(dynamo, table, time), log, queue, new DynamoDbWebhookStore(dynamo, table),
                new DynamoDbDeadLetterStore(dynamo, table), deployed.sync().maxDeletionShare(), deployed.sync().webhookTargets(),
                deployed.sync().cadence());
        governor = new DynamoDbRateLimitGovernor(dynamo, table, time);
        organizationData = new DynamoDbOrganizationDataStore(dynamo, table, time);
        app = container();
    }

    private final DynamoDbRateLimitGovernor governor;
    private final DynamoDbOrganizationDataStore organizationData;

    /**
     * A Lambda container's application: the deployed wiring with Buildkite's clock where it takes the
     * system's (budgets, the token cache, kept data). A run an hour after the last finds a new container
     * (or a SnapStart restore, which forgets tokens): nothing cached carries over.
     */
    private Application container() {
        tokens.forgetAll();
        return Application.create(deployed.toBuilder()
                .time(time)
                .tokens(tokens)
                .governor(governor)
                .organizationData(organizationData)
                .sync(sync)
                .build());
    }

    public static void main(String[] args) throws Exception {
        // The schedule's and the delivery ticks list every account's sync state in one Query (DynamoDbSyncStore): this
        // account's share of the fleet's listing, not a listing of its own (see CapacityMeter#fleetWide).
        CapacityMeter.GLOBAL.fleetWide("SYNCACCOUNTS");
        FleetProbe probe = new FleetProbe(System.getenv());
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = commands.readLine()) != null) {
            String[] words = line.trim().split(" ");
            switch (words[0]) {
                case "LINK" -> probe.link(System.getenv("PROBE_BUILDKITE_TOKEN"), System.getenv("PROBE_ORGANIZATION"));
                case "PASS" -> probe.pass(words[1]);
                case "SUBSCRIBE" -> probe.subscribe(words[1]);
                case "IDLE" -> {
                    probe.clock.jump(Duration.ofSeconds(Long.parseLong(words[1])));
                    System.out.println("RESULT idle=" + words[1]);
                }
                case "QUIT" -> {
                    System.out.println("RESULT bye=1");
                    System.out.flush();
                    System.exit(0);
                }
                default -> throw new IllegalArgumentException(line);
            }
            System.out.flush();
        }
    }

    /**
     * The tenant's subscription to every event of the account, as {@code POST /webhooks} makes it: from the account's
     * events published after it (a new subscription does not get the history).
     */
    private void subscribe(String receiver) {
        new WebhooksService(sync.webhooks(), sync.deadLetters(), deployed.accounts(), new EventFeed(sync.events(), syncs),
                sync.webhookTargets(), time).subscribe(TENANT, receiver, ChangeEvent.TYPES, ACCOUNT);
        System.out.println("RESULT subscribed=1");
    }

    /** Links the account (its item, its token's secret, its sync state), as a connect page's link does. */
    private void link(String token, String organization) {
        // The organization the token reaches, as linking finds it (REST's id, slug, name): what the schedule polls.
        String[] org = organization.split(" ", 3);
        deployed.accounts().create(new IntegratedAccount(ACCOUNT, TENANT, "sandbox", IntegratedAccount.Status.ACTIVE, List.of(),
                List.of(new IntegratedAccount.OrganizationRef(org[0], org[1], org[2])), null, time.now(), "user:fleet", null, 0));
        tokens.put(ACCOUNT, BuildkiteToken.of(token));
        syncs.createAccount(AccountSync.linked(ACCOUNT, TENANT));

        System.out.println("RESULT linked=1");
    }

    private void pass(String kind) throws InterruptedException {
        CapacityMeter meter = CapacityMeter.GLOBAL;
        meter.reset();
        queue.sent = 0;
        Invocations ticks = new Invocations();
        Invocations workers = new Invocations();
        Drained drained = new Drained();
        String did = "";
        if (kind.equals("FULL_SYNC")) {
            // A full run, started as the schedule's tick starts one when it is due (the tick itself is measured by TICK).
            app = container();
            app.syncService().start(TENANT, ACCOUNT, "schedule");
            drained = drain(workers);
        } else if (kind.equals("TICK")) {
            // One tick of the schedule (warm: it runs every minute), then the worker on whatever it started.
            SyncScheduleHandler schedule = new SyncScheduleHandler(app.syncSchedule());
            long started = System.nanoTime();
            long cpu = cpuNanos();
            java.time.LocalTime began = java.time.LocalTime.now();
            Map<String, Integer> tick = schedule.handleRequest(new ScheduledEvent(), context(tickTimeoutSeconds));
            double real = (System.nanoTime() - started) / 1e9;
            double cpuSeconds = (cpuNanos() - cpu) / 1e9;
            ticks.real += real;
            ticks.cpu += cpuSeconds;
            ticks.add(tickShare(real, cpuSeconds, tickMemoryMb));
            trace("tick " + began + " " + java.time.LocalTime.now() + " " + (System.nanoTime() - started) / 1e9);
            did = String.format(Locale.ROOT, " polled=%d looked=%d started_full=%d started_passes=%d", tick.get("accounts_polled"),
                    tick.get("accounts_looked_at"), tick.get("full_runs_started"), tick.get("passes_started"));
            drained = drain(workers);
        } else if (kind.equals("WEBHOOK_TICK")) {
            WebhookDeliveryHandler webhooks = new WebhookDeliveryHandler(app.webhookRounds(), time);
            long started = System.nanoTime();
            webhooks.handleRequest(new ScheduledEvent(), context(webhookTimeoutSeconds));
            ticks.add((System.nanoTime() - started) / 1e9);
        } else {
            throw new IllegalArgumentException("no such pass: " + kind);
        }
        if (!kind.equals("WEBHOOK_TICK")) {
            System.out.println("CALLS " + meter.calls());
            System.out.println("UNITS " + meter.unitsByItem());
            System.out.println("WAITS " + workers.waits);
            if (!meter.callsBySite().isEmpty()) {
                trace(kind + " calls " + meter.callsBySite());
            }
        }
        System.out.printf(Locale.ROOT, "RESULT kind=%s status=%s runs=%d rcu=%.1f wcu=%.1f computed_units=%.1f dynamodb_calls=%d secrets_calls=%d"
                        + " sqs_messages=%d tick_invocations=%d tick_seconds=%.3f worker_invocations=%d worker_seconds=%.3f worker_waited=%.3f tick_cpu=%.3f tick_real=%.3f worker_cpu=%.3f buildkite_calls=%d%s%n",
                kind, drained.status, drained.runs, meter.readUnits(), meter.writeUnits(), meter.computedUnits(), meter.calls("DynamoDb"),
                meter.calls("SecretsManager"), queue.sent, ticks.count, ticks.seconds, workers.count, workers.seconds, workers.waited, ticks.cpu, ticks.real, workers.cpu, drained.buildkiteCalls, did);
    }

    /**
     * One account's share of the fleet's tick: the schedule's invocation looks at every account,
     * {@link SyncSchedule#AT_ONCE} side by side, so an account's look adds its real time over that many
     * (its waits on DynamoDB and Buildkite overlap the others'), or its CPU time at the function's share
     * of a vCPU (Lambda gives 1,769 MB one vCPU), whichever is longer: the looks cannot overlap
     * beyond what the CPU does. README, "fleet".
     */
    static double tickShare(double realSeconds, double cpuSeconds, int memoryMb) {
        return Math.max(realSeconds / dev.kitebridge.sync.SyncSchedule.AT_ONCE, cpuSeconds * LAMBDA_MB_PER_VCPU / memoryMb);
    }

    /** Lambda's memory per vCPU: "at 1,769 MB, a function has the equivalent of one vCPU" (Lambda's guide, "Configure memory"). */
    static final double LAMBDA_MB_PER_VCPU = 1769;

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Profiling aid: with FLEET_PROBE_TRACE naming a file, each invocation's wall-clock start and end are appended to it. */
    private static void trace(String line) {
        String file = System.getenv("FLEET_PROBE_TRACE");
        if (file != null) {
            try {
                java.nio.file.Files.writeString(java.nio.file.Path.of(file), ProcessHandle.current().pid() + " " + line + "\n",
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** The runs the queue holds, each to its end: their statuses (the last run's), how many, and their Buildkite calls. */
    private static final class Drained {
        String status = "-";
        int runs;
        long buildkiteCalls;
    }

    /** Lambda's SQS poller and the worker function: one message a turn, when it is due, until the queue is empty. */
    private Drained drain(Invocations workers) throws InterruptedException {
        SyncWorkerHandler worker = new SyncWorkerHandler(app.syncRunner(), app.syncService(), app.webhookRounds(), time);
        java.util.Set<String> runIds = new java.util.LinkedHashSet<>();
        DelayedQueue.Message message;
        while ((message = queue.next()) != null) {
            runIds.add(message.runId());
            SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
            record.setMessageId("m-" + queue.sent);
            record.setBody(SyncWork.message(message.runId()));
            SQSEvent event = new SQSEvent();
            event.setRecords(List.of(record));
            time.reset();
            long start = System.nanoTime();
            long cpu = cpuNanos();
            java.time.LocalTime began = java.time.LocalTime.now();
            worker.handleRequest(event, context(workerTimeoutSeconds));
            workers.cpu += (cpuNanos() - cpu) / 1e9;
            double real = (System.nanoTime() - start) / 1e9;
            trace("worker " + began + " " + java.time.LocalTime.now() + " " + real);
            // Work counts at its real time; waiting for Buildkite's budgets on Buildkite's clock.
            workers.add(real, (scale - 1) * time.longestWaitNanos() / 1e9);
            time.waitsBySite().forEach((site, seconds) -> workers.waits.merge(site, seconds, Double::sum));
        }
        Drained drained = new Drained();
        for (String runId : runIds) {
            SyncRun run = syncs.run(runId).orElseThrow();
            drained.status = run.status().name() + (run.full() ? "" : "(pass)");
            drained.runs++;
            drained.buildkiteCalls += run.counts().buildkiteCalls();
        }
        return drained;
    }

    /** The scaled clock, noting how long each thread slept on it (in real nanoseconds) since the last reset. */
    static final class WaitingClock implements TimeSource {
        private final TimeSource clock;
        private final Map<Thread, AtomicLong> slept = new ConcurrentHashMap<>();

        WaitingClock(TimeSource clock) {
            this.clock = clock;
        }

        @Override
        public Instant now() {
            return clock.now();
        }

        @Override
        public void sleep(Duration duration) throws InterruptedException {
            long start = System.nanoTime();
            try {
                clock.sleep(duration);
            } finally {
                slept.computeIfAbsent(Thread.currentThread(), t -> new AtomicLong()).addAndGet(System.nanoTime() - start);
                sites.computeIfAbsent(site(), s -> new java.util.concurrent.atomic.DoubleAdder()).add(duration.toNanos() / 1e9);
            }
        }

        /** Who waited: the first frames outside the clocks, for the output's account of a run's waits. */
        private static String site() {
            return StackWalker.getInstance().walk(frames -> frames
                    .filter(f -> !f.getClassName().startsWith(WaitingClock.class.getName()) && !f.getClassName().endsWith("TimeSource")
                            && !f.getClassName().endsWith("FleetClock"))
                    .limit(2).map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "." + f.getMethodName())
                    .collect(java.util.stream.Collectors.joining("<")));
        }

        private final Map<String, java.util.concurrent.atomic.DoubleAdder> sites = new ConcurrentHashMap<>();

        /** Buildkite seconds waited since the last reset, by who waited. */
        Map<String, Double> waitsBySite() {
            Map<String, Double> copy = new java.util.TreeMap<>();
            sites.forEach((site, seconds) -> copy.put(site, Math.round(seconds.sum() * 1000) / 1000.0));
            return copy;
        }

        void reset() {
            slept.clear();
            sites.clear();
        }

        long longestWaitNanos() {
            return slept.values().stream().mapToLong(AtomicLong::get).max().orElse(0);
        }
    }

    private static final class Invocations {
        int count;
        double seconds;
        /** Of {@link #seconds}, what waits on Buildkite's clock added to the real time. */
        double waited;
        /**
         * The process's CPU seconds over the invocations (every thread: the handler's, the SDK's, the JIT compiler's and the
         * collector's): unlike the real time, not stretched when other processes share the machine's cores.
         */
        double cpu;
        /** The invocations' real time (for a tick, {@link #seconds} is the fleet's share of it). */
        double real;
        /** Buildkite seconds waited, by who waited. */
        final Map<String, Double> waits = new java.util.TreeMap<>();

        void add(double billed) {
            add(billed, 0);
        }

        void add(double real, double waited) {
            count++;
            seconds += real + waited;
            this.waited += waited;
        }
    }

    /** A Lambda invocation's context: its time left is the function's timeout, counted from now. */
    private static Context context(int timeoutSeconds) {
        long started = System.nanoTime();
        return new Context() {
            @Override
            public String getAwsRequestId() {
                return "fleet-" + started;
            }

            @Override
            public String getLogGroupName() {
                return "fleet";
            }

            @Override
            public String getLogStreamName() {
                return "fleet";
            }

            @Override
            public String getFunctionName() {
                return "fleet";
            }

            @Override
            public String getFunctionVersion() {
                return "live";
            }

            @Override
            public String getInvokedFunctionArn() {
                return "arn:aws:lambda:us-east-1:000000000000:function:fleet";
            }

            @Override
            public CognitoIdentity getIdentity() {
                return null;
            }

            @Override
            public ClientContext getClientContext() {
                return null;
            }

            @Override
            public int getRemainingTimeInMillis() {
                // The handler computes its deadline on Buildkite's clock from this, once, at its start.
                return (int) Math.max(0, timeoutSeconds * 1000L - (System.nanoTime() - started) / 1_000_000);
            }

            @Override
            public int getMemoryLimitInMB() {
                return 1024;
            }

            @Override
            public LambdaLogger getLogger() {
                return null;
            }
        };
    }

    /** The sync queue on Buildkite's clock: a message is taken when its delay has passed. */
    static final class DelayedQueue implements SyncQueue {

        record Message(Instant due, long order, String runId) {}

        private final TimeSource time;
        private final PriorityQueue<Message> messages = new PriorityQueue<>((a, b) -> a.due().equals(b.due())
                ? Long.compare(a.order(), b.order()) : a.due().compareTo(b.due()));
        private long order;
        long sent;

        DelayedQueue(TimeSource time) {
            this.time = time;
        }

        @Override
        public synchronized void enqueue(String runId, Duration delay) {
            sent++;
            messages.add(new Message(time.now().plus(delay), order++, runId));
        }

        /** The next message, once due (waiting for it on Buildkite's clock); null when none is left. */
        Message next() throws InterruptedException {
            Message head;
            synchronized (this) {
                head = messages.poll();
            }
            if (head != null && head.due().isAfter(time.now())) {
                time.sleep(Duration.between(time.now(), head.due()));
            }
            return head;
        }
    }
}
