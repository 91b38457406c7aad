package dev.kitebridge.bench;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.kitebridge.bench.cold.ReferenceProbe;
import dev.kitebridge.bench.cold.UsersProbe;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Population;
import dev.kitebridge.state.aws.Dynalite;
import dev.kitebridge.state.aws.MotoServer;

/**
 * Cold start: whole cold processes of the users function (JVM start, handler init, one users list
 * answered from the sandbox, exit), from its deployment package, timed beside a reference process
 * (JVM start, one HTTP GET, one JSON parse) in the same run, alternately, and the median ratios
 * printed. The users function runs with its state in memory, and with its state in DynamoDB
 * (dynalite) and Secrets Manager (moto) through each SDK HTTP client in turn. The
 * machine is shared and noisy: only the ratios mean something.
 */
final class ColdStartBenchmark {

    private static final Path PACKAGE = Path.of("functions/target/packages/api.jar");
    private static final Path PROBES = Path.of("benchmarks/target/classes");

    /** A kind of cold process: its main class, what it adds to the package's classpath, JVM flags, and whether its state is in AWS. */
    private record Probe(String label, Class<?> main, List<Path> classpath, List<String> flags, boolean aws) {}

    private final PrintStream out;

    ColdStartBenchmark(PrintStream out) {
        this.out = out;
    }

    void run(int rounds) throws IOException, InterruptedException {
        List<Probe> probes = new ArrayList<>();
        probes.add(new Probe("reference (JVM, one GET, one parse)", ReferenceProbe.class, List.of(), List.of(), false));
        probes.add(new Probe("users, state in memory", UsersProbe.class, List.of(), List.of(), false));
        for (SdkHttpClients client : SdkHttpClients.values()) {
            // The deployed client runs as deployed (found by the SDK's discovery); the others are put beside it and named.
            probes.add(client == SdkHttpClients.DEPLOYED
                    ? new Probe("users, state in AWS, " + client.label() + " (deployed)", UsersProbe.class, List.of(), List.of(), true)
                    : new Probe("users, state in AWS, " + client.label(), UsersProbe.class, List.of(client.jars().resolve("*")),
                            List.of("-D" + SdkHttpClients.PROPERTY + "=" + client.service()), true));
        }
        for (Path needed : List.of(PACKAGE, PROBES, SdkHttpClients.URL_CONNECTION.jars(), SdkHttpClients.CRT.jars())) {
            if (!Files.exists(needed)) {
                throw new IllegalStateException("run from the repository's root after ./mvnw package: needs " + needed);
            }
        }
        try (Sandbox sandbox = Sandbox.builder().population(Population.of(100, 5))
                .limits(RateLimits.BUILDKITE.withRest(10_000, 10_000).withGraphql(1_000_000, 1_000_000)).start()) {
            Map<String, String> env = new HashMap<>(Map.of("KITEBRIDGE_BUILDKITE_REST_URL", sandbox.restUrl(),
                    "KITEBRIDGE_BUILDKITE_GRAPHQL_URL", sandbox.graphqlUrl(), "PROBE_BUILDKITE_TOKEN", sandbox.token()));
            // As Lambda's environment: a region and the role's credentials (the SDK's default chain reads them).
            env.putAll(Map.of("AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "cold", "AWS_SECRET_ACCESS_KEY", "cold", "AWS_SESSION_TOKEN", "cold",
                    "KITEBRIDGE_DYNAMODB_ENDPOINT", Dynalite.get().endpoint().toString(),
                    "KITEBRIDGE_SECRETSMANAGER_ENDPOINT", MotoServer.get().endpoint().toString()));
            Map<Probe, List<Long>> times = new LinkedHashMap<>();
            for (Probe probe : probes) {
                time(probe, env); // the file cache warm for all, unreported
                times.put(probe, new ArrayList<>());
            }
            for (int i = 0; i < rounds; i++) {
                for (Probe probe : probes) {
                    times.get(probe).add(time(probe, env));
                }
            }
            long reference = median(times.get(probes.get(0)));
            out.printf(Locale.ROOT, "cold processes (the users function's with one 100-user page): median of %d in ms, and RATIO to the"
                    + " reference (goal for users: 1.5 or less)%n", rounds);
            times.forEach((probe, runs) -> out.printf(Locale.ROOT, "  %-42s %5d  RATIO %.2f   %s%n", probe.label(), median(runs),
                    (double) median(runs) / reference, runs));
        }
    }

    /** Milliseconds from starting a JVM on the probe's main class to its exit; a process with AWS state gets a new, empty table. */
    private static long time(Probe probe, Map<String, String> env) throws IOException, InterruptedException {
        List<String> classpath = new ArrayList<>(List.of(PACKAGE.toString(), PROBES.toString()));
        probe.classpath().forEach(path -> classpath.add(path.toString()));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1")); // as Lambda's Java runtimes start the JVM
        command.addAll(probe.flags());
        command.addAll(List.of("-cp", String.join(File.pathSeparator, classpath), probe.main().getName()));
        ProcessBuilder process = new ProcessBuilder(command);
        process.environment().putAll(env);
        process.environment().remove("KITEBRIDGE_TABLE");
        if (probe.aws()) {
            Dynalite.Table table = Dynalite.get().newTable();
            table.client().close();
            process.environment().put("KITEBRIDGE_TABLE", table.name());
        }
        process.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        long started = System.nanoTime();
        int exit = process.start().waitFor();
        long took = (System.nanoTime() - started) / 1_000_000;
        if (exit != 0) {
            throw new IllegalStateException(probe.label() + " failed (exit " + exit + "); run it alone to see why: " + command);
        }
        return took;
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
