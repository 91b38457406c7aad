package dev.kitebridge.sandbox.rest;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.sandbox.http.Reply;
import dev.kitebridge.sandbox.model.Member;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.Refusal;

/** Organization members, keyed by user UUID. */
final class MemberRoutes {

    private static final String MEMBERS = "/v2/organizations/{org}/members";

    private final RestViews views;

    MemberRoutes(RestViews views) {
        this.views = views;
    }

    List<RestRoute> routes() {
        return List.of(
                RestRoute.of("GET", MEMBERS, "read_organizations", this::list),
                RestRoute.of("GET", MEMBERS + "/{user}", "read_organizations", this::get),
                RestRoute.of("PATCH", MEMBERS + "/{user}", "write_organizations", this::update),
                RestRoute.of("DELETE", MEMBERS + "/{user}", "write_organizations", this::remove));
    }

    private Reply list(RestCall call) {
        Organization org = call.org();
        List<Member> members = call.world().members(org.uuid());
        return Paging.page(call, members.stream().map(m -> views.member(org, m, call.viewerUuid())).toList());
    }

    private Reply get(RestCall call) {
        Organization org = call.org();
        Member member = call.world().member(org.uuid(), call.param("user"))
                .orElseThrow(() -> Refusal.notFound("No user found"));
        return Reply.json(200, views.member(org, member, call.viewerUuid()));
    }

    private Reply update(RestCall call) {
        Organization org = call.org();
        JsonNode body = call.body();
        Member updated = call.world().updateMember(org, call.viewerUuid(), call.param("user"),
                Bodies.enumField(body, "role", Member.Role.class),
                Bodies.enumField(body, "sso_mode", Member.SsoMode.class));
        return Reply.json(200, views.member(org, updated, call.viewerUuid()));
    }

    private Reply remove(RestCall call) {
        call.world().removeMember(call.org(), call.viewerUuid(), call.param("user"));
        return Reply.noContent();
    }
}
