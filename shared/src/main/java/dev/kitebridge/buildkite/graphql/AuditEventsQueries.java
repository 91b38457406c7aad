package dev.kitebridge.buildkite.graphql;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.buildkite.BuildkiteException;

/**
 * An organization's audit log (Buildkite Enterprise, administrators only): a cheap feed of what
 * changed, to tell a poller what to read again. Where the log is not there for this token (not
 * Enterprise, not an administrator), the answer is {@link NotAvailable}, a result and not an
 * exception, so that a caller can tell it from a failure, remember it and fall back to full reads.
 *
 * <pre>{@code
 * AuditEventsQueries.Listing listing = buildkite.graphql().auditEvents().since("acme", checkpoint.minusSeconds(60));
 * if (listing instanceof AuditEventsQueries.NotAvailable no) {
 *     rememberNoAuditLog("acme", no.reason());                      // ask again only much later
 * } else {
 *     ((AuditEventsQueries.Available) listing).events().forEach(...); // dedupe by uuid
 * }
 * }</pre>
 */
public final class AuditEventsQueries {

    /** The page size of {@link #since}: 306 points requested a page. */
    public static final int DEFAULT_PAGE = 100;

    private final GraphqlExecutor graphql;

    public AuditEventsQueries(GraphqlExecutor graphql) {
        this.graphql = graphql;
    }

    /** What asking for the audit log answered. */
    public sealed interface Listing permits Available, NotAvailable {}

    /**
     * Events, most recent first (the only order Buildkite has). Events of the same instant come in no
     * promised order, and the log promises no completeness: a hint of what to read again.
     */
    public record Available(List<AuditEvent> events, boolean hasNextPage, String endCursor) implements Listing {

        public Available {
            events = List.copyOf(events);
        }

        /** The cursor of the next page, or empty on the last. */
        public Optional<String> next() {
            return hasNextPage && endCursor != null ? Optional.of(endCursor) : Optional.empty();
        }
    }

    /**
     * The audit log is not available to this token in this organization: not on the Enterprise plan,
     * or the token's user is not an administrator. {@code reason} is Buildkite's word for it, for
     * logs only (its messages are not a contract).
     */
    public record NotAvailable(String organization, String reason) implements Listing {}

    /**
     * One page of events that occurred at or after {@code occurredAtFrom} (null: the whole log).
     *
     * @throws BuildkiteException.NotFound when the organization is unknown or out of the token's reach
     */
    public Listing page(String org, Instant occurredAtFrom, int first, String after) {
        int size = GraphqlExecutor.pageSize(first);
        Map<String, Object> variables = new LinkedHashMap<>();
        variables.put("slug", org);
        variables.put("first", size);
        variables.put("after", after);
        variables.put("occurredAtFrom", occurredAtFrom == null ? null : occurredAtFrom.toString());
        GraphqlExecutor.Answer answer = graphql.send(GraphqlDocument.AUDIT_EVENTS, variables, org,
                GraphqlDocument.AUDIT_EVENTS.requestedComplexity(size));
        return read(org, answer);
    }

    /**
     * Every event from {@code occurredAtFrom} on, page after page ({@link #DEFAULT_PAGE} a page), newest
     * first; or {@link NotAvailable} as soon as a page says so.
     */
    public Listing since(String org, Instant occurredAtFrom) {
        List<AuditEvent> events = new ArrayList<>();
        String after = null;
        do {
            Listing listing = page(org, occurredAtFrom, DEFAULT_PAGE, after);
            if (listing instanceof NotAvailable refused) {
                return refused;
            }
            Available page = (Available) listing;
            events.addAll(page.events());
            after = page.next().orElse(null);
        } while (after != null);
        return new Available(events, false, null);
    }

    /**
     * Whether the log was refused is read from what Buildkite says of this field only, never from the
     * words of its messages (UNVERIFIED): {@code permissions.auditEventsView.allowed} false, an error
     * whose path is {@code auditEvents}, or {@code auditEvents} null. A refused permission counts even
     * when a connection came back (the safe reading, should Buildkite answer an empty log to those who
     * may not read it). Any other error is the usual typed failure.
     */
    private static Listing read(String org, GraphqlExecutor.Answer answer) {
        JsonNode organization = answer.data() == null ? null : answer.data().get("organization");
        if (organization == null || !organization.isObject()) {
            if (!answer.errors().isEmpty()) {
                throw GraphqlExecutor.errorsOf(answer.errors(), GraphqlDocument.AUDIT_EVENTS);
            }
            throw new BuildkiteException.NotFound("No organization found: " + org);
        }
        JsonNode permission = organization.path("permissions").path("auditEventsView");
        if (permission.path("allowed").isBoolean() && !permission.path("allowed").asBoolean()) {
            return new NotAvailable(org, reason(permission.path("message"), permission.path("code")));
        }
        List<JsonNode> otherErrors = new ArrayList<>();
        for (JsonNode error : answer.errors()) {
            if (onAuditEvents(error)) {
                return new NotAvailable(org, error.path("message").asText("audit events refused"));
            }
            otherErrors.add(error);
        }
        if (!otherErrors.isEmpty()) {
            throw GraphqlExecutor.errorsOf(answer.errors(), GraphqlDocument.AUDIT_EVENTS);
        }
        JsonNode connection = organization.path("auditEvents");
        if (!connection.isObject()) {
            return new NotAvailable(org, "Buildkite answered no audit events field");
        }
        List<AuditEvent> events = new ArrayList<>();
        for (JsonNode edge : connection.path("edges")) {
            if (edge.path("node").isObject()) {
                events.add(AuditEvent.from(edge.path("node")));
            }
        }
        JsonNode pageInfo = connection.path("pageInfo");
        return new Available(events, pageInfo.path("hasNextPage").asBoolean(false),
                pageInfo.path("endCursor").isTextual() ? pageInfo.path("endCursor").asText() : null);
    }

    private static boolean onAuditEvents(JsonNode error) {
        for (JsonNode segment : error.path("path")) {
            if (segment.isTextual() && segment.asText().equals("auditEvents")) {
                return true;
            }
        }
        return false;
    }

    private static String reason(JsonNode message, JsonNode code) {
        if (message.isTextual()) {
            return message.asText();
        }
        return code.isTextual() ? code.asText() : "audit events are not available to this token";
    }
}
