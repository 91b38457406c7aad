package dev.kitebridge.bench;

import java.io.PrintStream;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import dev.kitebridge.bench.warm.WarmPageBenchmark;

/** Runs the warm-page JMH benchmark and prints the handler's time and allocations, per state and SDK HTTP client, against the serialization floor. */
final class WarmPageRun {

    private final PrintStream out;

    WarmPageRun(PrintStream out) {
        this.out = out;
    }

    void run() throws RunnerException {
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(WarmPageBenchmark.class.getName())
                .forks(1)
                .warmupIterations(5).warmupTime(org.openjdk.jmh.runner.options.TimeValue.seconds(2))
                .measurementIterations(5).measurementTime(org.openjdk.jmh.runner.options.TimeValue.seconds(2))
                .addProfiler(GCProfiler.class)
                .build()).run();
        Measured floor = null;
        Map<String, Measured> pages = new LinkedHashMap<>();
        for (RunResult result : results) {
            String name = result.getParams().getBenchmark();
            if (name.endsWith(".serializeOnly")) {
                floor = Measured.of(result);
            } else {
                pages.put(name.endsWith(".usersPage") ? "state in memory" : "state in AWS, " + result.getParams().getParam("client"),
                        Measured.of(result));
            }
        }
        Measured floorOf = floor;
        out.printf(Locale.ROOT, "%nwarm users page (100 users, Buildkite from memory), and RATIO to the floor (goal: time 2 or less):%n");
        pages.forEach((name, page) -> out.printf(Locale.ROOT, "  %-28s %9.1f µs, %9.0f bytes allocated   RATIO time %.2f, allocations %.2f%n",
                name, page.micros(), page.bytes(), page.micros() / floorOf.micros(), page.bytes() / floorOf.bytes()));
        out.printf(Locale.ROOT, "  %-28s %9.1f µs, %9.0f bytes allocated%n", "floor (ObjectMapper alone)", floor.micros(), floor.bytes());
    }

    /** A benchmark's average time and allocations per operation. */
    private record Measured(double micros, double bytes) {

        static Measured of(RunResult result) {
            Result<?> allocated = result.getSecondaryResults().get("gc.alloc.rate.norm");
            return new Measured(result.getPrimaryResult().getScore(), allocated == null ? Double.NaN : allocated.getScore());
        }
    }
}
