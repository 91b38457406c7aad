package dev.kitebridge.bench;

import java.io.PrintStream;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.access.IntegratedAccount;
import dev.kitebridge.api.ApiRequest;
import dev.kitebridge.api.ApiResponse;
import dev.kitebridge.api.DirectoryEndpoints;
import dev.kitebridge.app.Application;
import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.contract.ApiJson;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.journal.JournalEntry;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Population;
import dev.kitebridge.sandbox.model.World;
import dev.kitebridge.state.memory.InMemoryAccountStore;
import dev.kitebridge.state.memory.InMemoryTokenVault;
import dev.kitebridge.time.TimeSource;

/**
 * Walks every user of a sandbox organization with {@code limit=100} under Buildkite's per-user
 * budgets, on a clock {@code scale} times as fast as real time, and compares the walk's time with
 * the floor: the time Buildkite's REST and GraphQL budgets, used in parallel, need for the
 * cheapest plan that reads every field. Times are in Buildkite's seconds (real time × scale).
 */
final class UsersWalkBenchmark {

    private static final String TENANT = "bench";
    private static final String ACCOUNT = "bench-account";
    private static final int PAGE = OrganizationWork.PAGE;

    private final PrintStream out;
    private final double scale;

    UsersWalkBenchmark(PrintStream out, double scale) {
        this.out = out;
        this.scale = scale;
    }

    /** One request of the walk: a page, or a 429 telling the walker to come back. */
    record Request(double at, int status, int records, long restCalls, long graphqlCalls, long graphqlPoints, double seconds,
                   String retryAfter) {}

    /** The figures of one walk. */
    record Walk(List<Request> requests, double seconds, long records, long buildkite429s, long restCalls, long graphqlPoints) {

        Request slowest() {
            return requests.stream().max((a, b) -> Double.compare(a.seconds(), b.seconds())).orElseThrow();
        }
    }

    /** Benchmarks one organization size; returns the walk time over the floor. */
    double run(int members, int teams) {
        Population population = Population.of(members, teams);
        try (Sandbox sandbox = Sandbox.builder().population(population).limits(RateLimits.BUILDKITE).timeScale(scale).start()) {
            out.printf(Locale.ROOT, "%n== %,d members, %,d teams (seed %d), Buildkite's per-user budgets, clock x%.0f ==%n",
                    members, teams, population.seed(), scale);
            double floor = printFloor(sandbox.world(), sandbox.limits());
            DirectoryEndpoints directory = directory(sandbox);

            Walk cold = walk(sandbox, directory);
            printPages(cold);
            out.printf(Locale.ROOT, "first walk: %,d users in %,.0f s; %,d REST requests, %,d GraphQL points; "
                            + "%d answers of 429 from Buildkite; slowest request %.1f s%n",
                    cold.records(), cold.seconds(), cold.restCalls(), cold.graphqlPoints(), cold.buildkite429s(),
                    cold.slowest().seconds());
            double ratio = cold.seconds() / floor;
            out.printf(Locale.ROOT, "RATIO first walk / floor = %.2f%n", ratio);

            Walk warm = walk(sandbox, directory);
            out.printf(Locale.ROOT, "second walk (cached data fresh): %,d users in %,.0f s; %,d REST requests, "
                            + "%,d GraphQL points, %d Buildkite calls in all; slowest request %.1f s; %d answers of 429%n",
                    warm.records(), warm.seconds(), warm.restCalls(), warm.graphqlPoints(),
                    warm.requests().stream().mapToLong(r -> r.restCalls() + r.graphqlCalls()).sum(), warm.slowest().seconds(),
                    warm.buildkite429s());
            return ratio;
        }
    }

    /**
     * The floor. REST: member pages, team pages and team-member pages, 100 a request. GraphQL: the
     * fields only GraphQL has (4 points a member, 4 a query of 100) and the pending invitations.
     * Windows open on first use, so spending X at L a window of W seconds takes (ceil(X/L) - 1) * W.
     */
    private double printFloor(World world, RateLimits limits) {
        OrganizationWork work = OrganizationWork.of(world);
        long rest = 1 + work.memberPages() + work.teamPages() + work.teamMemberPages();
        long points = work.memberPoints() + work.pendingInvitations() * OrganizationWork.POINTS_PER_INVITATION
                + OrganizationWork.QUERY_OVERHEAD;
        double restSeconds = OrganizationWork.seconds(rest, limits.restPerUser(), limits.restWindow());
        double graphqlSeconds = OrganizationWork.seconds(points, limits.graphqlPointsPerUser(), limits.graphqlWindow());
        out.printf(Locale.ROOT, "floor, REST:    1 organizations + %d member pages + %d team pages + %d team-member pages = %d requests"
                        + " -> %d windows of %d -> %.0f s%n", work.memberPages(), work.teamPages(), work.teamMemberPages(), rest,
                OrganizationWork.ceil(rest, limits.restPerUser()), limits.restPerUser(), restSeconds);
        out.printf(Locale.ROOT, "floor, GraphQL: %d members x %d + %d queries x %d + %d invitations x %d + %d = %,d points"
                        + " -> %d windows of %,d -> %.0f s%n", work.members(), OrganizationWork.POINTS_PER_MEMBER, work.memberPages(),
                OrganizationWork.QUERY_OVERHEAD, work.pendingInvitations(), OrganizationWork.POINTS_PER_INVITATION,
                OrganizationWork.QUERY_OVERHEAD, points, OrganizationWork.ceil(points, limits.graphqlPointsPerUser()),
                limits.graphqlPointsPerUser(), graphqlSeconds);
        double floor = Math.max(restSeconds, graphqlSeconds);
        out.printf(Locale.ROOT, "floor = max(%.0f, %.0f) = %.0f s%n", restSeconds, graphqlSeconds, floor);
        return floor;
    }

    private Walk walk(Sandbox sandbox, DirectoryEndpoints directory) {
        List<Request> requests = new ArrayList<>();
        long records = 0;
        long before429 = sandbox.journal().rateLimited();
        long restBefore = restCalls(sandbox);
        long pointsBefore = sandbox.journal().graphqlPoints();
        long start = System.nanoTime();
        String cursor = null;
        while (true) {
            Map<String, String> query = new HashMap<>(Map.of("integrated_account_id", ACCOUNT, "limit", Integer.toString(PAGE)));
            if (cursor != null) {
                query.put("next_cursor", cursor);
            }
            long rest = restCalls(sandbox);
            long graphqlCalls = sandbox.journal().count(JournalEntry::isGraphql);
            long points = sandbox.journal().graphqlPoints();
            long began = System.nanoTime();
            ApiResponse response = directory.listUsers(new ApiRequest("GET", "/unified/user-directory/users", Map.of(), query,
                    Map.of(), null, "bench", TENANT));
            double seconds = (System.nanoTime() - began) / 1e9 * scale;
            JsonNode body = read(response.body());
            int count = response.statusCode() == 200 ? body.get("result").size() : 0;
            requests.add(new Request((began - start) / 1e9 * scale, response.statusCode(), count, restCalls(sandbox) - rest,
                    sandbox.journal().count(JournalEntry::isGraphql) - graphqlCalls, sandbox.journal().graphqlPoints() - points, seconds,
                    response.headers().getOrDefault("retry-after", "")));
            if (response.statusCode() == 429) {
                sleepBuildkiteSeconds(Long.parseLong(response.headers().get("retry-after")));
                continue;
            }
            if (response.statusCode() != 200) {
                throw new IllegalStateException("the walk failed: " + response.statusCode() + " " + response.body());
            }
            records += count;
            if (body.get("next_cursor").isNull()) {
                break;
            }
            cursor = body.get("next_cursor").asText();
        }
        double seconds = (System.nanoTime() - start) / 1e9 * scale;
        return new Walk(requests, seconds, records, sandbox.journal().rateLimited() - before429,
                restCalls(sandbox) - restBefore, sandbox.journal().graphqlPoints() - pointsBefore);
    }

    private void printPages(Walk walk) {
        out.println("request       at  status  users  REST  GraphQL  points  seconds  retry-after");
        int shown = 0;
        for (int i = 0; i < walk.requests().size(); i++) {
            Request r = walk.requests().get(i);
            boolean interesting = i < 60 || i >= walk.requests().size() - 5;
            if (interesting) {
                out.printf(Locale.ROOT, "%7d  %7.0f  %6d  %5d  %4d  %7d  %6d  %7.1f  %s%n", i + 1, r.at(), r.status(), r.records(),
                        r.restCalls(), r.graphqlCalls(), r.graphqlPoints(), r.seconds(), r.retryAfter());
                shown++;
            } else if (shown++ == 60) {
                out.println("    ...");
            }
        }
        long refused = walk.requests().stream().filter(r -> r.status() == 429).count();
        out.printf(Locale.ROOT, "%d requests: %d pages, %d answers of 429 with Retry-After while the organization's data was read%n",
                walk.requests().size(), walk.requests().size() - refused, refused);
    }

    private DirectoryEndpoints directory(Sandbox sandbox) {
        InMemoryAccountStore accounts = new InMemoryAccountStore();
        InMemoryTokenVault tokens = new InMemoryTokenVault();
        accounts.create(new IntegratedAccount(ACCOUNT, TENANT, "bench", IntegratedAccount.Status.ACTIVE, List.of(), List.of(), null,
                Instant.now(), "user:local", null, 0));
        tokens.put(ACCOUNT, BuildkiteToken.of(sandbox.token()));
        return Application.create(Application.Wiring.builder()
                .accounts(accounts)
                .tokens(tokens)
                .buildkite(new BuildkiteAccess.Endpoints(URI.create(sandbox.restUrl()), URI.create(sandbox.graphqlUrl())))
                .time(TimeSource.scaled(scale))
                .build()).directory();
    }

    private static long restCalls(Sandbox sandbox) {
        return sandbox.journal().count(e -> !e.isGraphql());
    }

    private void sleepBuildkiteSeconds(long seconds) {
        try {
            Thread.sleep((long) (seconds * 1000 / scale));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode read(String body) {
        try {
            return ApiJson.MAPPER.readTree(body);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
