package dev.kitebridge.sync;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.buildkite.TeamRole;
import dev.kitebridge.contract.ApiJson;

/**
 * What a snapshot item holds, by part: Buildkite's own records (a REST member, a team, a team's
 * pipeline access, a GraphQL invitation, a GraphQL profile without its raw answer) and these two,
 * written as JSON.
 */
final class SnapshotParts {

    private SnapshotParts() {}

    /**
     * A team's roster, summed up when it is read: how many members (at {@code o/ORG/g/TEAM/r}; its
     * pipelines at {@code /p/PIPELINE}), whether its members are listed beside it, and whether each
     * entry there carries its member's role ({@link TeamIndex}: false in a summary written before
     * they were, or did).
     */
    record RosterSummary(long membersCount, boolean membersListed, boolean rolesListed) {}

    /** A user's role in one team (at {@code o/ORG/u/USER/t/TEAM}). */
    record Membership(TeamRole role) {}

    static JsonNode write(Object part) {
        return ApiJson.MAPPER.valueToTree(part);
    }

    /** Reads a part whatever fields it has beyond those known: one written by another version of Kitebridge reads too. */
    private static final com.fasterxml.jackson.databind.ObjectReader READER = ApiJson.MAPPER.reader()
            .without(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    static <T> T read(JsonNode data, Class<T> type) {
        try {
            return READER.treeToValue(data, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a snapshot item is not a " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }
}
