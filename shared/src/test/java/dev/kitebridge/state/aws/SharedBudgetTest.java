package dev.kitebridge.state.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import dev.kitebridge.VirtualTime;
import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.buildkite.Page;
import dev.kitebridge.buildkite.PageRequest;
import dev.kitebridge.buildkite.RetryPolicy;
import dev.kitebridge.buildkite.client.BuildkiteClient;
import dev.kitebridge.buildkite.rest.OrganizationMember;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Population;

/**
 * Eight workers, each with its own client and its own governor over one dynalite table (as eight
 * Lambda instances would be), walk one organization under the per-user REST limit of 50 a window:
 * together they stay inside it, and are no faster than the budget allows. Time is a virtual clock
 * shared by the clients (and so their governors, which read the time the client passes them) and
 * the sandbox, moved only by the workers' waits: the windows are counted on it, so the outcome does
 * not depend on how fast the machine runs.
 */
class SharedBudgetTest {

    static final int WORKERS = 8;

    @Test
    void eightWorkersShareOneBudgetThroughDynamoDb() throws Exception {
        VirtualTime time = new VirtualTime();
        try (Sandbox sandbox = time.sandbox().population(Population.of(1_300, 3)).limits(RateLimits.BUILDKITE).start()) {
            Dynalite.Table table = Dynalite.get().newTable();
            ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
            Instant started = time.now();
            try {
                List<Future<Integer>> walks = new ArrayList<>();
                for (int i = 0; i < WORKERS; i++) {
                    BuildkiteClient client = BuildkiteClient.builder(BuildkiteToken.of(sandbox.token()))
                            .restBaseUrl(URI.create(sandbox.restUrl())).graphqlUrl(URI.create(sandbox.graphqlUrl()))
                            .governor(time.governor(new DynamoDbRateLimitGovernor(table.client(), table.name(), time)))
                            .userBudgetKey("user:shared").time(time).maxWait(Duration.ofMinutes(10))
                            .retry(new RetryPolicy(4, Duration.ofMillis(5), Duration.ofMillis(50))).build();
                    walks.add(pool.submit(() -> walk(client)));
                }
                for (Future<Integer> walk : walks) {
                    assertEquals(1_300, walk.get());
                }
            } finally {
                pool.shutdownNow();
            }
            Duration took = Duration.between(started, time.now());
            long requests = sandbox.journal().calls("GET /v2/organizations/{org}/members");
            assertEquals(WORKERS * 13, requests);
            assertEquals(0, sandbox.journal().rateLimited(), "no worker was refused by Buildkite");
            // 104 requests at 50 a window take three windows: the last cannot open before two have passed.
            long windows = (requests + 49) / 50;
            Duration allowed = Duration.ofSeconds((windows - 1) * 60);
            assertTrue(took.compareTo(allowed) >= 0, "faster than the budget allows? " + took + " for " + allowed);
        }
    }

    static int walk(BuildkiteClient client) {
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
