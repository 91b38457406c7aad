package dev.kitebridge.buildkite.graphql;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.buildkite.BuildkiteException;
import dev.kitebridge.buildkite.BuildkiteJson;
import dev.kitebridge.buildkite.TeamPrivacy;
import dev.kitebridge.buildkite.TeamRole;
import dev.kitebridge.buildkite.graphql.Nodes.TeamMemberNode;
import dev.kitebridge.buildkite.graphql.Nodes.TeamNode;

/**
 * Teams and their members as GraphQL has them. Ids are GraphQL ids: a membership is keyed by its
 * own TeamMember id, not by the user's.
 */
public final class TeamsQueries {

    private final GraphqlExecutor graphql;

    public TeamsQueries(GraphqlExecutor graphql) {
        this.graphql = graphql;
    }

    public Connection<TeamNode> list(String org, int first, String after) {
        int size = GraphqlExecutor.pageSize(first);
        Map<String, Object> variables = new LinkedHashMap<>();
        variables.put("slug", org);
        variables.put("first", size);
        variables.put("after", after);
        return graphql.page(graphql.execute(GraphqlDocument.TEAMS, variables, org, size).data(),
                "organization", org, "teams", TeamNode.class);
    }

    public Connection<TeamMemberNode> members(String org, String teamSlug, int first, String after) {
        int size = GraphqlExecutor.pageSize(first);
        Map<String, Object> variables = new LinkedHashMap<>();
        variables.put("team", org + "/" + teamSlug);
        variables.put("first", size);
        variables.put("after", after);
        return graphql.page(graphql.execute(GraphqlDocument.TEAM_MEMBERS, variables, org, size).data(),
                "team", org + "/" + teamSlug, "members", TeamMemberNode.class);
    }

    /** A team's UUID and member count, as {@link #count} reads them. */
    public record TeamCount(String uuid, int count) {
    }

    /**
     * A team's UUID and member count alone (no page of members: 2 points where a page of one costs 6). The UUID says
     * which team the slug names now: a renamed team's old slug may name another.
     */
    public TeamCount count(String org, String teamSlug) {
        Map<String, Object> variables = new LinkedHashMap<>();
        variables.put("team", org + "/" + teamSlug);
        JsonNode team = graphql.execute(GraphqlDocument.TEAM_COUNT, variables, org, 0).data().path("team");
        if (!team.isObject()) {
            throw new BuildkiteException.NotFound("No team found: " + org + "/" + teamSlug);
        }
        return new TeamCount(team.path("uuid").asText(), team.path("members").path("count").asInt());
    }

    /** Creates a team; GraphQL requires privacy, whether it is a default team, and its default member role. */
    public TeamNode create(String org, String organizationGraphqlId, String name, String description,
                           TeamPrivacy privacy, boolean isDefaultTeam, TeamRole defaultMemberRole) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("organizationID", organizationGraphqlId);
        input.put("name", name);
        if (description != null) {
            input.put("description", description);
        }
        input.put("privacy", privacy.name());
        input.put("isDefaultTeam", isDefaultTeam);
        input.put("defaultMemberRole", defaultMemberRole.name());
        return BuildkiteJson.read(graphql.mutate(GraphqlDocument.TEAM_CREATE, input, org, "teamCreate").path("teamEdge").path("node"),
                TeamNode.class);
    }

    /** Updates a team; GraphQL requires the name, default-team flag and default member role every time. */
    public TeamNode update(String org, String teamGraphqlId, String name, String description, TeamPrivacy privacy,
                           boolean isDefaultTeam, TeamRole defaultMemberRole) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("id", teamGraphqlId);
        input.put("name", name);
        if (description != null) {
            input.put("description", description);
        }
        if (privacy != null) {
            input.put("privacy", privacy.name());
        }
        input.put("isDefaultTeam", isDefaultTeam);
        input.put("defaultMemberRole", defaultMemberRole.name());
        return BuildkiteJson.read(graphql.mutate(GraphqlDocument.TEAM_UPDATE, input, org, "teamUpdate").path("team"), TeamNode.class);
    }

    /** Deletes a team; returns its id. */
    public String delete(String org, String teamGraphqlId) {
        return graphql.mutate(GraphqlDocument.TEAM_DELETE, Map.of("id", teamGraphqlId), org, "teamDelete")
                .path("deletedTeamID").asText();
    }

    /** Adds a user to a team; the id is the User's GraphQL id. Without a role, the team's default applies. */
    public TeamMemberNode addMember(String org, String teamGraphqlId, String userGraphqlId, TeamRole role) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("teamID", teamGraphqlId);
        input.put("userID", userGraphqlId);
        if (role != null) {
            input.put("role", role.name());
        }
        return BuildkiteJson.read(graphql.mutate(GraphqlDocument.TEAM_MEMBER_CREATE, input, org, "teamMemberCreate")
                .path("teamMemberEdge").path("node"), TeamMemberNode.class);
    }

    /** Changes a team member's role; the id is the TeamMember's, not the user's. */
    public TeamMemberNode updateMember(String org, String teamMemberGraphqlId, TeamRole role) {
        return BuildkiteJson.read(graphql.mutate(GraphqlDocument.TEAM_MEMBER_UPDATE, Map.of("id", teamMemberGraphqlId, "role", role.name()),
                org, "teamMemberUpdate").path("teamMember"), TeamMemberNode.class);
    }

    /** Removes a member from a team; returns the deleted TeamMember id. */
    public String removeMember(String org, String teamMemberGraphqlId) {
        return graphql.mutate(GraphqlDocument.TEAM_MEMBER_DELETE, Map.of("id", teamMemberGraphqlId), org, "teamMemberDelete")
                .path("deletedTeamMemberID").asText();
    }
}
