package dev.kitebridge.bench;

import java.util.List;
import java.util.Locale;

import dev.kitebridge.bench.fleet.FleetBenchmark;

/**
 * The benchmark commands.
 *
 * <pre>
 * java -jar benchmarks/target/kitebridge-benchmarks.jar users-walk [--scale 60]
 * java -jar benchmarks/target/kitebridge-benchmarks.jar shared-budget [--scale 10]
 * java -jar benchmarks/target/kitebridge-benchmarks.jar organization-budget [--scale 10]
 * java -jar benchmarks/target/kitebridge-benchmarks.jar cold-start [--rounds 7]
 * java -jar benchmarks/target/kitebridge-benchmarks.jar warm-page
 * java -jar benchmarks/target/kitebridge-benchmarks.jar sync [--scale 20] [--small] [--second in-place|whole|none] [--seen-share 0.5]
 * java -jar benchmarks/target/kitebridge-benchmarks.jar fleet [--scale 20] [--small] [--passes 2] [--audit-share 0] [--seen-share 0.5] [--no-webhooks]
 * java -jar benchmarks/target/kitebridge-benchmarks.jar freshness [--small]
 * </pre>
 */
public final class BenchMain {

    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        List<String> rest = List.of(args);
        if (rest.isEmpty() || !List.of("users-walk", "shared-budget", "organization-budget", "cold-start", "warm-page", "sync", "fleet", "freshness").contains(rest.get(0))) {
            System.out.println("usage: java -jar benchmarks/target/kitebridge-benchmarks.jar users-walk [--scale 60] | shared-budget [--scale 10]"
                    + " | organization-budget [--scale 10]"
                    + " | cold-start [--rounds 7] | warm-page | sync [--scale 20] [--small] [--second in-place|whole|none] [--seen-share 0.5]"
                    + " | fleet [--scale 20] [--small] [--passes 2] [--audit-share 0] [--seen-share 0.5] [--no-webhooks] | freshness [--small]");
            System.exit(rest.isEmpty() ? 0 : 2);
        }
        // This jar carries every SDK HTTP client measured; the benchmarks' own SDK clients use the deployed one.
        System.setProperty(SdkHttpClients.PROPERTY, SdkHttpClients.DEPLOYED.service());
        if (rest.get(0).equals("sync")) {
            // DynamoDB round trips take real milliseconds, which a faster clock would stretch into Buildkite seconds.
            double scale = number(rest, "--scale", 20);
            String second = rest.indexOf("--second") > 0 ? rest.get(rest.indexOf("--second") + 1) : "in-place";
            double seenShare = number(rest, "--seen-share", FleetBenchmark.DEFAULT_SEEN_SHARE);
            SyncBenchmark sync = new SyncBenchmark(System.out, scale, second, seenShare);
            if (rest.contains("--small")) {
                sync.run(2_000, 50);
            } else {
                sync.run(10_000, 250);
            }
            return;
        }
        if (rest.get(0).equals("fleet")) {
            // As sync: DynamoDB's real milliseconds, stretched by a faster clock, would count as Buildkite's seconds.
            double scale = number(rest, "--scale", 20);
            int passes = (int) number(rest, "--passes", 2);
            double auditShare = number(rest, "--audit-share", 0);
            double seenShare = number(rest, "--seen-share", FleetBenchmark.DEFAULT_SEEN_SHARE);
            new FleetBenchmark(System.out, scale, passes, 10, auditShare, seenShare, !rest.contains("--no-webhooks"),
                    java.nio.file.Path.of("template.yaml")).run(rest.contains("--small"));
            return;
        }
        if (rest.get(0).equals("freshness")) {
            // On Buildkite's clock, which moves only when Kitebridge waits: no scale to choose.
            new dev.kitebridge.bench.freshness.FreshnessBenchmark(System.out, java.nio.file.Path.of("template.yaml"))
                    .run(rest.contains("--small") ? dev.kitebridge.bench.freshness.FreshnessBenchmark.Size.SMALL
                            : dev.kitebridge.bench.freshness.FreshnessBenchmark.Size.FULL);
            System.exit(0);
        }
        if (rest.get(0).equals("warm-page")) {
            new WarmPageRun(System.out).run();
            return;
        }
        if (rest.get(0).equals("cold-start")) {
            new ColdStartBenchmark(System.out).run((int) number(rest, "--rounds", 7));
            return;
        }
        if (rest.get(0).equals("shared-budget")) {
            // DynamoDB round trips take real milliseconds, which a faster clock would stretch into Buildkite seconds.
            double scale = number(rest, "--scale", 10);
            new SharedBudgetBenchmark(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()), scale).run(2, 200);
            new SharedBudgetBenchmark(System.out, scale).run(8, 2_500);
            return;
        }
        if (rest.get(0).equals("organization-budget")) {
            // Twelve lanes' real milliseconds, stretched by a faster clock, would blur one window into the next.
            double orgScale = number(rest, "--scale", 10);
            // A small run first, unreported, so that class loading and the JIT do not count as Buildkite's time.
            new OrganizationBudgetBenchmark(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()), orgScale).run(6, 300);
            new OrganizationBudgetBenchmark(System.out, orgScale).run(6, 2_500);
            return;
        }
        double scale = number(rest, "--scale", 60);
        UsersWalkBenchmark benchmark = new UsersWalkBenchmark(System.out, scale);
        // A small walk first, unreported, so that class loading and the JIT do not count as Buildkite's time.
        new UsersWalkBenchmark(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()), scale).run(300, 10);
        if (rest.contains("--small")) {
            benchmark.run(2_000, 50);
            return;
        }
        double small = benchmark.run(2_000, 50);
        double large = benchmark.run(10_000, 250);
        System.out.printf(Locale.ROOT, "%nRATIOS (walk / floor): 2,000 members %.2f, 10,000 members %.2f%n", small, large);
    }

    /** The number after {@code option} on the command line, or {@code otherwise} where it is not given. */
    private static double number(List<String> args, String option, double otherwise) {
        int at = args.indexOf(option);
        return at > 0 ? Double.parseDouble(args.get(at + 1)) : otherwise;
    }
}
