package dev.kitebridge.buildkite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.kitebridge.LogCapture;
import dev.kitebridge.VirtualTime;
import dev.kitebridge.buildkite.client.BuildkiteClient;
import dev.kitebridge.buildkite.graphql.MemberQuery;
import dev.kitebridge.buildkite.graphql.Nodes.MemberNode;
import dev.kitebridge.buildkite.ratelimit.Budget;
import dev.kitebridge.buildkite.ratelimit.BudgetState;
import dev.kitebridge.buildkite.ratelimit.RateLimitGovernor;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Population;

/**
 * The client reads each {@code RateLimit-*} group for the budget its scope names, and never waits
 * for a call no window can grant.
 */
class BudgetScopesTest {

    private static final String GRAPHQL_ROUTE = "POST /graphql";

    private final VirtualTime time = new VirtualTime();

    @Test
    void restScopedHeadersOnGraphqlAnswersAreIgnoredAndSaidOnce() {
        // As the endpoint of the issue did: REST's headers (user limit 50) on every GraphQL answer.
        try (Sandbox sandbox = time.sandbox().population(Population.of(1_000, 5))
                .limits(RateLimits.BUILDKITE.withRestHeadersOnGraphql()).start();
             LogCapture log = LogCapture.of(Transport.class.getName())) {
            RateLimitGovernor governor = SandboxClients.governor();
            BuildkiteClient buildkite = SandboxClients.builder(sandbox, time).governor(governor).maxWait(Duration.ofMinutes(10)).build();
            Instant start = time.now();

            List<MemberNode> members = MemberWalkTest.graphqlWalk(buildkite, 100);

            assertEquals(1_000, members.size());
            assertEquals(10, sandbox.journal().calls(GRAPHQL_ROUTE), "1,000 members at 4 points fit one 5,000-point window");
            assertEquals(0, sandbox.journal().rateLimited());
            assertEquals(start, time.now(), "nothing waited for a 50-point budget");
            BudgetState points = governor.state(Budget.user(Budget.Api.GRAPHQL, sandbox.owner().uuid())).orElseThrow();
            assertEquals(BudgetState.UNKNOWN, points.limit(), "REST's numbers were not taken for the GraphQL budget");
            List<String> said = log.lines().stream().filter(l -> l.contains("ignored (said once)")).toList();
            assertEquals(2, said.size(), "each mismatch once, not once per answer: " + said);
            assertTrue(said.stream().anyMatch(l -> l.contains("RateLimit-User-Scope: rest_user where graphql_user was expected")), said.toString());
            assertTrue(said.stream().anyMatch(l -> l.contains("RateLimit-Scope: rest where graphql was expected")), said.toString());
        }
    }

    @Test
    void aPageCostingMoreThanTheGraphqlUserLimitFailsAtOnceNamingTheBudgetAndTheCost() {
        try (Sandbox sandbox = time.sandbox().population(Population.of(1_000, 5))
                .limits(RateLimits.BUILDKITE.withGraphql(20_000, 300)).start()) {
            BuildkiteClient buildkite = SandboxClients.builder(sandbox, time).maxWait(Duration.ofHours(1)).build();
            // The first page goes out while the budget is unknown; its answer says the window holds 300 points.
            String after = buildkite.graphql().members().list("acme", MemberQuery.page(100, null)).next().orElseThrow();
            Instant before = time.now();

            BuildkiteException.OverLimit over = assertThrows(BuildkiteException.OverLimit.class,
                    () -> buildkite.graphql().members().list("acme", MemberQuery.page(100, after)));

            assertEquals("graphql_user", over.scope());
            assertEquals(300, over.limit());
            assertTrue(over.cost() > 300, "a page of 100 members costs about 404 points: " + over.cost());
            assertTrue(over.getMessage().contains("graphql_user") && over.getMessage().contains(Long.toString(over.cost())),
                    over.getMessage());
            assertEquals(before, time.now(), "refused without waiting for a window");
            assertEquals(1, sandbox.journal().calls(GRAPHQL_ROUTE), "the second page was never sent");
        }
    }
}
