package dev.kitebridge.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.kitebridge.bench.cold.ReferenceProbe;
import dev.kitebridge.bench.cold.UsersProbe;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Population;

/**
 * Cold start: a whole cold process of the users function (JVM start, handler init, one users list
 * answered from the sandbox, exit), from the deployment package, timed beside a reference process
 * (JVM start, one HTTP GET, one JSON parse) in the same run, alternately, and the median ratio
 * printed. The machine is shared and noisy: only the ratio means something.
 */
final class ColdStartBenchmark {

    private final PrintStream out;

    ColdStartBenchmark(PrintStream out) {
        this.out = out;
    }

    void run(int rounds) throws IOException, InterruptedException {
        Path functions = Path.of("functions/target/kitebridge-functions.jar");
        Path probes = Path.of("benchmarks/target/classes");
        if (!Files.isRegularFile(functions) || !Files.isDirectory(probes)) {
            throw new IllegalStateException("run from the repository's root after ./mvnw package: needs " + functions + " and " + probes);
        }
        try (Sandbox sandbox = Sandbox.builder().population(Population.of(100, 5))
                .limits(RateLimits.BUILDKITE.withRest(10_000, 10_000).withGraphql(1_000_000, 1_000_000)).start()) {
            Map<String, String> env = Map.of("KITEBRIDGE_BUILDKITE_REST_URL", sandbox.restUrl(),
                    "KITEBRIDGE_BUILDKITE_GRAPHQL_URL", sandbox.graphqlUrl(), "PROBE_BUILDKITE_TOKEN", sandbox.token());
            String classpath = functions + java.io.File.pathSeparator + probes;
            List<Long> users = new ArrayList<>();
            List<Long> reference = new ArrayList<>();
            time(classpath, env, UsersProbe.class); // the file cache warm for both, unreported
            time(classpath, env, ReferenceProbe.class);
            for (int i = 0; i < rounds; i++) {
                users.add(time(classpath, env, UsersProbe.class));
                reference.add(time(classpath, env, ReferenceProbe.class));
            }
            long usersMedian = median(users);
            long referenceMedian = median(reference);
            out.printf(Locale.ROOT, "cold users process (JVM, init, link, one 100-user page): median %d ms of %s%n", usersMedian, users);
            out.printf(Locale.ROOT, "cold reference process (JVM, one GET, one parse):       median %d ms of %s%n", referenceMedian,
                    reference);
            out.printf(Locale.ROOT, "%nRATIO (users / reference): %.2f   (goal: 1.5 or less)%n", (double) usersMedian / referenceMedian);
        }
    }

    /** Milliseconds from starting a JVM on the main class to its exit. */
    private static long time(String classpath, Map<String, String> env, Class<?> main) throws IOException, InterruptedException {
        ProcessBuilder process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", // as Lambda's Java runtimes start the JVM
                "-cp", classpath, main.getName());
        process.environment().putAll(env);
        process.environment().remove("KITEBRIDGE_TABLE");
        process.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        long started = System.nanoTime();
        int exit = process.start().waitFor();
        long took = (System.nanoTime() - started) / 1_000_000;
        if (exit != 0) {
            throw new IllegalStateException(main.getSimpleName() + " failed (exit " + exit + "); run it alone to see why");
        }
        return took;
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
