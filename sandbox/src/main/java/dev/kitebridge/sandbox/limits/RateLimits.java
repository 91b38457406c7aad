package dev.kitebridge.sandbox.limits;

import java.time.Duration;

/**
 * Buildkite's rate limits, configurable so that tests can make them small. Windows are in
 * Buildkite's time; the sandbox clock's scale decides how fast that passes.
 *
 * @param perUserLimits the per-user limits arrived in April 2026; off, the sandbox answers as before
 * @param restHeadersOnGraphql GraphQL answers carry the REST windows' {@code RateLimit-*} headers
 *     (scopes {@code rest}, {@code rest_user}) instead of their own, as a faulty Buildkite-compatible
 *     endpoint once did; the GraphQL limits are still enforced
 */
public record RateLimits(
        int restPerOrganization,
        int restPerUser,
        Duration restWindow,
        int graphqlPointsPerOrganization,
        int graphqlPointsPerUser,
        Duration graphqlWindow,
        int graphqlMaxQueryComplexity,
        boolean perUserLimits,
        boolean restHeadersOnGraphql) {

    public static final RateLimits BUILDKITE = new RateLimits(
            200, 50, Duration.ofSeconds(60), 20_000, 5_000, Duration.ofSeconds(300), 50_000, true, false);

    public RateLimits withRest(int perOrganization, int perUser) {
        return new RateLimits(perOrganization, perUser, restWindow, graphqlPointsPerOrganization,
                graphqlPointsPerUser, graphqlWindow, graphqlMaxQueryComplexity, perUserLimits, restHeadersOnGraphql);
    }

    public RateLimits withGraphql(int perOrganization, int perUser) {
        return new RateLimits(restPerOrganization, restPerUser, restWindow, perOrganization, perUser,
                graphqlWindow, graphqlMaxQueryComplexity, perUserLimits, restHeadersOnGraphql);
    }

    public RateLimits withWindows(Duration rest, Duration graphql) {
        return new RateLimits(restPerOrganization, restPerUser, rest, graphqlPointsPerOrganization,
                graphqlPointsPerUser, graphql, graphqlMaxQueryComplexity, perUserLimits, restHeadersOnGraphql);
    }

    public RateLimits withPerUserLimits(boolean enabled) {
        return new RateLimits(restPerOrganization, restPerUser, restWindow, graphqlPointsPerOrganization,
                graphqlPointsPerUser, graphqlWindow, graphqlMaxQueryComplexity, enabled, restHeadersOnGraphql);
    }

    public RateLimits withRestHeadersOnGraphql() {
        return new RateLimits(restPerOrganization, restPerUser, restWindow, graphqlPointsPerOrganization,
                graphqlPointsPerUser, graphqlWindow, graphqlMaxQueryComplexity, perUserLimits, true);
    }
}
