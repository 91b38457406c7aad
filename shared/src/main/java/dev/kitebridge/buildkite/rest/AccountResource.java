package dev.kitebridge.buildkite.rest;

import dev.kitebridge.buildkite.WithJson;

/** The token itself and its user. */
public final class AccountResource {

    private final RestClient rest;

    public AccountResource(RestClient rest) {
        this.rest = rest;
    }

    /** {@code GET /v2/access-token}: needs no scope, so it is the way to check a token. */
    public AccessToken accessToken() {
        return rest.get(RestClient.path("access-token"), null, AccessToken.class);
    }

    /** {@code DELETE /v2/access-token}: revokes the token for good. */
    public void revokeAccessToken() {
        rest.write("DELETE", RestClient.path("access-token"), null, null);
    }

    /** {@code GET /v2/user} (scope {@code read_user}). */
    public User currentUser() {
        return currentUserWithJson().value();
    }

    /** {@code GET /v2/user}, with the JSON Buildkite sent. */
    public WithJson<User> currentUserWithJson() {
        return rest.getWithJson(RestClient.path("user"), null, User.class);
    }
}
