package dev.kitebridge.sandbox.rest;

import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kitebridge.sandbox.http.Json;
import dev.kitebridge.sandbox.http.Reply;
import dev.kitebridge.sandbox.model.AuditEvent;
import dev.kitebridge.sandbox.model.DataGenerator;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.World;

/**
 * {@code GET /v2/organizations/{org}/audit_events}: the organization's audit log, newest first,
 * paged like every REST list. It needs the {@code read_audit_events} scope (403 with Buildkite's
 * missing-scope body otherwise), an organization on the Enterprise plan, and an administrator.
 *
 * <p>UNVERIFIED: what Buildkite answers when the plan or the role is wrong; its docs say only that
 * the log is for administrators of Enterprise organizations. The sandbox answers 404
 * {@code {"message":"Not Found"}} for an organization not on Enterprise (a feature that is not
 * there) and 403 {@code {"message":"Forbidden"}} for a user who is not an administrator (the usual
 * permission answer), so that a client meets both and treats either as "not available". Query
 * filters are not documented for REST and are not served: every page is of the whole log.
 */
final class AuditRoutes {

    private final String baseUrl;

    AuditRoutes(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    List<RestRoute> routes() {
        return List.of(RestRoute.of("GET", "/v2/organizations/{org}/audit_events", DataGenerator.READ_AUDIT_EVENTS, this::list));
    }

    private Reply list(RestCall call) {
        Organization org = call.org();
        World.AuditAccess access = call.world().auditAccess(org.uuid(), call.viewerUuid());
        if (access == World.AuditAccess.NOT_ENTERPRISE) {
            return Reply.message(404, "Not Found");
        }
        if (access == World.AuditAccess.NOT_ADMIN) {
            return Reply.message(403, "Forbidden");
        }
        return Paging.page(call, call.world().auditEvents(org.uuid()).stream().map(e -> view(org, e)).toList());
    }

    /** The shape of the docs' example: actor, subject and context types in CamelCase. */
    private ObjectNode view(Organization org, AuditEvent event) {
        ObjectNode json = Json.object();
        json.put("uuid", event.uuid());
        json.put("graphql_id", event.graphqlId());
        json.put("type", event.restType());
        json.put("occurred_at", Json.timestamp(event.occurredAt()));
        ObjectNode actor = json.putObject("actor");
        actor.put("type", AuditEvent.camel(event.actor().type()));
        actor.put("uuid", event.actor().uuid());
        actor.put("name", event.actor().name());
        ObjectNode subject = json.putObject("subject");
        subject.put("type", AuditEvent.camel(event.subject().type()));
        subject.put("uuid", event.subject().uuid());
        subject.put("name", event.subject().name());
        ObjectNode context = json.putObject("context");
        AuditEvent.Context c = event.context();
        // "WebContext" is the docs' example; "APIContext" for API requests is UNVERIFIED.
        context.put("type", c.kind() == AuditEvent.Context.Kind.API ? "APIContext" : "WebContext");
        context.put("request_ip", c.requestIpAddress());
        context.put("request_user_agent", c.requestUserAgent());
        if (c.requestApiAccessTokenUuid() != null) {
            context.put("request_api_access_token_uuid", c.requestApiAccessTokenUuid());
        }
        if (c.sessionUserUuid() != null) {
            context.put("session_user_uuid", c.sessionUserUuid());
        }
        json.set("data", Json.MAPPER.valueToTree(event.data()));
        json.put("url", baseUrl + "/v2/organizations/" + org.slug() + "/audit_events/" + event.uuid());
        return json;
    }
}
