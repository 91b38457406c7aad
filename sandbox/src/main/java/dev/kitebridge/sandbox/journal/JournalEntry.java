package dev.kitebridge.sandbox.journal;

import java.time.Instant;

/**
 * One request the sandbox answered (or dropped).
 *
 * @param route the route template, e.g. {@code GET /v2/organizations/{org}/members} or {@code POST /graphql}
 * @param tokenUuid the token's uuid, never its secret; null when no valid token was sent
 * @param status the HTTP status, or 0 when the connection was reset before an answer
 * @param requestedComplexity GraphQL only: the complexity Buildkite's rule computes from the query
 * @param actualComplexity GraphQL only: the points charged for what was returned
 * @param fault the fault injected, or null
 * @param operation GraphQL only: the operation's name as its document names it (e.g. {@code MyMembership}),
 *     so that points can be told apart by document; null for REST and anonymous or unread documents
 */
public record JournalEntry(
        Instant at,
        String method,
        String route,
        String path,
        String tokenUuid,
        String organizationSlug,
        int status,
        long requestedComplexity,
        long actualComplexity,
        String fault,
        String operation) {

    public boolean isGraphql() {
        return route.equals("POST /graphql");
    }
}
