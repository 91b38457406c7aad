package dev.kitebridge.sandbox.rest;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.sandbox.http.Reply;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.Refusal;
import dev.kitebridge.sandbox.model.Team;
import dev.kitebridge.sandbox.model.TeamFields;
import dev.kitebridge.sandbox.model.TeamMember;

/** Teams, their members and their pipelines; secret teams exist only for admins and their members. */
final class TeamRoutes {

    private static final String TEAMS = "/v2/organizations/{org}/teams";
    private static final String TEAM = TEAMS + "/{team}";

    private final RestViews views;

    TeamRoutes(RestViews views) {
        this.views = views;
    }

    List<RestRoute> routes() {
        return List.of(
                RestRoute.of("POST", TEAMS + "/enable", "write_teams", this::enable),
                RestRoute.of("GET", TEAMS, "read_teams", this::list),
                RestRoute.of("POST", TEAMS, "write_teams", this::create),
                RestRoute.of("GET", TEAM, "read_teams", this::get),
                RestRoute.of("PATCH", TEAM, "write_teams", this::update),
                RestRoute.of("DELETE", TEAM, "write_teams", this::delete),
                RestRoute.of("GET", TEAM + "/members", "read_teams", this::listMembers),
                RestRoute.of("POST", TEAM + "/members", "write_teams", this::addMember),
                RestRoute.of("GET", TEAM + "/members/{user}", "read_teams", this::getMember),
                RestRoute.of("PATCH", TEAM + "/members/{user}", "write_teams", this::updateMember),
                RestRoute.of("DELETE", TEAM + "/members/{user}", "write_teams", this::removeMember),
                RestRoute.of("GET", TEAM + "/pipelines", "read_teams", this::listTeamPipelines),
                RestRoute.of("GET", "/v2/organizations/{org}/pipelines", "read_pipelines", this::listPipelines));
    }

    private Reply list(RestCall call) {
        Organization org = call.org();
        String userFilter = call.request().query("user_id");
        List<Team> teams = call.world().visibleTeams(org.uuid(), call.viewerUuid()).stream()
                .filter(team -> userFilter == null
                        || call.world().teamMember(org.uuid(), team.uuid(), userFilter).isPresent())
                .toList();
        return Paging.page(call, teams.stream().map(views::team).toList());
    }

    private Reply get(RestCall call) {
        return Reply.json(200, views.team(visibleTeam(call)));
    }

    private Reply create(RestCall call) {
        Team team = call.world().createTeam(call.org(), call.viewerUuid(), teamFields(call.body()));
        return Reply.json(201, views.team(team));
    }

    private Reply update(RestCall call) {
        Team team = call.world().updateTeam(call.org(), call.viewerUuid(), call.param("team"), teamFields(call.body()));
        return Reply.json(200, views.team(team));
    }

    private Reply delete(RestCall call) {
        call.world().deleteTeam(call.org(), call.viewerUuid(), call.param("team"));
        return Reply.noContent();
    }

    private Reply enable(RestCall call) {
        call.world().enableTeams(call.org(), call.viewerUuid());
        return Reply.noContent();
    }

    private Reply listMembers(RestCall call) {
        Team team = visibleTeam(call);
        List<TeamMember> members = call.world().teamMembers(call.org().uuid(), team.uuid());
        return Paging.page(call, members.stream().map(views::teamMember).toList());
    }

    private Reply getMember(RestCall call) {
        Team team = visibleTeam(call);
        TeamMember member = call.world().teamMember(call.org().uuid(), team.uuid(), call.param("user"))
                .orElseThrow(() -> Refusal.notFound("No team member found"));
        return Reply.json(200, views.teamMember(member));
    }

    private Reply addMember(RestCall call) {
        JsonNode body = call.body();
        String userUuid = Bodies.text(body, "user_id");
        if (userUuid == null || userUuid.isBlank()) {
            throw Refusal.invalid("Validation failed: User can't be blank");
        }
        TeamMember added = call.world().addTeamMember(call.org(), call.viewerUuid(), call.param("team"), userUuid,
                Bodies.enumField(body, "role", TeamMember.Role.class));
        return Reply.json(201, views.teamMember(added));
    }

    private Reply updateMember(RestCall call) {
        TeamMember updated = call.world().updateTeamMember(call.org(), call.viewerUuid(), call.param("team"),
                call.param("user"), Bodies.enumField(call.body(), "role", TeamMember.Role.class));
        return Reply.json(200, views.teamMember(updated));
    }

    private Reply removeMember(RestCall call) {
        call.world().removeTeamMember(call.org(), call.viewerUuid(), call.param("team"), call.param("user"));
        return Reply.noContent();
    }

    private Reply listTeamPipelines(RestCall call) {
        Organization org = call.org();
        Team team = visibleTeam(call);
        return Paging.page(call, call.world().teamPipelines(org.uuid(), team.uuid()).stream()
                .map(access -> views.teamPipeline(org, access)).toList());
    }

    private Reply listPipelines(RestCall call) {
        Organization org = call.org();
        return Paging.page(call, call.world().pipelines(org.uuid()).stream()
                .map(pipeline -> views.pipeline(org, pipeline)).toList());
    }

    private static Team visibleTeam(RestCall call) {
        return call.world().team(call.org().uuid(), call.param("team"))
                .filter(team -> call.world().canSee(team, call.viewerUuid()))
                .orElseThrow(() -> Refusal.notFound("No team found"));
    }

    /** The team fields of a POST or PATCH body; in bodies, {@code default} is spelled {@code is_default_team}. */
    private static TeamFields teamFields(JsonNode body) {
        return new TeamFields(
                Bodies.text(body, "name"),
                Bodies.text(body, "description"),
                Bodies.enumField(body, "privacy", Team.Privacy.class),
                Bodies.bool(body, "is_default_team"),
                Bodies.enumField(body, "default_member_role", TeamMember.Role.class),
                Bodies.bool(body, "members_can_create_pipelines"),
                Bodies.bool(body, "members_can_create_suites"),
                Bodies.bool(body, "members_can_create_registries"),
                Bodies.bool(body, "members_can_destroy_registries"),
                Bodies.bool(body, "members_can_destroy_packages"));
    }
}
