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
import dev.kitebridge.buildkite.graphql.Connection;
import dev.kitebridge.buildkite.graphql.MemberQuery;
import dev.kitebridge.buildkite.graphql.Nodes.MemberNode;
import dev.kitebridge.buildkite.ratelimit.InMemoryRateLimitGovernor;
import dev.kitebridge.buildkite.ratelimit.RateLimitGovernor;
import dev.kitebridge.buildkite.rest.OrganizationMember;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.journal.JournalEntry;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.ApiToken;
import dev.kitebridge.sandbox.model.Member;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.Population;
import dev.kitebridge.time.TimeSource;

/**
 * Several integrated accounts of one organization (tokens of different users, each with its own
 * user budgets) read it at once: each walks its members by REST and their profiles by GraphQL,
 * both lanes in parallel, through one governor, as the accounts of one process would. Six users'
 * budgets add up to more than the organization's (REST 300 a minute against 200; GraphQL 30,000
 * points per 5 minutes against 20,000), so the organization's budgets bind. Prints the floor those
 * allow for what was sent (measured from the sandbox's journal in the same run), the time taken
 * over it, and Buildkite's 429s, on a clock {@code scale} times as fast.
 */
final class OrganizationBudgetBenchmark {

    private static final String MEMBERS_ROUTE = "GET /v2/organizations/{org}/members";

    private final PrintStream out;
    private final double scale;

    OrganizationBudgetBenchmark(PrintStream out, double scale) {
        this.out = out;
        this.scale = scale;
    }

    double run(int accounts, int members) throws Exception {
        try (Sandbox sandbox = Sandbox.builder().population(Population.of(members, 3)).limits(RateLimits.BUILDKITE).timeScale(scale).start()) {
            Organization acme = sandbox.world().organizations().get(0);
            ApiToken owner = sandbox.world().tokenBySecret(sandbox.token()).orElseThrow();
            List<String> secrets = new ArrayList<>(List.of(owner.secret()));
            for (Member admin : sandbox.world().members(acme.uuid()).stream()
                    .filter(m -> m.role() == Member.Role.ADMIN && !m.userUuid().equals(owner.userUuid())).limit(accounts - 1L).toList()) {
                secrets.add(sandbox.issueToken(admin.userUuid(), owner.scopes(), owner.organizationSlugs(), null).secret());
            }
            if (secrets.size() < accounts) {
                throw new IllegalStateException("the organization has " + secrets.size() + " admins, not " + accounts);
            }
            RateLimitGovernor governor = new InMemoryRateLimitGovernor();
            TimeSource time = TimeSource.scaled(scale);
            ExecutorService pool = Executors.newFixedThreadPool(accounts * 2);
            long started = System.nanoTime();
            try {
                List<Future<Integer>> walks = new ArrayList<>();
                for (int i = 0; i < accounts; i++) {
                    BuildkiteClient client = BuildkiteClient.builder(BuildkiteToken.of(secrets.get(i)))
                            .restBaseUrl(URI.create(sandbox.restUrl())).graphqlUrl(URI.create(sandbox.graphqlUrl()))
                            .governor(governor).userBudgetKey("account:" + i).time(time).maxWait(Duration.ofHours(2)).build();
                    walks.add(pool.submit(() -> restWalk(client, acme.slug())));
                    walks.add(pool.submit(() -> graphqlWalk(client, acme.slug())));
                }
                for (Future<Integer> walk : walks) {
                    if (walk.get() != members) {
                        throw new IllegalStateException("a walk read " + walk.get() + " members of " + members);
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            double seconds = (System.nanoTime() - started) / 1e9 * scale;
            RateLimits limits = sandbox.limits();
            long requests = sandbox.journal().calls(MEMBERS_ROUTE);
            long points = sandbox.journal().entries().stream().filter(JournalEntry::isGraphql).mapToLong(JournalEntry::actualComplexity).sum();
            double restFloor = floor(requests, limits.restPerOrganization(), limits.restWindow());
            double graphqlFloor = floor(points, limits.graphqlPointsPerOrganization(), limits.graphqlWindow());
            double floor = Math.max(restFloor, graphqlFloor);
            double ratio = seconds / floor;
            out.printf(Locale.ROOT, "%d accounts of one organization, %,d members, each walking them by REST and GraphQL at once%n",
                    accounts, members);
            out.printf(Locale.ROOT, "  REST: %,d requests; the organization's %d a minute allow them in (ceil(%d/%d) - 1) x %d s = %.0f s%n",
                    requests, limits.restPerOrganization(), requests, limits.restPerOrganization(), limits.restWindow().toSeconds(), restFloor);
            out.printf(Locale.ROOT, "  GraphQL: %,d points; the organization's %,d per %d s allow them in (ceil(%d/%d) - 1) x %d s = %.0f s%n",
                    points, limits.graphqlPointsPerOrganization(), limits.graphqlWindow().toSeconds(), points,
                    limits.graphqlPointsPerOrganization(), limits.graphqlWindow().toSeconds(), graphqlFloor);
            out.printf(Locale.ROOT, "  floor %.0f s; the walks took %.0f s; %d answers of 429 from Buildkite%n", floor, seconds,
                    sandbox.journal().rateLimited());
            out.printf(Locale.ROOT, "RATIO walks / organization floor = %.2f%n", ratio);
            return ratio;
        }
    }

    /** The time a budget needs for {@code spent}: the first window's share at once, then a window per limit's worth. */
    private static double floor(long spent, long limit, Duration window) {
        return (Math.ceil(spent / (double) limit) - 1) * window.toSeconds();
    }

    private static int restWalk(BuildkiteClient client, String org) {
        int members = 0;
        Optional<PageRequest> next = Optional.of(PageRequest.first(100));
        while (next.isPresent()) {
            Page<OrganizationMember> page = client.organizations().members(org, next.get());
            members += page.items().size();
            next = page.next();
        }
        return members;
    }

    private static int graphqlWalk(BuildkiteClient client, String org) {
        int members = 0;
        String after = null;
        do {
            Connection<MemberNode> page = client.graphql().members().list(org, MemberQuery.page(100, after));
            members += page.nodes().size();
            after = page.next().orElse(null);
        } while (after != null);
        return members;
    }
}
