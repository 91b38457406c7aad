package dev.kitebridge.sync;

import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.api.ApiJson;
import dev.kitebridge.buildkite.TeamRole;
import dev.kitebridge.directory.orgdata.TeamRoster;

/**
 * What a snapshot item holds, by part: Buildkite's own records (a REST member, a team, an
 * invitation, a GraphQL profile without its raw answer) and these two, written as JSON.
 */
final class SnapshotParts {

    private SnapshotParts() {}

    /** A team's roster, summed up when it is read: how many members, and its pipelines (at {@code o/ORG/g/TEAM/r}). */
    record RosterSummary(long membersCount, List<TeamRoster.PipelineAccess> pipelines) {}

    /** A user's role in one team (at {@code o/ORG/u/USER/t/TEAM}). */
    record Membership(TeamRole role) {}

    static JsonNode write(Object part) {
        return ApiJson.MAPPER.valueToTree(part);
    }

    static <T> T read(JsonNode data, Class<T> type) {
        try {
            return ApiJson.MAPPER.treeToValue(data, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a snapshot item is not a " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }
}
