package dev.kitebridge.sandbox.rest;

import java.util.List;

import dev.kitebridge.sandbox.http.Reply;
import dev.kitebridge.sandbox.model.Organization;

/** The token, its user, and the organizations it reaches. */
final class AccountRoutes {

    private final RestViews views;

    AccountRoutes(RestViews views) {
        this.views = views;
    }

    List<RestRoute> routes() {
        return List.of(
                RestRoute.of("GET", "/v2/access-token", null, this::getAccessToken),
                RestRoute.of("DELETE", "/v2/access-token", null, this::revokeAccessToken),
                RestRoute.of("GET", "/v2/user", "read_user", this::getUser),
                RestRoute.of("GET", "/v2/organizations", "read_organizations", this::listOrganizations),
                RestRoute.of("GET", "/v2/organizations/{org}", "read_organizations", this::getOrganization));
    }

    private Reply getAccessToken(RestCall call) {
        return Reply.json(200, views.accessToken(call.token()));
    }

    private Reply revokeAccessToken(RestCall call) {
        call.world().revokeToken(call.token());
        return Reply.noContent();
    }

    private Reply getUser(RestCall call) {
        return Reply.json(200, views.user(call.world().requireUser(call.viewerUuid())));
    }

    private Reply listOrganizations(RestCall call) {
        List<Organization> reachable = call.world().reachableOrganizations(call.token());
        return Paging.page(call, reachable.stream().map(views::organization).toList());
    }

    private Reply getOrganization(RestCall call) {
        return Reply.json(200, views.organization(call.org()));
    }
}
