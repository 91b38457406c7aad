package dev.kitebridge.buildkite.rest;

import java.util.Map;

import dev.kitebridge.buildkite.BuildkiteJson;
import dev.kitebridge.buildkite.Page;
import dev.kitebridge.buildkite.PageRequest;
import dev.kitebridge.buildkite.TeamRole;
import dev.kitebridge.buildkite.WithJson;

/** Teams, team members and team pipelines (scopes {@code read_teams}, {@code write_teams}). */
public final class TeamsResource {

    private final RestClient rest;

    public TeamsResource(RestClient rest) {
        this.rest = rest;
    }

    /** Teams the token's user can see; add {@code user_id} to the request to list one user's teams. */
    public Page<Team> list(String org, PageRequest page) {
        return rest.list(RestClient.path("organizations", org, "teams"), page, org, Team.class);
    }

    public Team get(String org, String teamId) {
        return getWithJson(org, teamId).value();
    }

    /** A team, with the JSON Buildkite sent. */
    public WithJson<Team> getWithJson(String org, String teamId) {
        return rest.getWithJson(RestClient.path("organizations", org, "teams", teamId), org, Team.class);
    }

    public Team create(String org, TeamChanges team) {
        return createWithJson(org, team).value();
    }

    /** {@link #create}, answering the team with the JSON Buildkite sent. */
    public WithJson<Team> createWithJson(String org, TeamChanges team) {
        return WithJson.read(rest.write("POST", RestClient.path("organizations", org, "teams"), team.restBody(), org),
                Team.class);
    }

    public Team update(String org, String teamId, TeamChanges changes) {
        return updateWithJson(org, teamId, changes).value();
    }

    /** {@link #update}, answering the team with the JSON Buildkite sent. */
    public WithJson<Team> updateWithJson(String org, String teamId, TeamChanges changes) {
        return WithJson.read(rest.write("PATCH", RestClient.path("organizations", org, "teams", teamId),
                changes.restBody(), org), Team.class);
    }

    public void delete(String org, String teamId) {
        rest.write("DELETE", RestClient.path("organizations", org, "teams", teamId), null, org);
    }

    /** Turns teams on for the organization (admins only; idempotent). */
    public void enable(String org) {
        rest.write("POST", RestClient.path("organizations", org, "teams", "enable"), Map.of(), org);
    }

    public Page<TeamMember> members(String org, String teamId, PageRequest page) {
        return rest.list(RestClient.path("organizations", org, "teams", teamId, "members"), page, org, TeamMember.class);
    }

    public TeamMember member(String org, String teamId, String userId) {
        return rest.get(RestClient.path("organizations", org, "teams", teamId, "members", userId), org, TeamMember.class);
    }

    /** Adds an organization member to the team; without a role, the team's default member role applies. */
    public TeamMember addMember(String org, String teamId, String userId, TeamRole role) {
        Map<String, String> body = role == null ? Map.of("user_id", userId) : Map.of("user_id", userId, "role", role.rest());
        return BuildkiteJson.read(rest.write("POST", RestClient.path("organizations", org, "teams", teamId, "members"),
                body, org), TeamMember.class);
    }

    public TeamMember updateMember(String org, String teamId, String userId, TeamRole role) {
        return BuildkiteJson.read(rest.write("PATCH", RestClient.path("organizations", org, "teams", teamId, "members", userId),
                Map.of("role", role.rest()), org), TeamMember.class);
    }

    public void removeMember(String org, String teamId, String userId) {
        rest.write("DELETE", RestClient.path("organizations", org, "teams", teamId, "members", userId), null, org);
    }

    public Page<TeamPipeline> pipelines(String org, String teamId, PageRequest page) {
        return rest.list(RestClient.path("organizations", org, "teams", teamId, "pipelines"), page, org, TeamPipeline.class);
    }
}
