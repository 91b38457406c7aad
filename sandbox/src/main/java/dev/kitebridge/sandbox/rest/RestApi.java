package dev.kitebridge.sandbox.rest;

import java.util.ArrayList;
import java.util.List;

import dev.kitebridge.sandbox.model.World;

/** Every REST v2 route the sandbox serves. */
public final class RestApi {

    private final List<RestRoute> routes;

    public RestApi(World world, String baseUrl) {
        RestViews views = new RestViews(world, baseUrl);
        List<RestRoute> all = new ArrayList<>();
        all.addAll(new AccountRoutes(views).routes());
        all.addAll(new MemberRoutes(views).routes());
        all.addAll(new TeamRoutes(views).routes());
        all.addAll(new InvitationRoutes(views).routes());
        all.addAll(new AuditRoutes(baseUrl).routes());
        this.routes = List.copyOf(all);
    }

    public List<RestRoute> routes() {
        return routes;
    }
}
