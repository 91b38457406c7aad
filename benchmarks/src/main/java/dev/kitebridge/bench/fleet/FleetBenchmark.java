package dev.kitebridge.bench.fleet;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Invitation;
import dev.kitebridge.sandbox.model.Member;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.Population;
import dev.kitebridge.sandbox.model.Team;
import dev.kitebridge.sandbox.model.TeamMember;
import dev.kitebridge.sandbox.model.World;
import dev.kitebridge.state.aws.Dynalite;
import dev.kitebridge.state.aws.MotoServer;
import dev.kitebridge.sync.SyncCadence;

/**
 * AWS cost per account-month for a fleet of accounts, from what one account of each size measures:
 * DynamoDB read and write units ({@link CapacityMeter} on every client of the worker's process), the
 * table's bytes, the handlers' billed seconds at their template's MemorySize, invocations, SQS
 * messages and Secrets Manager calls, per pass of each kind; then priced for a {@link Schedule}, once
 * for an account whose organization serves audit events and once for one whose does not. Each account
 * is simulated in steady state: linked and synced once (not counted); an hour of the schedule's
 * minute ticks on an Enterprise organization, each an audit-event poll, with a quiet hour's changes
 * (a join, a leave, two team moves) and the passes of changes they start; then the organization off
 * Enterprise: the tick's poll that finds so, full runs after the same changes, an hour of ticks (light looks) with the
 * same quiet hour's changes and the passes they start; webhook ticks.
 */
public final class FleetBenchmark {

    /** The fleet: accounts of each size, and their share. */
    public record Size(int members, int teams, double share) {}

    public static final List<Size> FLEET = List.of(new Size(50, 5, 0.70), new Size(500, 25, 0.25), new Size(10_000, 250, 0.05));
    public static final int FLEET_ACCOUNTS = 1_000;
    public static final double GOAL = 0.05;

    /**
     * The share of an organization's members Buildkite sees in a day (their "last seen" moves), by default: an
     * assumption. Buildkite is where an engineering organization's builds run; on a working day most engineers who push
     * code open a build's page (from a pull request's check) at least once, while the leavers-to-be, the occasional
     * users and the bots do not, and weekends see few: half of the members on a working day, the daily full runs'
     * common day, is neither the best case (none) nor the worst (all).
     */
    public static final double DEFAULT_SEEN_SHARE = 0.5;

    /**
     * The day's visits' own random choices, from the population's seed: the other changes choose as they did without
     * them (the sync benchmark's visits choose the same way).
     */
    public static Random visitsRandom(long populationSeed) {
        return new Random(populationSeed + 77);
    }

    private final PrintStream out;
    private final double scale;
    private final int fullPasses;
    private final int webhookTicks;
    private final double auditShare;
    private final double seenShare;
    private final boolean webhooks;
    private final DeployedTemplate template;
    private final Duration tickEvery;
    private final Prices prices = Prices.US_EAST_1;

    /**
     * @param auditShare the share of the fleet's accounts whose organizations all serve audit events
     *     (Enterprise, the token's user an admin), for the blended average; 0 and 1 are printed too
     * @param webhooks each account's tenant subscribed to every event of it (POST /webhooks), delivered to a receiver
     *     here that takes each (204): the deliveries after each run and the minute's delivery rounds are measured
     * @param seenShare the share of the organization's members seen by Buildkite in the day before each daily full
     *     run (their last seen moves: {@link #DEFAULT_SEEN_SHARE})
     */
    public FleetBenchmark(PrintStream out, double scale, int fullPasses, int webhookTicks, double auditShare, double seenShare,
                          boolean webhooks, Path template) throws IOException {
        this.seenShare = seenShare;
        this.webhooks = webhooks;
        this.out = out;
        this.scale = scale;
        this.fullPasses = fullPasses;
        this.webhookTicks = webhookTicks;
        this.auditShare = auditShare;
        this.template = DeployedTemplate.read(template);
        this.tickEvery = this.template.schedule("SyncScheduleFunction");
    }

    /** Schedule ticks in an hour (60 at rate(1 minute)). */
    private int hourTicks() {
        return (int) (3600 / tickEvery.toSeconds());
    }

    /** What one pass of a kind costs one account, averaged over the passes measured. */
    record PassFigures(double rcu, double wcu, double computedUnits, double dynamoCalls, double secretsCalls, double sqsMessages,
                       double tickInvocations, double tickSeconds, double workerInvocations, double workerSeconds,
                       double restRequests, double graphqlPoints) {

        static PassFigures average(List<Map<String, String>> results, List<long[]> buildkite) {
            int n = results.size();
            double[] sums = new double[12];
            for (int i = 0; i < n; i++) {
                Map<String, String> r = results.get(i);
                String[] keys = {"rcu", "wcu", "computed_units", "dynamodb_calls", "secrets_calls", "sqs_messages", "tick_invocations",
                        "tick_seconds", "worker_invocations", "worker_seconds"};
                for (int k = 0; k < keys.length; k++) {
                    sums[k] += Double.parseDouble(r.get(keys[k]));
                }
                sums[10] += buildkite.get(i)[0];
                sums[11] += buildkite.get(i)[1];
            }
            for (int k = 0; k < sums.length; k++) {
                sums[k] /= n;
            }
            return new PassFigures(sums[0], sums[1], sums[2], sums[3], sums[4], sums[5], sums[6], sums[7], sums[8], sums[9], sums[10], sums[11]);
        }

        /** What these figures are over {@code other}'s (a tick that started a pass over one that found nothing). */
        PassFigures minus(PassFigures other) {
            return new PassFigures(rcu - other.rcu, wcu - other.wcu, computedUnits - other.computedUnits, dynamoCalls - other.dynamoCalls,
                    secretsCalls - other.secretsCalls, sqsMessages - other.sqsMessages, tickInvocations - other.tickInvocations,
                    tickSeconds - other.tickSeconds, workerInvocations - other.workerInvocations, workerSeconds - other.workerSeconds,
                    restRequests - other.restRequests, graphqlPoints - other.graphqlPoints);
        }

        PassFigures plus(PassFigures other) {
            return minus(other.times(-1));
        }

        /** The figures of {@code n} such passes together (an hour of ticks from their average). */
        PassFigures times(double n) {
            return new PassFigures(rcu * n, wcu * n, computedUnits * n, dynamoCalls * n, secretsCalls * n, sqsMessages * n, tickInvocations * n,
                    tickSeconds * n, workerInvocations * n, workerSeconds * n, restRequests * n, graphqlPoints * n);
        }
    }

    /** One account size's measurements; {@code changes}: what its hours of ticks (AUDIT_HOUR, LOOK_HOUR) say of a pass of changes. */
    record Measured(Size size, Map<Schedule.Pass, PassFigures> passes, long baseBytes, Map<Schedule.Pass, Double> retainedBytesPerPass,
                    RateLimits limits, Map<Schedule.Pass, Double> scratchBytesPerPass, Map<Schedule.Pass, Changes> changes) {

        /**
         * The same account with its hours' passes of changes at {@code rate} changes an account-hour, not the measured
         * hour's: their units and seconds, and the bytes they keep (events, runs, scratch: all of the hour's are its passes').
         */
        Measured atRate(double rate) {
            Map<Schedule.Pass, PassFigures> figures = new LinkedHashMap<>(passes);
            Map<Schedule.Pass, Double> retained = new LinkedHashMap<>(retainedBytesPerPass);
            Map<Schedule.Pass, Double> scratch = new LinkedHashMap<>(scratchBytesPerPass);
            changes.forEach((pass, c) -> {
                double ratio = c.passesAt(rate) / c.passes();
                figures.put(pass, passes.get(pass).plus(c.perPass().times(c.passesAt(rate) - c.passes())));
                retained.computeIfPresent(pass, (k, bytes) -> bytes * ratio);
                scratch.computeIfPresent(pass, (k, bytes) -> bytes * ratio);
            });
            return new Measured(size, figures, baseBytes, retained, limits, scratch, changes);
        }
    }

    /**
     * How long a run's scratch (the items a pass or a run in place writes into its own generation, with
     * {@code expires_at}) is billed: its lifetime, and the 48 hours DynamoDB documents that TTL may take
     * to delete an expired item. dynalite never deletes it: the scan at the end finds every pass's, and
     * the storage counts each pass's for this long, as it counts events and runs for their 30 days.
     */
    static final Duration SCRATCH_BILLED = dev.kitebridge.sync.SyncRun.SCRATCH_LIFETIME.plus(Duration.ofHours(48));

    /**
     * What a pass of changes adds to an hour of ticks: the tick that started it and the worker's invocations on it, less
     * a tick of the same kind that found nothing (a poll, or a light look), averaged over the hour's passes; and how many
     * ticks of the hour could start one (its polls, or its looks).
     *
     * @param passes the passes of changes the measured hour started
     */
    record Changes(PassFigures perPass, int passes, int slots) {

        /**
         * Passes of changes an hour at {@code rate} changes an account-hour, changes coming at random (Poisson): a slot
         * (a poll or look) starts one where at least one change came since the last.
         */
        double passesAt(double rate) {
            return slots * (1 - Math.exp(-rate / slots));
        }
    }

    public void run(boolean small) throws Exception {
        Schedule withAudit = Schedule.withAudit(template);
        Schedule withoutAudit = Schedule.withoutAudit(template, SyncCadence.DEFAULT.auditRecheck());
        out.printf(Locale.ROOT, "== fleet: AWS cost per account-month, %d accounts (%s), clock x%.0f ==%n", FLEET_ACCOUNTS,
                "70% of 50 members, 25% of 500, 5% of 10,000", scale);
        out.printf(Locale.ROOT, "a day's visits: %.0f%% of an organization's members seen by Buildkite (their last seen moves) in the day"
                + " before each daily full run (--seen-share; %.0f%% by default, an assumption: a working day's active engineers)%n",
                seenShare * 100, DEFAULT_SEEN_SHARE * 100);
        out.printf(Locale.ROOT, "template %s: SyncScheduleFunction %d MB, SyncWorkerFunction %d MB (timeout %d s),"
                        + " WebhookDeliveryFunction %d MB; sync schedule %s; full run %s with audit events (SyncFullRun), %s without"
                        + " (SyncFullRunWithoutAudit); audit poll %s (SyncAuditPoll)%n", template.path(),
                template.memoryMb("SyncScheduleFunction"), template.memoryMb("SyncWorkerFunction"), template.timeoutSeconds("SyncWorkerFunction"),
                template.memoryMb("WebhookDeliveryFunction"), template.scheduleText("SyncScheduleFunction"),
                template.parameterDefaults().get("SyncFullRun"), template.parameterDefaults().get("SyncFullRunWithoutAudit"),
                template.parameterDefaults().get("SyncAuditPoll"));
        List<Measured> measured = new ArrayList<>();
        for (Size size : FLEET) {
            if (small && size.members() > 500) {
                continue;
            }
            measured.add(measure(size));
        }
        printPrices();
        printFormula();
        double with = printSchedule(withAudit, measured, small);
        double without = printSchedule(withoutAudit, measured, small);
        out.printf(Locale.ROOT, "%nBLENDED per account-month, by the share of accounts with audit events (every organization on Enterprise,"
                + " the token's user an admin; an assumption, --audit-share):%n");
        java.util.SortedSet<Double> shares = new java.util.TreeSet<>(List.of(0.0, auditShare, 1.0));
        for (double share : shares) {
            double blended = share * with + (1 - share) * without;
            out.printf(Locale.ROOT, "  %3.0f%% with audit events: %.2f x $%.4f + %.2f x $%.4f = $%.4f  (goal $%.2f: %s); with the account's"
                            + " secret ($%.2f): $%.4f%s%n", share * 100, share, with, 1 - share, without, blended, GOAL, blended < GOAL ? "met" : "NOT met",
                    prices.secretPerMonth(), blended + prices.secretPerMonth(), share == auditShare ? "  <- --audit-share" : "");
        }
    }

    /** A webhook receiver on loopback that takes every delivery (204), in this process: not the probe's CPU. */
    private record Receiver(com.sun.net.httpserver.HttpServer server, java.util.concurrent.atomic.AtomicLong taken) {

        static Receiver start() throws IOException {
            var server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
            var taken = new java.util.concurrent.atomic.AtomicLong();
            server.createContext("/hook", exchange -> {
                exchange.getRequestBody().readAllBytes();
                taken.incrementAndGet();
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            server.start();
            return new Receiver(server, taken);
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        }
    }

    /** Quiet polls before the warm-up hour, so that the poll's code is compiled as in the schedule's busy container. */
    private static final int WARM_UP_POLLS = 540;

    /** The warm-up hour's round of changes (its joiner's address): apart from the measured hours' rounds. */
    private static final int WARM_UP_ROUND = 99;

    private Measured measure(Size size) throws Exception {
        Population population = Population.of(size.members(), size.teams()).withEnterprise(1);
        FleetClock clock = FleetClock.start(scale);
        try (Sandbox sandbox = Sandbox.builder().population(population).limits(RateLimits.BUILDKITE).clock(clock::now).start()) {
            out.printf(Locale.ROOT, "%n-- %,d members, %d teams (seed %d): linked and synced once; a warm-up hour (not counted), an hour of %d ticks with audit events;"
                            + " then without: the poll that finds so, %d full passes, an hour of %d ticks (light looks); %d webhook ticks; %s --%n",
                    size.members(), size.teams(), population.seed(), hourTicks(), fullPasses, hourTicks(), webhookTicks,
                    webhooks ? "one webhook subscription (every event type) to a receiver that takes each" : "no webhook subscription (--no-webhooks)");
            Dynalite.Table table = Dynalite.get().newTable();
            Path interceptors = Files.createTempDirectory("kitebridge-fleet-meter");
            Path registration = interceptors.resolve("software/amazon/awssdk/global/handlers/execution.interceptors");
            Files.createDirectories(registration.getParent());
            Files.writeString(registration, CapacityMeter.Global.class.getName() + "\n");
            String secretPrefix = MotoServer.get().newSecretPrefix();
            World world = sandbox.world();
            Organization org = world.organizations().get(0);
            Map<String, String> env = new HashMap<>(Map.of("PROBE_SCALE", Double.toString(scale), "PROBE_BUILDKITE_TOKEN", sandbox.token(),
                    "KITEBRIDGE_BUILDKITE_REST_URL", sandbox.restUrl(), "KITEBRIDGE_BUILDKITE_GRAPHQL_URL", sandbox.graphqlUrl(),
                    "KITEBRIDGE_TABLE", table.name(), "AWS_REGION", table.config().region(),
                    "KITEBRIDGE_DYNAMODB_ENDPOINT", table.config().dynamoDbEndpoint().toString(),
                    "KITEBRIDGE_SECRETSMANAGER_ENDPOINT", MotoServer.get().endpoint().toString(),
                    "KITEBRIDGE_SECRET_PREFIX", secretPrefix));
            env.put("PROBE_WORKER_TIMEOUT", Integer.toString(template.timeoutSeconds("SyncWorkerFunction")));
            env.put("PROBE_SCHEDULE_TIMEOUT", Integer.toString(template.timeoutSeconds("SyncScheduleFunction")));
            env.put("PROBE_SCHEDULE_MEMORY", Integer.toString(template.memoryMb("SyncScheduleFunction")));
            env.put("PROBE_WEBHOOK_TIMEOUT", Integer.toString(template.timeoutSeconds("WebhookDeliveryFunction")));
            env.put("PROBE_ORGANIZATION", org.uuid() + " " + org.slug() + " " + org.name());
            Receiver receiver = webhooks ? Receiver.start() : null;
            if (receiver != null) {
                env.put(dev.kitebridge.webhooks.WebhookTargets.ALLOW_PRIVATE_VARIABLE, "true"); // the receiver is on loopback
            }
            // The deployed cadences, as the template passes them to the schedule function.
            env.put("KITEBRIDGE_SYNC_FULL_RUN", template.parameterDefaults().get("SyncFullRun"));
            env.put("KITEBRIDGE_SYNC_FULL_RUN_WITHOUT_AUDIT", template.parameterDefaults().get("SyncFullRunWithoutAudit"));
            env.put("KITEBRIDGE_SYNC_AUDIT_POLL", template.parameterDefaults().get("SyncAuditPoll"));
            // The JVM as Lambda's Java runtimes start it (C1 only, as ColdStartBenchmark), with the collector the JVM picks for a
            // function under 1,792 MB (not a "server-class machine": the serial one); the compiler's and collector's threads are
            // in the CPU seconds counted, and C2 and G1 had doubled them.
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                    "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                    "-cp", System.getProperty("java.class.path") + java.io.File.pathSeparator + interceptors, FleetProbe.class.getName());
            builder.environment().putAll(env);
            builder.redirectError(ProcessBuilder.Redirect.DISCARD);
            builder.environment().put("PROBE_CLOCK", clock.handOver());
            Process process = builder.start();
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                 Writer commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8)) {
                Probe probe = new Probe(lines, commands, clock);
                probe.send("LINK");
                Map<String, String> first = probe.send("PASS FULL_SYNC");
                out.printf(Locale.ROOT, "first sync (not counted): %s, %s Buildkite calls, %.0f s billed over %s worker invocations%n",
                        first.get("status"), first.get("buildkite_calls"), Double.parseDouble(first.get("worker_seconds")),
                        first.get("worker_invocations"));
                if (receiver != null) {
                    probe.send("SUBSCRIBE " + receiver.url()); // after the first sync: a subscription gets what is published after it
                }
                Random random = new Random(population.seed());
                String admin = sandbox.owner().uuid();
                Map<Schedule.Pass, PassFigures> passes = new LinkedHashMap<>();
                Map<Schedule.Pass, Double> retainedPerPass = new LinkedHashMap<>();
                Map<Schedule.Pass, Double> scratchPerPass = new LinkedHashMap<>();
                Map<Schedule.Pass, Changes> changes = new LinkedHashMap<>();

                // With audit events: an hour of ticks, each a poll; a quiet hour's changes, spread over it, start passes of changes.
                probe.idle(330);
                probe.send("PASS TICK"); // its first, with classes to load, not counted (a minute's tick finds its container warm)
                // A fleet's containers are warm: the schedule's polls all 1,000 accounts a minute, and one worker container runs
                // passes of many accounts. This JVM has run one full sync; its first hour of polls and passes still loads
                // and compiles their code (a pass of 80 DynamoDB calls took 1.3-2.3 s there, 0.2-0.5 s an hour later).
                // So an hour like the measured one runs first, not counted; its figures are printed (README, "fleet").
                // Its own random choices: the measured hours choose as they did before it was added. Before it, quiet polls:
                // a poll's code runs once a tick here, and is compiled only after hundreds (16 ms of CPU a poll over the
                // first 60, 4 ms from the 540th on), where the schedule's container runs it 1,000 times a minute.
                long warmUpStarted = System.nanoTime();
                for (int tick = 0; tick < WARM_UP_POLLS; tick++) {
                    probe.idle(tickEvery.toSeconds());
                    probe.send("PASS TICK");
                }
                out.printf(Locale.ROOT, "warm-up polls (not counted): %d quiet ticks in %.1f s%n", WARM_UP_POLLS, (System.nanoTime() - warmUpStarted) / 1e9);
                Hour warmUp = hour(probe, sandbox, table, world, org, admin, new Random(population.seed() + WARM_UP_ROUND), WARM_UP_ROUND);
                out.printf(Locale.ROOT, "warm-up hour (not counted: this JVM's first hour of polls and passes): ticks %.3f s billed (real %.3f s, CPU %.3f s);"
                                + " %.0f worker invocations, %.3f s billed (%.3f s CPU)%n", warmUp.figures().tickSeconds(), warmUp.tickReal(), warmUp.tickCpu(),
                        warmUp.figures().workerInvocations(), warmUp.figures().workerSeconds(), warmUp.workerCpu());
                long scratchBefore = scratchBytes(table);
                Hour auditHour = hour(probe, sandbox, table, world, org, admin, random, 0);
                scratchPerPass.put(Schedule.Pass.AUDIT_HOUR, (double) (scratchBytes(table) - scratchBefore));
                passes.put(Schedule.Pass.AUDIT_HOUR, auditHour.figures());
                retainedPerPass.put(Schedule.Pass.AUDIT_HOUR, auditHour.retainedBytes());
                auditHour.print(out, "audit hour", "a quiet poll");
                if (auditHour.changes() != null) {
                    changes.put(Schedule.Pass.AUDIT_HOUR, auditHour.changes());
                }

                // Without audit events: the organization leaves Enterprise; the next poll finds so and remembers it.
                world.setEnterprise(org.uuid(), false);
                probe.idle(tickEvery.toSeconds());
                long[] before = buildkite(sandbox);
                Map<String, String> noAudit = probe.send("PASS TICK");
                long[] after = buildkite(sandbox);
                check(noAudit, "1", "0", "0", "the poll that finds no audit events");
                passes.put(Schedule.Pass.NO_AUDIT_POLL, PassFigures.average(List.of(noAudit), List.of(new long[] {after[0] - before[0],
                        after[1] - before[1]})));
                out.printf(Locale.ROOT, "poll without audit events (once a day): %s RCU, %s WCU, %s DynamoDB calls, tick %s s (real %s s, CPU %s s);"
                                + " Buildkite %d REST, %,d points; units %s%n", noAudit.get("rcu"), noAudit.get("wcu"), noAudit.get("dynamodb_calls"),
                        noAudit.get("tick_seconds"), noAudit.get("tick_real"), noAudit.get("tick_cpu"), after[0] - before[0], after[1] - before[1], probe.lastUnits);

                long retainedAfterHour = retainedBytes(table);
                long scratchAfterHour = scratchBytes(table);
                List<Map<String, String>> fulls = new ArrayList<>();
                List<long[]> fullBuildkite = new ArrayList<>();
                Random seenRandom = visitsRandom(population.seed());
                for (int pass = 0; pass < fullPasses; pass++) {
                    for (int step = 0; step < 4; step++) {
                        changeStep(world, org, admin, random, pass + 1, step);
                    }
                    // The day between two daily runs (less the hour of looks): budgets refill, the token cache lapses, and the
                    // directory's kept data from the last run is a day old, as a daily run finds it (its superseded write is
                    // then left to expire, not deleted: see DynamoDbOrganizationDataStore).
                    probe.idle(Duration.ofHours(23).toSeconds());
                    // The day's visits: last seen moves for those seen (compared for no event, but part of what a run keeps).
                    int seen = world.membersSeen(org.uuid(), seenShare, seenRandom).size();
                    before = buildkite(sandbox);
                    Map<String, String> result = probe.send("PASS FULL_SYNC");
                    after = buildkite(sandbox);
                    fulls.add(result);
                    fullBuildkite.add(new long[] {after[0] - before[0], after[1] - before[1]});
                    out.printf(Locale.ROOT, "full pass %d (after a day's visits: %,d members seen): %s; %s RCU, %s WCU (%s computed), %s DynamoDB calls; %s worker invocations,"
                                    + " %s s billed (%s s CPU; %s s of it waits for budgets: %s); %s SQS messages, %s Secrets Manager calls; Buildkite %d REST,"
                                    + " %,d points%n",
                            pass + 1, seen, result.get("status"), result.get("rcu"), result.get("wcu"), result.get("computed_units"),
                            result.get("dynamodb_calls"), result.get("worker_invocations"), result.get("worker_seconds"),
                            result.get("worker_cpu"), result.get("worker_waited"), probe.lastWaits,
                            result.get("sqs_messages"), result.get("secrets_calls"), after[0] - before[0], after[1] - before[1]);
                }
                out.println("  AWS calls of the last full pass: " + probe.lastCalls);
                out.println("  its DynamoDB units by operation and item: " + probe.lastUnits);
                passes.put(Schedule.Pass.FULL_SYNC, PassFigures.average(fulls, fullBuildkite));
                retainedPerPass.put(Schedule.Pass.FULL_SYNC, (retainedBytes(table) - retainedAfterHour) / (double) fullPasses);
                scratchPerPass.put(Schedule.Pass.FULL_SYNC, (scratchBytes(table) - scratchAfterHour) / (double) fullPasses);

                // Still without: an hour of ticks after the last full run, a light look every SyncLightLook (the others find
                // nothing due), with the same quiet hour's changes and the passes of changes the looks start.
                long scratchBeforeLooks = scratchBytes(table);
                Hour lookHour = hour(probe, sandbox, table, world, org, admin, random, fullPasses + 1);
                scratchPerPass.put(Schedule.Pass.LOOK_HOUR, (double) (scratchBytes(table) - scratchBeforeLooks));
                passes.put(Schedule.Pass.LOOK_HOUR, lookHour.figures());
                retainedPerPass.put(Schedule.Pass.LOOK_HOUR, lookHour.retainedBytes());
                lookHour.print(out, "look hour", "a look that found nothing, or nothing due");
                if (lookHour.changes() != null) {
                    changes.put(Schedule.Pass.LOOK_HOUR, lookHour.changes());
                }

                List<Map<String, String>> ticks = new ArrayList<>();
                List<long[]> tickBuildkite = new ArrayList<>();
                probe.send("PASS WEBHOOK_TICK"); // its first, with classes to load, not counted
                for (int tick = 0; tick < webhookTicks; tick++) {
                    ticks.add(probe.send("PASS WEBHOOK_TICK"));
                    tickBuildkite.add(new long[] {0, 0});
                }
                probe.send("QUIT");
                PassFigures tickFigures = PassFigures.average(ticks, tickBuildkite);
                out.printf(Locale.ROOT, "webhook tick: %.1f RCU, %.1f WCU, %.4f s billed (average of %d)%n", tickFigures.rcu(), tickFigures.wcu(),
                        tickFigures.tickSeconds(), webhookTicks);
                passes.put(Schedule.Pass.WEBHOOK_TICK, tickFigures);
                long retained = retainedBytes(table);
                long scratch = scratchBytes(table);
                long total = tableBytes(table);
                out.printf(Locale.ROOT, "table: %,d bytes (items + 100 bytes each), of which %,d in events and runs (kept 30 days):"
                                + " %,.0f more a full pass, %,.0f more an hour of polls and passes, %,.0f more an hour of looks and passes%n",
                        total, retained, retainedPerPass.get(Schedule.Pass.FULL_SYNC), retainedPerPass.get(Schedule.Pass.AUDIT_HOUR),
                        retainedPerPass.get(Schedule.Pass.LOOK_HOUR));
                out.printf(Locale.ROOT, "  and %,d in runs' scratch (TTL's, kept %d days here: its lifetime and TTL's lag): %,.0f a full pass,"
                                + " %,.0f an hour of polls and passes, %,.0f an hour of looks and passes%n", scratch, SCRATCH_BILLED.toDays(),
                        scratchPerPass.get(Schedule.Pass.FULL_SYNC), scratchPerPass.get(Schedule.Pass.AUDIT_HOUR),
                        scratchPerPass.get(Schedule.Pass.LOOK_HOUR));
                return new Measured(size, passes, total - retained - scratch, retainedPerPass, sandbox.limits(), scratchPerPass, changes);
            } finally {
                process.destroy();
                if (receiver != null) {
                    out.printf(Locale.ROOT, "webhook deliveries taken by the receiver: %,d%n", receiver.taken.get());
                    receiver.server.stop(0);
                }
            }
        }
    }

    /**
     * An hour of the schedule's ticks (the first of which has already found its container warm), with a quiet hour's
     * changes at minutes 10, 25, 40 and 55 and the worker's invocations on whatever each tick started, summed.
     */
    private Hour hour(Probe probe, Sandbox sandbox, Dynalite.Table table, World world, Organization org, String admin, Random random,
                      int round) throws IOException {
        long retainedBefore = retainedBytes(table);
        int ticksInHour = hourTicks();
        List<Integer> changeAt = List.of(ticksInHour * 10 / 60, ticksInHour * 25 / 60, ticksInHour * 40 / 60, ticksInHour * 55 / 60);
        List<Map<String, String>> ticks = new ArrayList<>();
        List<long[]> buildkite = new ArrayList<>();
        Map<String, Long> calls = new java.util.TreeMap<>();
        Map<String, Double> units = new java.util.TreeMap<>();
        int[] counts = new int[4];
        List<String> runLines = new ArrayList<>();
        // The ticks that started no run: what most of an account's minutes are.
        List<Map<String, String>> quiet = new ArrayList<>();
        Map<String, Double> quietUnits = new java.util.TreeMap<>();
        // For the figures of a pass of changes: the ticks that started one, and ticks of their kind (a poll, a look) that did not.
        List<Map<String, String>> started = new ArrayList<>();
        List<long[]> startedBuildkite = new ArrayList<>();
        List<Map<String, String>> foundNothing = new ArrayList<>();
        List<long[]> foundNothingBuildkite = new ArrayList<>();
        for (int tick = 0; tick < ticksInHour; tick++) {
            int step = changeAt.indexOf(tick);
            if (step >= 0) {
                changeStep(world, org, admin, random, round, step);
            }
            probe.idle(tickEvery.toSeconds());
            long[] before = buildkite(sandbox);
            Map<String, String> result = probe.send("PASS TICK");
            long[] after = buildkite(sandbox);
            ticks.add(result);
            buildkite.add(new long[] {after[0] - before[0], after[1] - before[1]});
            probe.lastCalls.forEach((call, n) -> calls.merge(call, n, Long::sum));
            probe.lastUnits.forEach((item, n) -> units.merge(item, n, Double::sum));
            String[] keys = {"polled", "looked", "started_passes", "started_full"};
            for (int k = 0; k < keys.length; k++) {
                counts[k] += Integer.parseInt(result.get(keys[k]));
            }
            boolean looked = !result.get("polled").equals("0") || !result.get("looked").equals("0");
            if (looked && result.get("runs").equals("0")) {
                foundNothing.add(result);
                foundNothingBuildkite.add(buildkite.get(buildkite.size() - 1));
            } else if (!result.get("started_passes").equals("0")) {
                started.add(result);
                startedBuildkite.add(buildkite.get(buildkite.size() - 1));
            }
            if (result.get("runs").equals("0")) {
                quiet.add(result);
                probe.lastUnits.forEach((item, n) -> quietUnits.merge(item, n, Double::sum));
            } else {
                runLines.add(String.format(Locale.ROOT, "  tick %d: %s run(s), %s; %s RCU, %s WCU, %s DynamoDB calls; %s worker invocations,"
                                + " %s s billed (%s s CPU; %s s of it waits for budgets: %s); Buildkite %d REST, %,d points; %s", tick + 1, result.get("runs"),
                        result.get("status"), result.get("rcu"), result.get("wcu"), result.get("dynamodb_calls"), result.get("worker_invocations"),
                        result.get("worker_seconds"), result.get("worker_cpu"), result.get("worker_waited"), probe.lastWaits, after[0] - before[0], after[1] - before[1],
                        probe.lastUnits));
            }
        }
        PassFigures figures = PassFigures.average(ticks, buildkite).times(ticks.size());
        String quietLine = "none";
        if (!quiet.isEmpty()) {
            int n = quiet.size();
            Map<String, String> perTick = new java.util.TreeMap<>();
            quietUnits.forEach((item, u) -> perTick.put(item, String.format(Locale.ROOT, "%.2f", u / n)));
            quietLine = String.format(Locale.ROOT, "%d ticks, average %.2f RCU, %.2f WCU, %.2f DynamoDB calls, %.3f Secrets Manager calls; units by item %s",
                    n, sum(quiet, "rcu") / n, sum(quiet, "wcu") / n, sum(quiet, "dynamodb_calls") / n, sum(quiet, "secrets_calls") / n, perTick);
        }
        double retained = retainedBytes(table) - retainedBefore;
        Changes changes = started.isEmpty() || foundNothing.isEmpty() ? null
                : new Changes(PassFigures.average(started, startedBuildkite).minus(PassFigures.average(foundNothing, foundNothingBuildkite)),
                        started.size(), counts[0] + counts[1]);
        return new Hour(figures, sum(ticks, "tick_real"), sum(ticks, "tick_cpu"), sum(ticks, "worker_cpu"), retained, ticks.size(), counts,
                runLines, calls, units, quietLine, changes);
    }

    /** An hour of ticks measured: its figures summed, what its ticks did, and where its units went. */
    private record Hour(PassFigures figures, double tickReal, double tickCpu, double workerCpu, double retainedBytes, int ticks, int[] counts, List<String> runLines, Map<String, Long> calls,
                        Map<String, Double> units, String quietTicks, Changes changes) {

        void print(PrintStream out, String name, String what) {
            out.printf(Locale.ROOT, "%s: %d ticks, %d audit polls, %d light looks, %d passes of changes started, %d full runs; %.1f RCU, %.1f WCU"
                            + " (%.1f computed), %.0f DynamoDB calls; ticks %.3f s billed (the fleet's tick's share; real %.3f s, CPU %.3f s); %.0f worker invocations, %.3f s billed (%.3f s CPU);"
                            + " %.0f SQS messages,"
                            + " %.0f Secrets Manager calls; Buildkite %.0f REST, %,.0f points; %,.0f bytes kept%n", name, ticks, counts[0], counts[1],
                    counts[2], counts[3], figures.rcu(), figures.wcu(), figures.computedUnits(), figures.dynamoCalls(), figures.tickSeconds(), tickReal, tickCpu,
                    figures.workerInvocations(), figures.workerSeconds(), workerCpu, figures.sqsMessages(), figures.secretsCalls(), figures.restRequests(),
                    figures.graphqlPoints(), retainedBytes);
            runLines.forEach(out::println);
            out.println("  AWS calls of the hour: " + calls);
            out.println("  DynamoDB units of the hour by operation and item: " + units);
            out.println("  ticks of the hour that started no run (each " + what + "): " + quietTicks);
            if (changes != null) {
                PassFigures p = changes.perPass();
                out.printf(Locale.ROOT, "  a pass of changes adds to the hour (its tick and worker, less a tick of its kind that found nothing; average of %d):"
                                + " %.1f RCU, %.1f WCU, %.3f s of the worker, %.3f s of the tick, %.1f SQS messages%n", changes.passes(), p.rcu(), p.wcu(),
                        p.workerSeconds(), p.tickSeconds(), p.sqsMessages());
            }
        }
    }

    /** A tick's result as expected: accounts polled, full runs and passes started. */
    private void check(Map<String, String> tick, String polled, String full, String passes, String what) {
        if (!tick.get("polled").equals(polled) || !tick.get("started_full").equals(full) || !tick.get("started_passes").equals(passes)) {
            out.printf(Locale.ROOT, "  NOTE: %s was expected to poll %s, start %s full runs and %s passes; it polled %s, started %s and %s%n", what,
                    polled, full, passes, tick.get("polled"), tick.get("started_full"), tick.get("started_passes"));
        }
    }

    /** One of a quiet hour's changes: 0 a join (invited, accepted), 1 a leave, 2 and 3 a team move. */
    private static void changeStep(World world, Organization org, String admin, Random random, int round, int step) {
        org = world.organizationByUuid(org.uuid()).orElseThrow();
        if (step == 0) {
            List<Invitation> invited = world.invite(org, admin, List.of("fleet-joiner-" + round + "@example.com"), Member.Role.MEMBER,
                    org.ssoEnabled() ? Member.SsoMode.OPTIONAL : null, List.of());
            world.acceptInvitation(org.uuid(), invited.get(0).uuid(), "Fleet Joiner " + round);
            return;
        }
        if (step == 1) {
            List<Member> members = world.members(org.uuid()).stream()
                    .filter(m -> m.role() == Member.Role.MEMBER && !m.userUuid().equals(admin)).toList();
            world.removeMember(org, admin, members.get(random.nextInt(members.size())).userUuid());
            return;
        }
        List<Team> teams = world.teams(org.uuid());
        for (int attempt = 0; attempt < 10 && teams.size() > 1; attempt++) {
            Team from = teams.get(random.nextInt(teams.size()));
            List<TeamMember> inTeam = world.teamMembers(org.uuid(), from.uuid());
            if (inTeam.isEmpty()) {
                continue;
            }
            TeamMember mover = inTeam.get(random.nextInt(inTeam.size()));
            for (Team to : teams) {
                if (!to.uuid().equals(from.uuid()) && world.teamMember(org.uuid(), to.uuid(), mover.userUuid()).isEmpty()) {
                    world.removeTeamMember(org, admin, from.uuid(), mover.userUuid());
                    world.addTeamMember(org, admin, to.uuid(), mover.userUuid(), null);
                    return;
                }
            }
        }
    }

    /** REST requests and GraphQL points the sandbox has seen. */
    private static long[] buildkite(Sandbox sandbox) {
        return new long[] {sandbox.journal().count(entry -> !entry.isGraphql()), sandbox.journal().graphqlPoints()};
    }

    /** The table's bytes as DynamoDB bills storage: each item's size plus 100 bytes (its index overhead). */
    private static long tableBytes(Dynalite.Table table) {
        return scan(table, item -> true);
    }

    /** The bytes of what grows with every run until its TTL: the account's events, runs, and its index of runs. */
    private static long retainedBytes(Dynalite.Table table) {
        return scan(table, item -> {
            String pk = item.get("pk").s();
            return pk.startsWith("EVENTS#") || pk.startsWith("SYNCRUN#") || pk.startsWith("SYNCRUNS#");
        });
    }

    /** The bytes of runs' scratch: snapshot items that expire (see {@link #SCRATCH_BILLED}; an account's generation never does). */
    private static long scratchBytes(Dynalite.Table table) {
        return scan(table, item -> item.get("pk").s().startsWith("SNAPSHOT#") && item.containsKey("expires_at"));
    }

    /** The stored bytes of the table's items that {@code counted} takes: each item's size and DynamoDB's 100 bytes. */
    private static long scan(Dynalite.Table table, java.util.function.Predicate<Map<String, AttributeValue>> counted) {
        long bytes = 0;
        for (var page : table.client().scanPaginator(b -> b.tableName(table.name()))) {
            for (Map<String, AttributeValue> item : page.items()) {
                if (counted.test(item)) {
                    bytes += CapacityMeter.size(item) + 100;
                }
            }
        }
        return bytes;
    }

    private void printPrices() {
        out.printf(Locale.ROOT, "%nprices (us-east-1, on-demand, checked %s; README lists the sources): DynamoDB $%.3f per million write units,"
                        + " $%.3f per million read units, $%.2f per GB-month; Lambda arm64 $%.10f per GB-second, $%.2f per million requests;"
                        + " SQS $%.2f per million requests; Secrets Manager $%.2f per 10,000 calls, $%.2f per secret-month%n",
                prices.checked(), prices.dynamoWritePerMillion(), prices.dynamoReadPerMillion(), prices.dynamoStoragePerGbMonth(),
                prices.lambdaArmPerGbSecond(), prices.lambdaPerMillionRequests(), prices.sqsPerMillionRequests(), prices.secretsPer10kCalls(),
                prices.secretPerMonth());
    }

    private void printFormula() {
        out.println("formula, per account-month, for each schedule entry (a kind of pass, every P):");
        out.println("  passes = 730 h / P");
        out.println("  per pass = WCU x $/WCU + RCU x $/RCU");
        out.println("           + (worker seconds x worker MemorySize + tick seconds x tick MemorySize) / 1024 x $/GB-s");
        out.println("           + (worker invocations + tick invocations / 1,000 accounts) x $/request");
        out.println("           + SQS messages x 3 (send, receive, delete) x $/SQS request + Secrets Manager calls x $/call");
        out.println("  account-month = sum over entries of passes x per pass");
        out.println("           + (table bytes + sum over entries of bytes kept per pass x passes in 30 days");
        out.println("              + sum over entries of scratch bytes per pass x passes in " + SCRATCH_BILLED.toDays() + " days) / 1e9 x $/GB-month");
        out.println("  (table bytes: the table at the end less events, runs and scratch; scratch: a run's own generation, which TTL deletes "
                + dev.kitebridge.sync.SyncRun.SCRATCH_LIFETIME.toDays() + " days after the run was made, up to 48 h late)");
        out.println("  and beside it: the account's secret, $0.40 a month whatever the schedule");
        out.println("  an AUDIT_HOUR pass is an hour: its ticks (each a poll) and the passes of changes they started, summed");
        out.println("  a LOOK_HOUR pass is an hour without audit events: its ticks (a light look each SyncLightLook) and the passes they started");
        out.println("  blended = share with audit events x fleet average with + (1 - share) x fleet average without");
    }

    private record Cost(double dynamo, double lambda, double other, double storage) {
        double total() {
            return dynamo + lambda + other + storage;
        }
    }

    private double gbSeconds(Schedule.Pass pass, PassFigures f) {
        return (pass.tickFunction == null ? 0 : f.tickSeconds() * template.memoryMb(pass.tickFunction) / 1024.0)
                + (pass.workerFunction == null ? 0 : f.workerSeconds() * template.memoryMb(pass.workerFunction) / 1024.0);
    }

    private Cost cost(Schedule schedule, Measured m) {
        double dynamo = 0;
        double lambda = 0;
        double other = 0;
        double kept = 0;
        for (Schedule.Entry entry : schedule.entries()) {
            PassFigures f = m.passes().get(entry.pass());
            double n = entry.perMonth();
            dynamo += n * (f.wcu() * prices.dynamoWritePerMillion() + f.rcu() * prices.dynamoReadPerMillion()) / 1e6;
            double requests = f.workerInvocations() + f.tickInvocations() / FLEET_ACCOUNTS;
            lambda += n * (gbSeconds(entry.pass(), f) * prices.lambdaArmPerGbSecond() + requests * prices.lambdaPerMillionRequests() / 1e6);
            other += n * (f.sqsMessages() * 3 * prices.sqsPerMillionRequests() / 1e6 + f.secretsCalls() * prices.secretsPer10kCalls() / 1e4);
            kept += m.retainedBytesPerPass().getOrDefault(entry.pass(), 0.0) * entry.perRetention();
            kept += m.scratchBytesPerPass().getOrDefault(entry.pass(), 0.0) * SCRATCH_BILLED.toSeconds() / entry.every().toSeconds();
        }
        double storage = (m.baseBytes() + kept) / 1e9 * prices.dynamoStoragePerGbMonth();
        return new Cost(dynamo, lambda, other, storage);
    }

    /** Prints the schedule's table; returns its fleet average per account-month (of the sizes measured). */
    private double printSchedule(Schedule schedule, List<Measured> measured, boolean small) {
        out.printf(Locale.ROOT, "%n%s%n", schedule.name());
        StringBuilder entries = new StringBuilder();
        for (Schedule.Entry entry : schedule.entries()) {
            entries.append(entries.length() == 0 ? "" : ", ").append(entry.pass()).append(" ").append(Schedule.every(entry.every()));
        }
        out.println("(" + entries + ")");
        out.println("| members | DynamoDB RCU / WCU an hour | Lambda GB-s an hour | DynamoDB | Lambda | SQS + Secrets calls | storage | per account-month"
                + " | Buildkite REST / GraphQL share |");
        double fleet = 0;
        double share = 0;
        for (Measured m : measured) {
            double rcu = 0;
            double wcu = 0;
            double gbs = 0;
            double rest = 0;
            double points = 0;
            for (Schedule.Entry entry : schedule.entries()) {
                PassFigures f = m.passes().get(entry.pass());
                rcu += f.rcu() * entry.perHour();
                wcu += f.wcu() * entry.perHour();
                gbs += entry.perHour() * gbSeconds(entry.pass(), f);
                rest += f.restRequests() * entry.perHour();
                points += f.graphqlPoints() * entry.perHour();
            }
            double restShare = rest / (m.limits().restPerUser() * 3600.0 / m.limits().restWindow().toSeconds());
            double graphqlShare = points / (m.limits().graphqlPointsPerUser() * 3600.0 / m.limits().graphqlWindow().toSeconds());
            Cost c = cost(schedule, m);
            out.printf(Locale.ROOT, "| %,d | %,.0f / %,.0f | %,.1f | $%.4f | $%.4f | $%.4f | $%.4f | **$%.4f** | %.1f%% / %.1f%% |%n",
                    m.size().members(), rcu, wcu, gbs, c.dynamo(), c.lambda(), c.other(), c.storage(), c.total(), restShare * 100, graphqlShare * 100);
            fleet += m.size().share() * c.total();
            share += m.size().share();
        }
        if (small) {
            out.printf(Locale.ROOT, "(--small: the 50 and 500 sizes only, %.0f%% of the fleet; their weighted average $%.4f)%n", share * 100, fleet / share);
        } else {
            out.printf(Locale.ROOT, "FLEET AVERAGE per account-month: 0.70 x 50 + 0.25 x 500 + 0.05 x 10,000 = $%.4f"
                    + "  (goal $%.2f: %s); with the account's secret ($%.2f): $%.4f%n", fleet, GOAL, fleet < GOAL ? "met" : "NOT met",
                    prices.secretPerMonth(), fleet + prices.secretPerMonth());
        }
        printByRate(schedule, measured, small);
        return fleet / share;
    }

    /** Rates of change (changes an account-hour) the fleet's cost is printed at, beside the measured hour's four. */
    private static final List<Double> RATES = List.of(0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0);
    /** The freshness benchmark's rate at 10,000 members (60 changes in two hours), for a rate in proportion to members. */
    private static final double FRESHNESS_RATE = 30;

    /**
     * The schedule's cost by the rate of change, the one assumption the measured hour fixes (four changes, each its
     * own pass): an hour's ticks with no changes, plus what each pass of changes adds (see {@link Changes}) times the
     * passes the rate starts; the same rate at every size, then one in proportion to members.
     */
    private void printByRate(Schedule schedule, List<Measured> measured, boolean small) {
        Schedule.Pass hour = schedule.entries().stream().map(Schedule.Entry::pass)
                .filter(p -> p == Schedule.Pass.AUDIT_HOUR || p == Schedule.Pass.LOOK_HOUR).findFirst().orElse(null);
        if (hour == null || measured.stream().anyMatch(m -> !m.changes().containsKey(hour))) {
            return;
        }
        out.printf(Locale.ROOT, "by the rate of change (changes an account-hour; passes of changes an hour = slots x (1 - e^(-rate / slots)),"
                + " changes at random, a slot each tick that can find them: its polls or its looks; the measured hour: 4 changes, 4 passes):%n");
        for (Measured m : measured) {
            Changes c = m.changes().get(hour);
            Cost none = cost(schedule, m.atRate(0));
            Cost one = cost(schedule, m.atRate(-c.slots() * Math.log(1 - 1.0 / c.slots()))); // the rate that starts one pass an hour
            out.printf(Locale.ROOT, "  %,d members: $%.4f a month with no changes; each pass of changes an hour adds $%.4f a month (%d slots an hour)%n",
                    m.size().members(), none.total(), one.total() - none.total(), c.slots());
        }
        StringBuilder header = new StringBuilder("| changes an account-hour |");
        measured.forEach(m -> header.append(String.format(Locale.ROOT, " %,d members |", m.size().members())));
        out.println(header + (small ? " their weighted average (--small) |" : " fleet average |") + " goal |");
        for (double rate : RATES) {
            printRateRow(schedule, measured, String.format(Locale.ROOT, "%.2f", rate), m -> rate);
        }
        printRateRow(schedule, measured, String.format(Locale.ROOT, "%.0f per 10,000 members", FRESHNESS_RATE),
                m -> FRESHNESS_RATE * m.size().members() / 10_000.0);
        double floor = fleetAverage(schedule, measured, m -> 0.0);
        if (floor >= GOAL) {
            out.printf(Locale.ROOT, "goal $%.2f: not met at any rate (with no changes at all: $%.4f)%n", GOAL, floor);
            return;
        }
        double low = 0;
        double high = 64;
        for (int i = 0; i < 40; i++) {
            double mid = (low + high) / 2;
            if (fleetAverage(schedule, measured, m -> mid) < GOAL) {
                low = mid;
            } else {
                high = mid;
            }
        }
        out.printf(Locale.ROOT, "goal $%.2f: met up to %.2f changes an account-hour at every size%n", GOAL, low);
    }

    private void printRateRow(Schedule schedule, List<Measured> measured, String label, java.util.function.ToDoubleFunction<Measured> rate) {
        StringBuilder row = new StringBuilder("| " + label + " |");
        for (Measured m : measured) {
            row.append(String.format(Locale.ROOT, " $%.4f |", cost(schedule, m.atRate(rate.applyAsDouble(m))).total()));
        }
        double fleet = fleetAverage(schedule, measured, rate);
        out.println(row + String.format(Locale.ROOT, " $%.4f | %s |", fleet, fleet < GOAL ? "met" : "NOT met"));
    }

    /** The fleet's average per account-month at a rate of change per size (weighted by share over the sizes measured). */
    private double fleetAverage(Schedule schedule, List<Measured> measured, java.util.function.ToDoubleFunction<Measured> rate) {
        double sum = 0;
        double share = 0;
        for (Measured m : measured) {
            sum += m.size().share() * cost(schedule, m.atRate(rate.applyAsDouble(m))).total();
            share += m.size().share();
        }
        return sum / share;
    }

    /** The probe's commands and its answers; its clock jumps with the benchmark's. */
    private final class Probe {
        private Map<String, Long> lastCalls = Map.of();
        private Map<String, Double> lastUnits = Map.of();
        /** The last pass's waits on Buildkite's clock (Buildkite seconds), by who waited. */
        private Map<String, Double> lastWaits = Map.of();

        /** A map as Java prints it: {@code {a=1, b=2.5}}. */
        private Map<String, Double> parse(String text) {
            Map<String, Double> map = new java.util.TreeMap<>();
            String body = text.replaceAll("[{}]", "").trim();
            for (String pair : body.isEmpty() ? new String[0] : body.split(", ")) {
                String[] kv = pair.split("=", 2);
                map.put(kv[0], Double.parseDouble(kv[1]));
            }
            return map;
        }
        private final BufferedReader lines;
        private final Writer commands;
        private final FleetClock clock;

        Probe(BufferedReader lines, Writer commands, FleetClock clock) {
            this.lines = lines;
            this.commands = commands;
            this.clock = clock;
        }

        /** Buildkite's time moves on by {@code seconds}, in the probe and in the sandbox, with nothing under way. */
        void idle(long seconds) throws IOException {
            send("IDLE " + seconds);
            clock.jump(Duration.ofSeconds(seconds));
        }


        Map<String, String> send(String command) throws IOException {
            commands.write(command + "\n");
            commands.flush();
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("RESULT ")) {
                    Map<String, String> result = new HashMap<>();
                    for (String pair : line.substring(7).split(" ")) {
                        String[] kv = pair.split("=", 2);
                        result.put(kv[0], kv[1]);
                    }
                    return result;
                }
                if (line.startsWith("CALLS ")) {
                    Map<String, Long> calls = new java.util.TreeMap<>();
                    parse(line.substring(6)).forEach((k, v) -> calls.put(k, Math.round(v)));
                    lastCalls = calls;
                } else if (line.startsWith("UNITS ")) {
                    lastUnits = parse(line.substring(6));
                } else if (line.startsWith("WAITS ")) {
                    lastWaits = parse(line.substring(6));
                } else if (line.contains("\"level\":\"ERROR\"") || line.contains("Exception")) {
                    out.println("  probe: " + line);
                }
            }
            throw new IllegalStateException("the probe ended before answering " + command);
        }
    }

    /** A figure summed over results (0 where a result does not have it). */
    private static double sum(List<Map<String, String>> results, String figure) {
        return results.stream().mapToDouble(r -> Double.parseDouble(r.getOrDefault(figure, "0"))).sum();
    }
}
