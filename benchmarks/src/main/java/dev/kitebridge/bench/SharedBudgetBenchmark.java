package dev.kitebridge.bench;

import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.buildkite.Page;
import dev.kitebridge.buildkite.PageRequest;
import dev.kitebridge.buildkite.client.BuildkiteClient;
import dev.kitebridge.buildkite.rest.OrganizationMember;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Population;
import dev.kitebridge.state.aws.Dynalite;
import dev.kitebridge.state.aws.DynamoDbRateLimitGovernor;
import dev.kitebridge.time.TimeSource;

/**
 * Eight workers, each with its own client and its own DynamoDB governor over one dynalite table,
 * walk one organization's members under Buildkite's per-user REST limit of 50 requests a minute
 * (on a clock {@code scale} times as fast). Prints the walk's time over the time the budget
 * allows for the requests made, and the 429s Buildkite answered.
 */
final class SharedBudgetBenchmark {

    private final PrintStream out;
    private final double scale;

    SharedBudgetBenchmark(PrintStream out, double scale) {
        this.out = out;
        this.scale = scale;
    }

    double run(int workers, int members) throws Exception {
        try (Sandbox sandbox = Sandbox.builder().population(Population.of(members, 3)).limits(RateLimits.BUILDKITE).timeScale(scale).start()) {
            Dynalite.Table table = Dynalite.get().newTable();
            ExecutorService pool = Executors.newFixedThreadPool(workers);
            long started = System.nanoTime();
            try {
                List<Future<Integer>> walks = new ArrayList<>();
                for (int i = 0; i < workers; i++) {
                    TimeSource time = TimeSource.scaled(scale); // each worker its own instance, as Lambdas are
                    BuildkiteClient client = BuildkiteClient.builder(BuildkiteToken.of(sandbox.token()))
                            .restBaseUrl(URI.create(sandbox.restUrl())).graphqlUrl(URI.create(sandbox.graphqlUrl()))
                            .governor(new DynamoDbRateLimitGovernor(table.client(), table.name(), time))
                            .userBudgetKey("user:bench").time(time).maxWait(Duration.ofHours(1)).build();
                    walks.add(pool.submit(() -> walk(client)));
                }
                for (Future<Integer> walk : walks) {
                    walk.get();
                }
            } finally {
                pool.shutdownNow();
            }
            double seconds = (System.nanoTime() - started) / 1e9 * scale;
            long requests = sandbox.journal().calls("GET /v2/organizations/{org}/members");
            int limit = RateLimits.BUILDKITE.restPerUser();
            long window = RateLimits.BUILDKITE.restWindow().toSeconds();
            double allowed = (Math.ceil(requests / (double) limit) - 1) * window;
            double ratio = seconds / allowed;
            out.printf(Locale.ROOT, "%d workers, %,d members each: %d requests; the budget allows them in (ceil(%d/%d) - 1) x %d s = %.0f s;"
                    + " the walk took %.0f s; %d answers of 429 from Buildkite%n", workers, members, requests, requests, limit, window,
                    allowed, seconds, sandbox.journal().rateLimited());
            out.printf(Locale.ROOT, "RATIO walk / budget = %.2f%n", ratio);
            return ratio;
        }
    }

    private static int walk(BuildkiteClient client) {
        int members = 0;
        Optional<PageRequest> next = Optional.of(PageRequest.first(100));
        while (next.isPresent()) {
            Page<OrganizationMember> page = client.organizations().members("acme", next.get());
            members += page.items().size();
            next = page.next();
        }
        return members;
    }
}
