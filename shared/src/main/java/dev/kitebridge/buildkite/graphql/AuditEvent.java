package dev.kitebridge.buildkite.graphql;

import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.buildkite.BuildkiteJson;
import dev.kitebridge.buildkite.BuildkiteTimestamps;

/**
 * One event of an organization's audit log, as GraphQL answers it. Types are kept as Buildkite's
 * names ({@code AuditEventType}, {@code AuditActorType}, {@code AuditSubjectType}) rather than
 * enums, so that a type Buildkite adds later is carried, not refused.
 *
 * @param type e.g. {@code TEAM_MEMBER_CREATED}
 * @param actorType e.g. {@code USER}; null if Buildkite names none
 * @param subjectType e.g. {@code TEAM_MEMBER}; null if Buildkite names none
 * @param data what changed, as a JSON object (or whatever JSON Buildkite sent; never null: a
 *     missing value is JSON null)
 */
public record AuditEvent(
        String uuid,
        String type,
        Instant occurredAt,
        String actorType,
        String subjectType,
        String subjectUuid,
        String subjectName,
        JsonNode data) {

    /** An event node of the {@code audit-events} document. */
    static AuditEvent from(JsonNode node) {
        JsonNode subject = node.path("subject");
        return new AuditEvent(
                text(node.path("uuid")),
                text(node.path("type")),
                BuildkiteTimestamps.parse(text(node.path("occurredAt"))),
                text(node.path("actor").path("type")),
                text(subject.path("type")),
                text(subject.path("uuid")),
                text(subject.path("name")),
                data(node.path("data")));
    }

    /**
     * The schema's {@code JSON} scalar: an object, or (UNVERIFIED how Buildkite serializes it) a
     * string holding one. A string that parses as a JSON object or array is read as one; any
     * other value is kept as it came.
     */
    private static JsonNode data(JsonNode value) {
        if (value.isMissingNode() || value.isNull()) {
            return BuildkiteJson.MAPPER.nullNode();
        }
        if (value.isTextual()) {
            String text = value.asText().strip();
            if (text.startsWith("{") || text.startsWith("[")) {
                try {
                    return BuildkiteJson.MAPPER.readTree(text);
                } catch (java.io.IOException notJson) {
                    return value;
                }
            }
        }
        return value;
    }

    private static String text(JsonNode value) {
        return value.isTextual() ? value.asText() : null;
    }
}
