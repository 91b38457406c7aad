package dev.kitebridge.sandbox.limits;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Buildkite's two rate limits per API: one per organization, shared by everyone in it, and one per
 * user (from April 2026). REST counts requests over 60 s; GraphQL counts actual complexity points
 * over 300 s. Requests outside an organization (the current user, the token, the list of
 * organizations) count against the user's limit only: Buildkite does not say which organization
 * they would count against (UNVERIFIED).
 */
public final class RateLimiter {

    private static final String WARNING = "You have exceeded your API rate limit.";

    private final RateLimits limits;
    private final Supplier<Instant> clock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    public RateLimiter(RateLimits limits, Supplier<Instant> clock) {
        this.limits = limits;
        this.clock = clock;
    }

    public RateLimits limits() {
        return limits;
    }

    /** The outcome of asking to make a call: if refused, the message and the scope that refused. */
    public record Decision(boolean allowed, String refusedScope, Usage refusedUsage, Map<String, String> headers) {}

    /** Counts one REST request against the organization (if any) and the user, refusing if either is spent. */
    public Decision admitRest(String userUuid, String organizationUuid) {
        Instant now = clock.get();
        Window org = organizationUuid == null ? null
                : window("rest:org:" + organizationUuid, limits.restPerOrganization(), limits.restWindow());
        Window user = limits.perUserLimits()
                ? window("rest:user:" + userUuid, limits.restPerUser(), limits.restWindow()) : null;
        // Every request counts against both limits, refused ones too (Buildkite's 429 bodies show current > limit).
        synchronized (this) {
            boolean orgSpent = org != null && org.exhausted(now);
            boolean userSpent = user != null && user.exhausted(now);
            if (org != null) {
                org.add(now, 1);
            }
            if (user != null) {
                user.add(now, 1);
            }
            Map<String, String> headers = headers("rest", org, "rest_user", user, now);
            if (userSpent) {
                return new Decision(false, "rest_user", user.usage(now), headers);
            }
            if (orgSpent) {
                return new Decision(false, "rest", org.usage(now), headers);
            }
            return new Decision(true, null, null, headers);
        }
    }

    /** Refuses a GraphQL query if the organization's or the user's points are spent; charges nothing. */
    public Decision checkGraphql(String userUuid, String organizationUuid) {
        Instant now = clock.get();
        Window org = graphqlOrg(organizationUuid);
        Window user = graphqlUser(userUuid);
        Map<String, String> headers = graphqlHeaders(userUuid, organizationUuid, org, user, now);
        if (user != null && user.exhausted(now)) {
            return new Decision(false, "graphql_user", user.usage(now), headers);
        }
        if (org != null && org.exhausted(now)) {
            return new Decision(false, "graphql", org.usage(now), headers);
        }
        return new Decision(true, null, null, headers);
    }

    /** Charges a query's actual complexity and returns the headers after the charge. */
    public Map<String, String> chargeGraphql(String userUuid, String organizationUuid, long points) {
        Instant now = clock.get();
        Window org = graphqlOrg(organizationUuid);
        Window user = graphqlUser(userUuid);
        if (org != null) {
            org.add(now, points);
        }
        if (user != null) {
            user.add(now, points);
        }
        return graphqlHeaders(userUuid, organizationUuid, org, user, now);
    }

    /** A GraphQL answer's headers: its own windows', or (with {@code restHeadersOnGraphql}) the REST windows'. */
    private Map<String, String> graphqlHeaders(String userUuid, String organizationUuid, Window org, Window user, Instant now) {
        if (!limits.restHeadersOnGraphql()) {
            return headers("graphql", org, "graphql_user", user, now);
        }
        Window restOrg = organizationUuid == null ? null
                : window("rest:org:" + organizationUuid, limits.restPerOrganization(), limits.restWindow());
        Window restUser = limits.perUserLimits() ? window("rest:user:" + userUuid, limits.restPerUser(), limits.restWindow()) : null;
        return headers("rest", restOrg, "rest_user", restUser, now);
    }

    private Window graphqlOrg(String organizationUuid) {
        return organizationUuid == null ? null
                : window("graphql:org:" + organizationUuid, limits.graphqlPointsPerOrganization(), limits.graphqlWindow());
    }

    private Window graphqlUser(String userUuid) {
        return limits.perUserLimits()
                ? window("graphql:user:" + userUuid, limits.graphqlPointsPerUser(), limits.graphqlWindow()) : null;
    }

    private Window window(String key, long limit, java.time.Duration length) {
        return windows.computeIfAbsent(key, k -> new Window(limit, length));
    }

    private static Map<String, String> headers(String orgScope, Window org, String userScope, Window user, Instant now) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (org != null) {
            put(headers, "RateLimit-", orgScope, org.usage(now));
        }
        if (user != null) {
            put(headers, "RateLimit-User-", userScope, user.usage(now));
        }
        return headers;
    }

    private static void put(Map<String, String> headers, String prefix, String scope, Usage usage) {
        headers.put(prefix + "Scope", scope);
        headers.put(prefix + "Remaining", Long.toString(usage.remaining()));
        headers.put(prefix + "Limit", Long.toString(usage.limit()));
        headers.put(prefix + "Reset", Long.toString(usage.resetSeconds()));
        if (usage.remaining() == 0) {
            headers.put(prefix + "Warning", WARNING);
        }
    }
}
