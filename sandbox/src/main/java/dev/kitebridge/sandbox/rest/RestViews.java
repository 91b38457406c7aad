package dev.kitebridge.sandbox.rest;

import java.util.Locale;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kitebridge.sandbox.http.Json;
import dev.kitebridge.sandbox.model.ApiToken;
import dev.kitebridge.sandbox.model.Invitation;
import dev.kitebridge.sandbox.model.Member;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.Pipeline;
import dev.kitebridge.sandbox.model.Team;
import dev.kitebridge.sandbox.model.TeamMember;
import dev.kitebridge.sandbox.model.TeamPipeline;
import dev.kitebridge.sandbox.model.UserAccount;
import dev.kitebridge.sandbox.model.World;

/** Buildkite's REST v2 JSON shapes, as in the fact sheet's examples. */
final class RestViews {

    private final World world;
    private final String baseUrl;

    RestViews(World world, String baseUrl) {
        this.world = world;
        this.baseUrl = baseUrl;
    }

    ObjectNode accessToken(ApiToken token) {
        UserAccount user = world.requireUser(token.userUuid());
        ObjectNode json = Json.object();
        json.put("uuid", token.uuid());
        ArrayNode scopes = json.putArray("scopes");
        token.scopes().stream().sorted().forEach(scopes::add);
        json.put("description", token.description());
        json.put("created_at", Json.accessTokenTimestamp(token.createdAt()));
        json.put("expires_at", Json.accessTokenTimestamp(token.expiresAt()));
        ObjectNode owner = json.putObject("user");
        owner.put("name", user.name());
        owner.put("email", user.email());
        return json;
    }

    ObjectNode user(UserAccount user) {
        ObjectNode json = Json.object();
        json.put("id", user.uuid());
        json.put("graphql_id", user.graphqlId());
        json.put("name", user.name());
        json.put("email", user.email());
        json.put("avatar_url", user.avatarUrl());
        json.put("created_at", Json.timestamp(user.createdAt()));
        return json;
    }

    ObjectNode organization(Organization org) {
        String api = baseUrl + "/v2/organizations/" + org.slug();
        ObjectNode json = Json.object();
        json.put("id", org.uuid());
        json.put("graphql_id", org.graphqlId());
        json.put("url", api);
        json.put("web_url", "https://buildkite.com/" + org.slug());
        json.put("name", org.name());
        json.put("slug", org.slug());
        json.put("pipelines_url", api + "/pipelines");
        json.put("agents_url", api + "/agents");
        json.put("emojis_url", api + "/emojis");
        json.put("created_at", Json.timestamp(org.createdAt()));
        return json;
    }

    /**
     * An organization member. Organizations without the 2026 fields answer id, name and email only;
     * {@code sso_mode} is shown to admins and to the member themself.
     */
    ObjectNode member(Organization org, Member member, String viewerUuid) {
        UserAccount user = world.requireUser(member.userUuid());
        ObjectNode json = Json.object();
        json.put("id", user.uuid());
        json.put("name", user.name());
        json.put("email", user.email());
        if (org.memberFields2026()) {
            json.put("role", lower(member.role()));
            if (world.isAdmin(org.uuid(), viewerUuid) || member.userUuid().equals(viewerUuid)) {
                json.put("sso_mode", lower(member.ssoMode()));
            }
        }
        return json;
    }

    ObjectNode team(Team team) {
        ObjectNode json = Json.object();
        json.put("id", team.uuid());
        json.put("graphql_id", team.graphqlId());
        json.put("name", team.name());
        json.put("slug", team.slug());
        json.put("description", team.description());
        json.put("privacy", lower(team.privacy()));
        json.put("default", team.isDefault());
        json.put("default_member_role", lower(team.defaultMemberRole()));
        json.put("members_can_create_pipelines", team.memberPermissions().createPipelines());
        json.put("members_can_create_suites", team.memberPermissions().createSuites());
        json.put("members_can_create_registries", team.memberPermissions().createRegistries());
        json.put("members_can_destroy_registries", team.memberPermissions().destroyRegistries());
        json.put("members_can_destroy_packages", team.memberPermissions().destroyPackages());
        json.put("created_at", Json.timestamp(team.createdAt()));
        world.user(team.createdByUserUuid()).ifPresentOrElse(
                creator -> json.set("created_by", user(creator)), () -> json.putNull("created_by"));
        return json;
    }

    ObjectNode teamMember(TeamMember member) {
        UserAccount user = world.requireUser(member.userUuid());
        ObjectNode json = Json.object();
        json.put("user_id", user.uuid());
        json.put("user_name", user.name());
        json.put("role", lower(member.role()));
        json.put("created_at", Json.timestamp(member.createdAt()));
        return json;
    }

    ObjectNode teamPipeline(Organization org, TeamPipeline access) {
        ObjectNode json = Json.object();
        json.put("pipeline_id", access.pipelineUuid());
        json.put("access_level", lower(access.accessLevel()));
        world.pipeline(org.uuid(), access.pipelineUuid()).ifPresent(pipeline ->
                json.put("pipeline_url", baseUrl + "/v2/organizations/" + org.slug() + "/pipelines/" + pipeline.slug()));
        json.put("created_at", Json.timestamp(access.createdAt()));
        return json;
    }

    ObjectNode pipeline(Organization org, Pipeline pipeline) {
        String api = baseUrl + "/v2/organizations/" + org.slug() + "/pipelines/" + pipeline.slug();
        ObjectNode json = Json.object();
        json.put("id", pipeline.uuid());
        json.put("graphql_id", pipeline.graphqlId());
        json.put("url", api);
        json.put("web_url", "https://buildkite.com/" + org.slug() + "/" + pipeline.slug());
        json.put("name", pipeline.name());
        json.put("slug", pipeline.slug());
        json.put("repository", pipeline.repository());
        json.put("default_branch", pipeline.defaultBranch());
        json.put("builds_url", api + "/builds");
        json.put("visibility", "private");
        json.put("created_at", Json.timestamp(pipeline.createdAt()));
        world.user(pipeline.createdByUserUuid()).ifPresent(creator -> json.set("created_by", user(creator)));
        return json;
    }

    ObjectNode invitation(Organization org, Invitation invitation) {
        ObjectNode json = Json.object();
        json.put("id", invitation.uuid());
        json.put("graphql_id", invitation.graphqlId());
        json.put("url", baseUrl + "/v2/organizations/" + org.slug() + "/invitations/" + invitation.uuid());
        json.put("email", invitation.email());
        json.put("state", lower(invitation.state()));
        json.put("role", lower(invitation.role()));
        json.put("sso_mode", lower(invitation.ssoMode()));
        ArrayNode teams = json.putArray("teams");
        for (Invitation.InvitedTeam invited : invitation.teams()) {
            world.team(org.uuid(), invited.teamUuid()).ifPresent(team -> {
                ObjectNode t = teams.addObject();
                t.put("id", team.uuid());
                t.put("graphql_id", team.graphqlId());
                t.put("slug", team.slug());
            });
        }
        json.put("created_at", Json.timestamp(invitation.createdAt()));
        putPerson(json, "created_by", invitation.createdByUserUuid());
        json.put("accepted_at", Json.timestamp(invitation.acceptedAt()));
        putPerson(json, "accepted_by", invitation.acceptedByUserUuid());
        json.put("revoked_at", Json.timestamp(invitation.revokedAt()));
        putPerson(json, "revoked_by", invitation.revokedByUserUuid());
        json.put("expired_at", Json.timestamp(invitation.expiredAt()));
        return json;
    }

    private void putPerson(ObjectNode json, String field, String userUuid) {
        if (userUuid == null) {
            json.putNull(field);
            return;
        }
        UserAccount user = world.requireUser(userUuid);
        ObjectNode person = json.putObject(field);
        person.put("id", user.uuid());
        person.put("name", user.name());
        person.put("email", user.email());
    }

    static String lower(Enum<?> value) {
        return value == null ? null : value.name().toLowerCase(Locale.ROOT);
    }
}
