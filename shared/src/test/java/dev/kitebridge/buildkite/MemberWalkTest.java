package dev.kitebridge.buildkite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.kitebridge.VirtualTime;
import dev.kitebridge.buildkite.client.BuildkiteClient;
import dev.kitebridge.buildkite.graphql.Connection;
import dev.kitebridge.buildkite.graphql.MemberQuery;
import dev.kitebridge.buildkite.graphql.Nodes.MemberNode;
import dev.kitebridge.buildkite.ratelimit.RateLimitGovernor;
import dev.kitebridge.buildkite.rest.OrganizationMember;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.faults.FaultPlan;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Population;

/**
 * Walking every member of an organization: what it costs, what faults it survives, and how it
 * paces itself inside Buildkite's budgets. Counts come from the sandbox's journal.
 */
class MemberWalkTest {

    /** The client's and the sandbox's clock: windows pass when the client waits, however fast the machine is. */
    private final VirtualTime time = new VirtualTime();

    private static final String MEMBERS_ROUTE = "GET /v2/organizations/{org}/members";
    private static final String GRAPHQL_ROUTE = "POST /graphql";

    @Test
    void twoThousandMembersTake20RestRequestsOr4GraphqlQueries() {
        // 2,000 members at 4 points each are more than one user's 5,000 GraphQL points per window,
        // so the walk waits for a window (on the virtual clock: at once).
        try (Sandbox sandbox = time.sandbox().population(Population.of(2_000, 50)).start()) {
            BuildkiteClient buildkite = SandboxClients.builder(sandbox, time).maxWait(Duration.ofMinutes(10)).build();

            List<OrganizationMember> viaRest = restWalk(buildkite);
            assertEquals(20, sandbox.journal().calls(MEMBERS_ROUTE));
            assertEachOnce(viaRest.stream().map(OrganizationMember::id).toList(), 2_000);

            List<MemberNode> viaGraphql = graphqlWalk(buildkite);
            assertEquals(4, sandbox.journal().calls(GRAPHQL_ROUTE));
            assertEachOnce(viaGraphql.stream().map(m -> m.user().uuid()).toList(), 2_000);
            assertEquals(0, sandbox.journal().rateLimited());
        }
    }

    @Test
    void aWalkThroughServerErrorsResetsAndTruncatedBodiesReturnsExactlyTheSameMembers() {
        try (Sandbox sandbox = time.sandbox().population(Population.of(2_000, 50))
                .limits(RateLimits.BUILDKITE.withRest(10_000, 10_000).withGraphql(1_000_000, 1_000_000)).start()) {
            BuildkiteClient buildkite = SandboxClients.builder(sandbox, time).build();
            List<OrganizationMember> clean = restWalk(buildkite);
            List<MemberNode> cleanGraphql = graphqlWalk(buildkite);

            FaultPlan faults = new FaultPlan(0.10, 0.05, 0.05, Duration.ZERO);
            sandbox.faults().set(MEMBERS_ROUTE, faults).set(GRAPHQL_ROUTE, faults);
            sandbox.journal().clear();
            for (int run = 0; run < 3; run++) {
                assertEquals(clean, restWalk(buildkite));
                assertEquals(cleanGraphql, graphqlWalk(buildkite));
            }
            long injected = sandbox.journal().count(e -> e.fault() != null);
            assertTrue(injected >= 10, "faults were injected: " + injected);
            for (String kind : List.of("server_error", "reset", "truncated")) {
                assertTrue(sandbox.journal().count(e -> kind.equals(e.fault())) > 0, "no " + kind + " was injected");
            }
        }
    }

    @Test
    void aWalkOf120RequestsUnderTheUserLimitOf50PacesItselfToZero429s() {
        try (Sandbox sandbox = time.sandbox().population(Population.of(1_200, 5))
                .limits(RateLimits.BUILDKITE.withRest(200, 50)).start()) {
            BuildkiteClient buildkite = SandboxClients.builder(sandbox, time).maxWait(Duration.ofMinutes(5)).build();
            List<OrganizationMember> all = RestResourcesTest.walk(page -> buildkite.organizations().members("acme", page), 10);
            assertEquals(120, sandbox.journal().calls(MEMBERS_ROUTE));
            assertEquals(0, sandbox.journal().rateLimited(), "the client waited for each window instead of hitting the limit");
            assertEachOnce(all.stream().map(OrganizationMember::id).toList(), 1_200);
        }
    }

    @Test
    void concurrentClientsOfOneUserShareOneBudget() throws Exception {
        try (Sandbox sandbox = time.sandbox().population(Population.of(1_000, 5))
                .limits(RateLimits.BUILDKITE.withRest(200, 50)).start()) {
            RateLimitGovernor shared = time.governor();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<List<OrganizationMember>>> walks = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    BuildkiteClient client = SandboxClients.builder(sandbox, time).governor(shared).maxWait(Duration.ofMinutes(5)).build();
                    walks.add(pool.submit(() -> RestResourcesTest.walk(page -> client.organizations().members("acme", page), 25)));
                }
                for (Future<List<OrganizationMember>> walk : walks) {
                    assertEquals(1_000, walk.get().size());
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(160, sandbox.journal().calls(MEMBERS_ROUTE));
            assertEquals(0, sandbox.journal().rateLimited());
        }
    }

    @Test
    void a429BurstIsWaitedOutWhenTheResetFitsTheCallersWait() {
        try (Sandbox sandbox = time.sandbox().population(Population.of(300, 5)).start()) {
            BuildkiteClient patient = SandboxClients.builder(sandbox, time).maxWait(Duration.ofSeconds(30)).build();
            sandbox.faults().burst429(MEMBERS_ROUTE, 1, 20);
            assertEquals(300, restWalkOf(patient, 100).size());
            assertEquals(1, sandbox.journal().rateLimited());

            BuildkiteClient hasty = SandboxClients.builder(sandbox, time).userBudgetKey("hasty").maxWait(Duration.ofSeconds(5)).build();
            sandbox.faults().burst429(MEMBERS_ROUTE, 1, 40);
            BuildkiteException.RateLimited limited = org.junit.jupiter.api.Assertions.assertThrows(
                    BuildkiteException.RateLimited.class, () -> hasty.organizations().members("acme", PageRequest.first(10)));
            assertTrue(limited.retryAfter().toSeconds() > 5 && limited.retryAfter().toSeconds() <= 40, limited.retryAfter().toString());
            assertEquals("rest_user", limited.scope());
        }
    }

    @Test
    void aGraphqlBurstIsWaitedOutAndLeavesTheBudgetWhole() {
        try (Sandbox sandbox = time.sandbox().population(Population.of(1_000, 5)).start()) {
            BuildkiteClient buildkite = SandboxClients.builder(sandbox, time).maxWait(Duration.ofMinutes(2)).build();
            sandbox.faults().burst429(GRAPHQL_ROUTE, 1, 20);
            assertEquals(1_000, graphqlWalk(buildkite).size());
            assertEquals(1, sandbox.journal().rateLimited());
            // 1,000 members at 4 points fit one 5,000-point window: no wait for a window after the burst.
            assertEquals(3, sandbox.journal().calls(GRAPHQL_ROUTE));
        }
    }

    static List<OrganizationMember> restWalk(BuildkiteClient buildkite) {
        return restWalkOf(buildkite, 100);
    }

    private static List<OrganizationMember> restWalkOf(BuildkiteClient buildkite, int perPage) {
        return RestResourcesTest.walk(page -> buildkite.organizations().members("acme", page), perPage);
    }

    static List<MemberNode> graphqlWalk(BuildkiteClient buildkite) {
        return graphqlWalk(buildkite, 500);
    }

    static List<MemberNode> graphqlWalk(BuildkiteClient buildkite, int perPage) {
        List<MemberNode> all = new ArrayList<>();
        String after = null;
        do {
            Connection<MemberNode> page = buildkite.graphql().members().list("acme", MemberQuery.page(perPage, after).withOrder("NAME"));
            all.addAll(page.nodes());
            after = page.next().orElse(null);
        } while (after != null);
        return all;
    }

    private static void assertEachOnce(List<String> ids, int expected) {
        Set<String> unique = new HashSet<>(ids);
        assertEquals(ids.size(), unique.size(), "a member came twice");
        assertEquals(expected, unique.size());
    }
}
