package dev.kitebridge.sandbox.rest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kitebridge.sandbox.http.Json;
import dev.kitebridge.sandbox.http.Reply;
import dev.kitebridge.sandbox.model.Invitation;
import dev.kitebridge.sandbox.model.Member;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.Refusal;
import dev.kitebridge.sandbox.model.TeamMember;

/**
 * Organization invitations (REST, July 2026). Unlike every other list here, the list is an envelope
 * {@code {"items":[…],"links":{"self","next"}}} paged by opaque {@code after}/{@code before} cursors;
 * it shows pending invitations only, oldest first.
 */
final class InvitationRoutes {

    private static final String INVITATIONS = "/v2/organizations/{org}/invitations";

    private final RestViews views;

    InvitationRoutes(RestViews views) {
        this.views = views;
    }

    List<RestRoute> routes() {
        return List.of(
                RestRoute.of("GET", INVITATIONS, "read_organization_invitations", this::list),
                RestRoute.of("POST", INVITATIONS, "write_organization_invitations", this::create),
                RestRoute.of("GET", INVITATIONS + "/{invitation}", "read_organization_invitations", this::get),
                RestRoute.of("DELETE", INVITATIONS + "/{invitation}", "write_organization_invitations", this::revoke));
    }

    private Reply list(RestCall call) {
        Organization org = call.org();
        String after = call.request().query("after");
        String before = call.request().query("before");
        if (after != null && before != null) {
            throw new RestCall.BadRequest("Only one of after and before may be given");
        }
        int perPage = Paging.intParam(call, "per_page", Paging.DEFAULT_PER_PAGE);
        String given = call.request().query("per_page");
        if (given != null && !given.trim().matches("\\d+") || perPage < 1 || perPage > Paging.MAX_PER_PAGE) {
            throw new RestCall.BadRequest("per_page must be between 1 and " + Paging.MAX_PER_PAGE);
        }
        // Cursors name an invitation, so a page boundary survives invitations being revoked or accepted.
        List<Invitation> all = call.world().invitations(org.uuid());
        List<Invitation> pending = all.stream().filter(i -> i.state() == Invitation.State.PENDING).toList();
        int from;
        int to;
        if (before != null) {
            to = pendingBefore(all, indexOf(all, before));
            from = Math.max(0, to - perPage);
        } else {
            from = after == null ? 0 : pendingBefore(all, indexOf(all, after) + 1);
            to = Math.min(pending.size(), from + perPage);
        }
        List<Invitation> page = pending.subList(from, to);
        ObjectNode envelope = Json.object();
        envelope.set("items", Json.MAPPER.valueToTree(page.stream().map(i -> views.invitation(org, i)).toList()));
        ObjectNode links = envelope.putObject("links");
        String self = call.baseUrl() + call.request().path();
        links.put("self", self + "?per_page=" + perPage + (after != null ? "&after=" + Paging.encode(after)
                : before != null ? "&before=" + Paging.encode(before) : ""));
        String next = to < pending.size() && !page.isEmpty()
                ? self + "?per_page=" + perPage + "&after=" + Paging.encode(cursorOf(page.get(page.size() - 1)))
                : null;
        links.put("next", next);
        Reply reply = Reply.json(200, envelope);
        return next == null ? reply : reply.withHeader("Link", "<" + next + ">; rel=\"next\"");
    }

    private Reply get(RestCall call) {
        Organization org = call.org();
        Invitation invitation = call.world().invitation(org.uuid(), call.param("invitation"))
                .orElseThrow(() -> Refusal.notFound("No invitation found"));
        return Reply.json(200, views.invitation(org, invitation));
    }

    private Reply create(RestCall call) {
        Organization org = call.org();
        JsonNode body = call.body();
        JsonNode emails = body.get("emails");
        if (emails == null || !emails.isArray() || emails.isEmpty()) {
            throw Refusal.invalid("Validation failed: Emails can't be blank");
        }
        List<String> addresses = new ArrayList<>();
        emails.forEach(e -> addresses.add(e.asText()));
        List<Invitation.InvitedTeam> teams = new ArrayList<>();
        JsonNode teamList = body.get("teams");
        if (teamList != null && teamList.isArray()) {
            for (JsonNode team : teamList) {
                TeamMember.Role role = Bodies.enumField(team, "role", TeamMember.Role.class);
                teams.add(new Invitation.InvitedTeam(Bodies.text(team, "id"), role == null ? TeamMember.Role.MEMBER : role));
            }
        }
        List<Invitation> created = call.world().invite(org, call.viewerUuid(), addresses,
                Bodies.enumField(body, "role", Member.Role.class),
                Bodies.enumField(body, "sso_mode", Member.SsoMode.class), teams);
        return Reply.json(201, created.stream().map(i -> views.invitation(org, i)).toList());
    }

    private Reply revoke(RestCall call) {
        call.world().revokeInvitation(call.org(), call.viewerUuid(), call.param("invitation"));
        return Reply.noContent();
    }

    private static String cursorOf(Invitation invitation) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("invitation:" + invitation.uuid()).getBytes(StandardCharsets.UTF_8));
    }

    /** How many pending invitations come before position {@code index} of the full list. */
    private static int pendingBefore(List<Invitation> all, int index) {
        return (int) all.subList(0, index).stream().filter(i -> i.state() == Invitation.State.PENDING).count();
    }

    private static int indexOf(List<Invitation> all, String cursor) {
        String uuid;
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (!decoded.startsWith("invitation:")) {
                throw new IllegalArgumentException();
            }
            uuid = decoded.substring("invitation:".length());
        } catch (IllegalArgumentException e) {
            throw new RestCall.BadRequest("Invalid cursor");
        }
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).uuid().equals(uuid)) {
                return i;
            }
        }
        throw new RestCall.BadRequest("Invalid cursor");
    }
}
