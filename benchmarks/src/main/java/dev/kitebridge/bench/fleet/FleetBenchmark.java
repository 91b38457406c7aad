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

/**
 * AWS cost per account-month for a fleet of accounts, from what one account of each size measures:
 * DynamoDB read and write units ({@link CapacityMeter} on every client of the worker's process), the
 * table's bytes, the handlers' billed seconds at their template's MemorySize, invocations, SQS
 * messages and Secrets Manager calls, per pass of each kind; then priced for a {@link Schedule}.
 * Each account is simulated in steady state: linked and synced once (not counted), then passes of
 * each kind, the full ones after a few changes in Buildkite (a join, a leave, two team moves).
 */
public final class FleetBenchmark {

    /** The fleet: accounts of each size, and their share. */
    public record Size(int members, int teams, double share) {}

    public static final List<Size> FLEET = List.of(new Size(50, 5, 0.70), new Size(500, 25, 0.25), new Size(10_000, 250, 0.05));
    public static final int FLEET_ACCOUNTS = 1_000;
    public static final double GOAL = 0.05;

    private final PrintStream out;
    private final double scale;
    private final int fullPasses;
    private final int webhookTicks;
    private final DeployedTemplate template;
    private final Prices prices = Prices.US_EAST_1;

    public FleetBenchmark(PrintStream out, double scale, int fullPasses, int webhookTicks, Path template) throws IOException {
        this.out = out;
        this.scale = scale;
        this.fullPasses = fullPasses;
        this.webhookTicks = webhookTicks;
        this.template = DeployedTemplate.read(template);
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
    }

    /** One account size's measurements. */
    record Measured(Size size, Map<Schedule.Pass, PassFigures> passes, long baseBytes, double retainedBytesPerFullPass, RateLimits limits) {}

    public void run(boolean small) throws Exception {
        Schedule deployed = Schedule.deployed(template);
        Schedule daily = deployed.with(Schedule.Pass.FULL_SYNC, Duration.ofDays(1), "alternative: full run daily, webhook tick "
                + Schedule.every(template.schedule("WebhookDeliveryFunction")));
        out.printf(Locale.ROOT, "== fleet: AWS cost per account-month, %d accounts (%s), clock x%.0f ==%n", FLEET_ACCOUNTS,
                "70% of 50 members, 25% of 500, 5% of 10,000", scale);
        out.printf(Locale.ROOT, "template %s: SyncScheduleFunction %d MB, SyncWorkerFunction %d MB (timeout %d s),"
                        + " WebhookDeliveryFunction %d MB; sync schedule %s%n", template.path(),
                template.memoryMb("SyncScheduleFunction"), template.memoryMb("SyncWorkerFunction"), template.timeoutSeconds("SyncWorkerFunction"),
                template.memoryMb("WebhookDeliveryFunction"), template.scheduleText("SyncScheduleFunction"));
        List<Measured> measured = new ArrayList<>();
        for (Size size : FLEET) {
            if (small && size.members() > 500) {
                continue;
            }
            measured.add(measure(size));
        }
        printPrices();
        printFormula();
        for (Schedule schedule : List.of(deployed, daily)) {
            printSchedule(schedule, measured, small);
        }
    }

    private Measured measure(Size size) throws Exception {
        Population population = Population.of(size.members(), size.teams());
        try (Sandbox sandbox = Sandbox.builder().population(population).limits(RateLimits.BUILDKITE).timeScale(scale).start()) {
            out.printf(Locale.ROOT, "%n-- %,d members, %d teams (seed %d): linked and synced once, then %d full passes and %d webhook ticks --%n",
                    size.members(), size.teams(), population.seed(), fullPasses, webhookTicks);
            Dynalite.Table table = Dynalite.get().newTable();
            Path interceptors = Files.createTempDirectory("kitebridge-fleet-meter");
            Path registration = interceptors.resolve("software/amazon/awssdk/global/handlers/execution.interceptors");
            Files.createDirectories(registration.getParent());
            Files.writeString(registration, CapacityMeter.Global.class.getName() + "\n");
            String secretPrefix = MotoServer.get().newSecretPrefix();
            Map<String, String> env = new HashMap<>(Map.of("PROBE_SCALE", Double.toString(scale), "PROBE_BUILDKITE_TOKEN", sandbox.token(),
                    "KITEBRIDGE_BUILDKITE_REST_URL", sandbox.restUrl(), "KITEBRIDGE_BUILDKITE_GRAPHQL_URL", sandbox.graphqlUrl(),
                    "KITEBRIDGE_TABLE", table.name(), "AWS_REGION", table.config().region(),
                    "KITEBRIDGE_DYNAMODB_ENDPOINT", table.config().dynamoDbEndpoint().toString(),
                    "KITEBRIDGE_SECRETSMANAGER_ENDPOINT", MotoServer.get().endpoint().toString(),
                    "KITEBRIDGE_SECRET_PREFIX", secretPrefix));
            env.put("PROBE_WORKER_TIMEOUT", Integer.toString(template.timeoutSeconds("SyncWorkerFunction")));
            env.put("PROBE_SCHEDULE_TIMEOUT", Integer.toString(template.timeoutSeconds("SyncScheduleFunction")));
            env.put("PROBE_WEBHOOK_TIMEOUT", Integer.toString(template.timeoutSeconds("WebhookDeliveryFunction")));
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                    "-cp", System.getProperty("java.class.path") + java.io.File.pathSeparator + interceptors, FleetProbe.class.getName());
            builder.environment().putAll(env);
            builder.redirectError(ProcessBuilder.Redirect.DISCARD);
            Process process = builder.start();
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                 Writer commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8)) {
                Probe probe = new Probe(lines, commands);
                probe.send("LINK");
                Map<String, String> first = probe.send("PASS FULL_SYNC");
                out.printf(Locale.ROOT, "first sync (not counted): %s, %s Buildkite calls, %.0f s billed over %s worker invocations%n",
                        first.get("status"), first.get("buildkite_calls"), Double.parseDouble(first.get("worker_seconds")),
                        first.get("worker_invocations"));
                long retainedAfterFirst = retainedBytes(table);
                World world = sandbox.world();
                Organization org = world.organizations().get(0);
                Random random = new Random(population.seed());
                List<Map<String, String>> fulls = new ArrayList<>();
                List<long[]> fullBuildkite = new ArrayList<>();
                for (int pass = 0; pass < fullPasses; pass++) {
                    // Budgets refill and the token cache (5 minutes) lapses, as in the hour between two runs.
                    probe.send("IDLE 330");
                    change(world, org, sandbox.owner().uuid(), random, pass);
                    long[] before = buildkite(sandbox);
                    Map<String, String> result = probe.send("PASS FULL_SYNC");
                    long[] after = buildkite(sandbox);
                    fulls.add(result);
                    fullBuildkite.add(new long[] {after[0] - before[0], after[1] - before[1]});
                    out.printf(Locale.ROOT, "full pass %d: %s; %s RCU, %s WCU (%s computed), %s DynamoDB calls; %s worker invocations,"
                                    + " %s s billed; schedule tick %s s; %s SQS messages, %s Secrets Manager calls; Buildkite %d REST, %,d points%n",
                            pass + 1, result.get("status"), result.get("rcu"), result.get("wcu"), result.get("computed_units"),
                            result.get("dynamodb_calls"), result.get("worker_invocations"), result.get("worker_seconds"), result.get("tick_seconds"),
                            result.get("sqs_messages"), result.get("secrets_calls"), after[0] - before[0], after[1] - before[1]);
                }
                out.println("  AWS calls of the last full pass: " + probe.lastCalls);
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
                long retained = retainedBytes(table);
                long total = tableBytes(table);
                double perPass = (retained - retainedAfterFirst) / (double) fullPasses;
                out.printf(Locale.ROOT, "table: %,d bytes (items + 100 bytes each), of which %,d in events and runs (kept 30 days):"
                        + " %,.0f more a full pass%n", total, retained, perPass);
                Map<Schedule.Pass, PassFigures> passes = new LinkedHashMap<>();
                passes.put(Schedule.Pass.FULL_SYNC, PassFigures.average(fulls, fullBuildkite));
                passes.put(Schedule.Pass.WEBHOOK_TICK, tickFigures);
                return new Measured(size, passes, total - retained, perPass, sandbox.limits());
            } finally {
                process.destroy();
            }
        }
    }

    /** A join (invited, accepted), a leave, two team moves: a quiet hour's changes. */
    private static void change(World world, Organization org, String admin, Random random, int pass) {
        List<Invitation> invited = world.invite(org, admin, List.of("fleet-joiner-" + pass + "@example.com"), Member.Role.MEMBER,
                org.ssoEnabled() ? Member.SsoMode.OPTIONAL : null, List.of());
        world.acceptInvitation(org.uuid(), invited.get(0).uuid(), "Fleet Joiner " + pass);
        List<Member> members = world.members(org.uuid()).stream()
                .filter(m -> m.role() == Member.Role.MEMBER && !m.userUuid().equals(admin)).toList();
        world.removeMember(org, admin, members.get(random.nextInt(members.size())).userUuid());
        List<Team> teams = world.teams(org.uuid());
        for (int move = 0; move < 2 && teams.size() > 1; move++) {
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
                    break;
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
        return scan(table, false);
    }

    /** The bytes of what grows with every run until its TTL: the account's events and runs. */
    private static long retainedBytes(Dynalite.Table table) {
        return scan(table, true);
    }

    private static long scan(Dynalite.Table table, boolean retainedOnly) {
        long bytes = 0;
        for (var page : table.client().scanPaginator(b -> b.tableName(table.name()))) {
            for (Map<String, AttributeValue> item : page.items()) {
                String pk = item.get("pk").s();
                if (!retainedOnly || pk.startsWith("EVENTS#") || pk.startsWith("SYNCRUN#")) {
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
        out.println("           + (table bytes + bytes kept per full pass x full passes in 30 days) / 1e9 x $/GB-month");
        out.println("  and beside it: the account's secret, $0.40 a month whatever the schedule");
    }

    private record Cost(double dynamo, double lambda, double other, double storage) {
        double total() {
            return dynamo + lambda + other + storage;
        }
    }

    private Cost cost(Schedule schedule, Measured m) {
        double dynamo = 0;
        double lambda = 0;
        double other = 0;
        double fullPerRetention = 0;
        for (Schedule.Entry entry : schedule.entries()) {
            PassFigures f = m.passes().get(entry.pass());
            double n = entry.perMonth();
            dynamo += n * (f.wcu() * prices.dynamoWritePerMillion() + f.rcu() * prices.dynamoReadPerMillion()) / 1e6;
            double gbSeconds = f.tickSeconds() * template.memoryMb(entry.pass().tickFunction) / 1024.0
                    + (entry.pass().workerFunction == null ? 0 : f.workerSeconds() * template.memoryMb(entry.pass().workerFunction) / 1024.0);
            double requests = f.workerInvocations() + f.tickInvocations() / FLEET_ACCOUNTS;
            lambda += n * (gbSeconds * prices.lambdaArmPerGbSecond() + requests * prices.lambdaPerMillionRequests() / 1e6);
            other += n * (f.sqsMessages() * 3 * prices.sqsPerMillionRequests() / 1e6 + f.secretsCalls() * prices.secretsPer10kCalls() / 1e4);
            if (entry.pass() == Schedule.Pass.FULL_SYNC) {
                fullPerRetention = entry.perRetention();
            }
        }
        double storage = (m.baseBytes() + m.retainedBytesPerFullPass() * fullPerRetention) / 1e9 * prices.dynamoStoragePerGbMonth();
        return new Cost(dynamo, lambda, other, storage);
    }

    private void printSchedule(Schedule schedule, List<Measured> measured, boolean small) {
        out.printf(Locale.ROOT, "%n%s%n", schedule.name());
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
                gbs += entry.perHour() * (f.tickSeconds() * template.memoryMb(entry.pass().tickFunction) / 1024.0
                        + (entry.pass().workerFunction == null ? 0 : f.workerSeconds() * template.memoryMb(entry.pass().workerFunction) / 1024.0));
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
            return;
        }
        out.printf(Locale.ROOT, "FLEET AVERAGE per account-month: 0.70 x 50 + 0.25 x 500 + 0.05 x 10,000 = $%.4f"
                + "  (goal $%.2f: %s); with the account's secret ($%.2f): $%.4f%n", fleet, GOAL, fleet < GOAL ? "met" : "NOT met",
                prices.secretPerMonth(), fleet + prices.secretPerMonth());
    }

    /** The probe's commands and its answers. */
    private final class Probe {
        private String lastCalls = "";
        private final BufferedReader lines;
        private final Writer commands;

        Probe(BufferedReader lines, Writer commands) {
            this.lines = lines;
            this.commands = commands;
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
                    lastCalls = line.substring(6);
                } else if (line.contains("\"level\":\"ERROR\"") || line.contains("Exception")) {
                    out.println("  probe: " + line);
                }
            }
            throw new IllegalStateException("the probe ended before answering " + command);
        }
    }
}
