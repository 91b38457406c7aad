package dev.kitebridge.buildkite.ratelimit;

/**
 * One of Buildkite's rate-limit budgets: an API (REST requests, GraphQL points) and a scope (an
 * organization, shared by all its users and tokens; or one user).
 *
 * @param key the organization's slug, or a stable name for the user (never a token)
 */
public record Budget(Api api, Scope scope, String key) {

    public enum Api { REST, GRAPHQL }

    public enum Scope { ORGANIZATION, USER }

    public static Budget organization(Api api, String slug) {
        return new Budget(api, Scope.ORGANIZATION, slug);
    }

    public static Budget user(Api api, String userKey) {
        return new Budget(api, Scope.USER, userKey);
    }

    /** Buildkite's name for this budget's scope: rest, rest_user, graphql, graphql_user. */
    public String buildkiteScope() {
        String api = this.api == Api.REST ? "rest" : "graphql";
        return scope == Scope.USER ? api + "_user" : api;
    }
}
