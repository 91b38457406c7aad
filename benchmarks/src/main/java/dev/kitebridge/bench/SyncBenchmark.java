package dev.kitebridge.bench;

import static dev.kitebridge.bench.OrganizationWork.PAGE;
import static dev.kitebridge.bench.OrganizationWork.POINTS_PER_INVITATION;
import static dev.kitebridge.bench.OrganizationWork.POINTS_PER_MEMBER;
import static dev.kitebridge.bench.OrganizationWork.QUERY_OVERHEAD;
import static dev.kitebridge.bench.OrganizationWork.ceil;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import dev.kitebridge.bench.fleet.FleetBenchmark;
import dev.kitebridge.bench.sync.SyncProbe;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Population;
import dev.kitebridge.sandbox.model.World;
import dev.kitebridge.state.aws.Dynalite;

/**
 * A first full sync of a sandbox organization under Buildkite's per-user budgets on a clock
 * {@code scale} times as fast as real time, run by a worker process with a 256 MB heap and its state
 * on dynalite, against the floor: the time the REST and GraphQL budgets, spent in parallel, need
 * for everything the sync reads. Prints the ratio, Buildkite's 429s and the worker's heap peak.
 */
final class SyncBenchmark {

    /** The worker's heap (-Dkitebridge.bench.heap=48m: does it fit in less?). */
    private static final String HEAP = System.getProperty("kitebridge.bench.heap", "256m");

    private final PrintStream out;
    private final double scale;
    /**
     * The second full run, after a day's visits, nothing else changed: in-place, whole (a whole generation, as before runs
     * were in place), or none.
     */
    private final String second;
    /** The share of the members seen by Buildkite before the second run (their last seen moves). */
    private final double seenShare;

    SyncBenchmark(PrintStream out, double scale, String second, double seenShare) {
        this.out = out;
        this.scale = scale;
        this.second = second;
        this.seenShare = seenShare;
    }

    double run(int members, int teams) throws Exception {
        Population population = Population.of(members, teams);
        try (Sandbox sandbox = Sandbox.builder().population(population).limits(RateLimits.BUILDKITE).timeScale(scale).start()) {
            out.printf(Locale.ROOT, "%n== first sync: %,d members, %,d teams (seed %d), Buildkite's per-user budgets, clock x%.0f ==%n",
                    members, teams, population.seed(), scale);
            double floor = printFloor(sandbox.world(), sandbox.limits());
            Dynalite.Table table = Dynalite.get().newTable();
            long rateLimitedBefore = sandbox.journal().rateLimited();
            Map<String, String> env = new HashMap<>(Map.of("PROBE_SCALE", Double.toString(scale), "PROBE_BUILDKITE_TOKEN", sandbox.token(),
                    "PROBE_REST_URL", sandbox.restUrl(), "PROBE_GRAPHQL_URL", sandbox.graphqlUrl(),
                    "KITEBRIDGE_TABLE", table.name(), "AWS_REGION", table.config().region(),
                    "KITEBRIDGE_DYNAMODB_ENDPOINT", table.config().dynamoDbEndpoint().toString()));
            env.put("PROBE_SECOND", second);
            AtomicInteger seen = new AtomicInteger();
            Map<String, String> result = probe(env, () -> seen.set(sandbox.world().membersSeen(
                    sandbox.world().organizations().get(0).uuid(), seenShare, FleetBenchmark.visitsRandom(population.seed())).size()));
            long rateLimited = sandbox.journal().rateLimited() - rateLimitedBefore;
            double read = Double.parseDouble(result.get("read_seconds"));
            double after = Double.parseDouble(result.get("after_read_real_seconds"));
            out.printf(Locale.ROOT, "sync: %s users, %s groups, %s memberships, %s events; %s Buildkite calls over %s workers%n",
                    result.get("users"), result.get("groups"), result.get("memberships"), result.get("events"), result.get("buildkite_calls"),
                    result.get("workers"));
            out.printf(Locale.ROOT, "time: reading %.0f s (Buildkite's clock) + comparing and publishing %.1f s (real, DynamoDB only) = %.0f s%n",
                    read, after, read + after);
            out.printf(Locale.ROOT, "429s from Buildkite: %d%n", rateLimited);
            out.printf(Locale.ROOT, "worker heap: peak %.1f MB (sum of the heap pools' peaks) with -Xmx%s%n",
                    Double.parseDouble(result.get("heap_peak_mb")), HEAP);
            double ratio = (read + after) / floor;
            out.printf(Locale.ROOT, "snapshot items written: %,d%n", Long.parseLong(result.get("items_written")));
            out.printf(Locale.ROOT, "RATIO sync / floor = %.2f   (goal: 1.15 or less, and no 429)%n", ratio);
            if (result.containsKey("second_status")) {
                double secondRead = Double.parseDouble(result.get("second_read_seconds"));
                double secondAfter = Double.parseDouble(result.get("second_after_read_real_seconds"));
                out.printf(Locale.ROOT, "%n-- a second full run, %s (after the budgets refill), after a day's visits: %,d members seen (%.0f%%,"
                        + " --seen-share), nothing else changed --%n", result.get("second_mode"), seen.get(), seenShare * 100);
                out.printf(Locale.ROOT, "second run: %s, %s events; %s Buildkite calls over %s workers%n", result.get("second_status"),
                        result.get("second_events"), result.get("second_buildkite_calls"), result.get("second_workers"));
                out.printf(Locale.ROOT, "time: reading %.0f s (Buildkite's clock) + comparing, publishing and keeping %.1f s (real) = %.0f s%n",
                        secondRead, secondAfter, secondRead + secondAfter);
                out.printf(Locale.ROOT, "snapshot items written (puts and deletes): %,d into the account's generation (%,d items),"
                                + " %,d into the run's own (%,d of them markers); %,d keys looked up%n",
                        Long.parseLong(result.get("second_written_base")), Long.parseLong(result.get("base_items")),
                        Long.parseLong(result.get("second_written_own")), Long.parseLong(result.get("second_markers")),
                        Long.parseLong(result.get("second_looked_up")));
                out.printf(Locale.ROOT, "worker heap: peak %.1f MB during the second run with -Xmx%s%n",
                        Double.parseDouble(result.get("second_heap_peak_mb")), HEAP);
                out.printf(Locale.ROOT, "RATIO second run / floor = %.2f%n", (secondRead + secondAfter) / floor);
            }
            return ratio;
        }
    }

    /** Runs the worker process and reads its result line; {@code visits} when it asks for a day's visits. */
    private Map<String, String> probe(Map<String, String> env, Runnable visits) throws Exception {
        // Every SDK client of the worker metered (as the fleet benchmark does): the second run's units by operation and item.
        Path interceptors = java.nio.file.Files.createTempDirectory("kitebridge-sync-meter");
        Path registration = interceptors.resolve("software/amazon/awssdk/global/handlers/execution.interceptors");
        java.nio.file.Files.createDirectories(registration.getParent());
        java.nio.file.Files.writeString(registration, dev.kitebridge.bench.fleet.CapacityMeter.Global.class.getName() + "\n");
        ProcessBuilder process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + HEAP,
                "-cp", interceptors + java.io.File.pathSeparator + System.getProperty("java.class.path"), SyncProbe.class.getName());
        process.environment().putAll(env);
        process.redirectErrorStream(true);
        Process running = process.start();
        Map<String, String> result = new HashMap<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(running.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.equals(SyncProbe.VISITS)) {
                    visits.run();
                    running.getOutputStream().write('\n');
                    running.getOutputStream().flush();
                } else if (line.startsWith("RESULT ")) {
                    for (String pair : line.substring(7).split(" ")) {
                        String[] kv = pair.split("=", 2);
                        result.put(kv[0], kv[1]);
                    }
                } else if (!line.isBlank()) {
                    out.println("  worker: " + line);
                }
            }
        }
        if (running.waitFor() != 0 || result.isEmpty()) {
            throw new IllegalStateException("the sync worker failed: " + result);
        }
        return result;
    }

    /**
     * The floor. REST: organizations, member pages, team pages, each team's member and pipeline
     * pages, 100 a request. GraphQL: what only GraphQL has, 4 points a member and 4 a query of 100,
     * and the pending invitations (which REST would list only with a scope the contract does not
     * ask). A window opens on first use, so X at L a window of W seconds takes (ceil(X/L) - 1) * W.
     */
    private double printFloor(World world, RateLimits limits) {
        OrganizationWork work = OrganizationWork.of(world);
        long rest = 1 + work.memberPages() + work.teamPages() + work.teamMemberPages() + work.teamPipelinePages();
        long invitationQueries = Math.max(1, ceil(work.pendingInvitations(), PAGE));
        long points = work.memberPoints() + work.pendingInvitations() * POINTS_PER_INVITATION + QUERY_OVERHEAD * invitationQueries;
        double restSeconds = OrganizationWork.seconds(rest, limits.restPerUser(), limits.restWindow());
        double graphqlSeconds = OrganizationWork.seconds(points, limits.graphqlPointsPerUser(), limits.graphqlWindow());
        out.printf(Locale.ROOT, "floor, REST: 1 + %d member pages + %d team pages + %d team-member pages + %d team-pipeline pages"
                        + " = %d requests -> %d windows of %d -> %.0f s%n", work.memberPages(), work.teamPages(), work.teamMemberPages(),
                work.teamPipelinePages(), rest, ceil(rest, limits.restPerUser()), limits.restPerUser(), restSeconds);
        out.printf(Locale.ROOT, "floor, GraphQL: %d members x %d + %d invitations x %d + %d queries x %d = %,d points"
                        + " -> %d windows of %,d -> %.0f s%n", work.members(), POINTS_PER_MEMBER, work.pendingInvitations(),
                POINTS_PER_INVITATION, work.memberPages() + invitationQueries, QUERY_OVERHEAD, points,
                ceil(points, limits.graphqlPointsPerUser()), limits.graphqlPointsPerUser(), graphqlSeconds);
        double floor = Math.max(restSeconds, graphqlSeconds);
        out.printf(Locale.ROOT, "floor = max(%.0f, %.0f) = %.0f s%n", restSeconds, graphqlSeconds, floor);
        return floor;
    }
}
