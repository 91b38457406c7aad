package dev.kitebridge.bench;

import java.io.PrintStream;
import java.util.Collection;
import java.util.Locale;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import dev.kitebridge.bench.warm.WarmPageBenchmark;

/** Runs the warm-page JMH benchmark and prints the handler's time and allocations against the serialization floor. */
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
        double page = 0;
        double floor = 0;
        double pageBytes = 0;
        double floorBytes = 0;
        for (RunResult result : results) {
            String name = result.getParams().getBenchmark();
            Result<?> allocated = result.getSecondaryResults().get("gc.alloc.rate.norm");
            if (name.endsWith("usersPage")) {
                page = result.getPrimaryResult().getScore();
                pageBytes = allocated == null ? Double.NaN : allocated.getScore();
            } else {
                floor = result.getPrimaryResult().getScore();
                floorBytes = allocated == null ? Double.NaN : allocated.getScore();
            }
        }
        out.printf(Locale.ROOT, "%nwarm users page (100 users, Buildkite from memory): %.1f µs, %.0f bytes allocated%n", page, pageBytes);
        out.printf(Locale.ROOT, "floor (the same 100 records, ObjectMapper alone):  %.1f µs, %.0f bytes allocated%n", floor, floorBytes);
        out.printf(Locale.ROOT, "%nRATIO (page / floor): time %.2f, allocations %.2f   (goal: time 2 or less)%n", page / floor,
                pageBytes / floorBytes);
    }
}
