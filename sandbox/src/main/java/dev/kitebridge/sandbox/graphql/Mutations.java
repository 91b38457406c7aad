package dev.kitebridge.sandbox.graphql;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.TypeRuntimeWiring;

import dev.kitebridge.sandbox.graphql.SandboxSchema.Caller;
import dev.kitebridge.sandbox.model.GraphqlIds;
import dev.kitebridge.sandbox.model.Invitation;
import dev.kitebridge.sandbox.model.Member;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.Refusal;
import dev.kitebridge.sandbox.model.Team;
import dev.kitebridge.sandbox.model.TeamFields;
import dev.kitebridge.sandbox.model.TeamMember;
import dev.kitebridge.sandbox.model.World;

/**
 * The directory's mutations. Ids are GraphQL ids, and each names its own kind: an
 * OrganizationMember id is not a User id, nor a TeamMember id. A write that Buildkite refuses
 * answers HTTP 200 with {@code errors} and a null payload.
 */
final class Mutations {

    private Mutations() {}

    static TypeRuntimeWiring wiring() {
        return TypeRuntimeWiring.newTypeWiring("Mutation")
                .dataFetcher("organizationInvitationCreate", Mutations::invitationCreate)
                .dataFetcher("organizationInvitationRevoke", Mutations::invitationRevoke)
                .dataFetcher("organizationInvitationResend", Mutations::invitationResend)
                .dataFetcher("organizationMemberUpdate", Mutations::memberUpdate)
                .dataFetcher("organizationMemberDelete", Mutations::memberDelete)
                .dataFetcher("teamCreate", Mutations::teamCreate)
                .dataFetcher("teamUpdate", Mutations::teamUpdate)
                .dataFetcher("teamDelete", Mutations::teamDelete)
                .dataFetcher("teamMemberCreate", Mutations::teamMemberCreate)
                .dataFetcher("teamMemberUpdate", Mutations::teamMemberUpdate)
                .dataFetcher("teamMemberDelete", Mutations::teamMemberDelete)
                .build();
    }

    private static Object invitationCreate(DataFetchingEnvironment env) {
        Caller caller = Caller.of(env);
        Map<String, Object> input = env.getArgument("input");
        Organization org = organization(caller, (String) input.get("organizationID"));
        List<Invitation.InvitedTeam> teams = new ArrayList<>();
        List<Map<String, Object>> teamInputs = list(input.get("teams"));
        for (Map<String, Object> team : teamInputs) {
            String teamUuid = GraphqlIds.uuidOf("Team", (String) team.get("id"))
                    .orElseThrow(() -> Refusal.notFound("No team found"));
            teams.add(new Invitation.InvitedTeam(teamUuid, (TeamMember.Role) team.get("role")));
        }
        List<String> emails = list(input.get("emails"));
        List<Invitation> created = caller.world().invite(org, caller.userUuid(), emails,
                (Member.Role) input.get("role"), ssoMode(input.get("sso")), teams);
        List<Connection.Edge<Invitation>> edges = new ArrayList<>();
        for (Invitation invitation : created) {
            edges.add(new Connection.Edge<>(invitation.uuid(), invitation));
        }
        return payload(input, "invitationEdges", edges, "organization", org);
    }

    private static Object invitationRevoke(DataFetchingEnvironment env) {
        Caller caller = Caller.of(env);
        Map<String, Object> input = env.getArgument("input");
        Invitation invitation = invitation(caller, (String) input.get("id"));
        Organization org = caller.reachableByUuid(invitation.organizationUuid());
        Invitation revoked = caller.world().revokeInvitation(org, caller.userUuid(), invitation.uuid());
        return payload(input, "organization", org, "organizationInvitation", revoked,
                "organizationInvitationEdge", new Connection.Edge<>(revoked.uuid(), revoked));
    }

    private static Object invitationResend(DataFetchingEnvironment env) {
        Caller caller = Caller.of(env);
        Map<String, Object> input = env.getArgument("input");
        Invitation invitation = invitation(caller, (String) input.get("id"));
        Organization org = caller.reachableByUuid(invitation.organizationUuid());
        return payload(input, "organizationInvitation",
                caller.world().resendInvitation(org, caller.userUuid(), invitation.uuid()));
    }

    private static Object memberUpdate(DataFetchingEnvironment env) {
        Caller caller = Caller.of(env);
        Map<String, Object> input = env.getArgument("input");
        Member member = member(caller, (String) input.get("id"));
        Organization org = caller.reachableByUuid(member.organizationUuid());
        Member updated = caller.world().updateMember(org, caller.userUuid(), member.userUuid(),
                (Member.Role) input.get("role"), ssoMode(input.get("sso")));
        return payload(input, "organizationMember", updated);
    }

    private static Object memberDelete(DataFetchingEnvironment env) {
        Caller caller = Caller.of(env);
        Map<String, Object> input = env.getArgument("input");
        Member member = member(caller, (String) input.get("id"));
        Organization org = caller.reachableByUuid(member.organizationUuid());
        Member removed = caller.world().removeMember(org, caller.userUuid(), member.userUuid());
        return payload(input, "deletedOrganizationMemberID", removed.graphqlId(), "organization", org,
                "user", caller.world().user(removed.userUuid()).orElse(null));
    }

    private static Object teamCreate(DataFetchingEnvironment env) {
        Caller caller = Caller.of(env);
        Map<String, Object> input = env.getArgument("input");
        Organization org = organization(caller, (String) input.get("organizationID"));
        Team team = caller.world().createTeam(org, caller.userUuid(), teamFields(input));
        return payload(input, "teamEdge", new Connection.Edge<>(team.uuid(), team), "organization", org);
    }

    private static Object teamUpdate(DataFetchingEnvironment env) {
        Caller caller = Caller.of(env);
        Map<String, Object> input = env.getArgument("input");
        Team team = team(caller, (String) input.get("id"));
        Organization org = caller.reachableByUuid(team.organizationUuid());
        Team updated = caller.world().updateTeam(org, caller.userUuid(), team.uuid(), teamFields(input));
        return payload(input, "team", updated);
    }

    private static Object teamDelete(DataFetchingEnvironment env) {
        Caller caller = Caller.of(env);
        Map<String, Object> input = env.getArgument("input");
        Team team = team(caller, (String) input.get("id"));
        Organization org = caller.reachableByUuid(team.organizationUuid());
        caller.world().deleteTeam(org, caller.userUuid(), team.uuid());
        return payload(input, "deletedTeamID", team.graphqlId(), "organization", org);
    }

    private static Object teamMemberCreate(DataFetchingEnvironment env) {
        Caller caller = Caller.of(env);
        Map<String, Object> input = env.getArgument("input");
        Team team = team(caller, (String) input.get("teamID"));
        String userUuid = GraphqlIds.uuidOf("User", (String) input.get("userID"))
                .orElseThrow(() -> Refusal.notFound("No user found"));
        Organization org = caller.reachableByUuid(team.organizationUuid());
        TeamMember added = caller.world().addTeamMember(org, caller.userUuid(), team.uuid(), userUuid,
                (TeamMember.Role) input.get("role"));
        return payload(input, "teamMemberEdge", new Connection.Edge<>(added.uuid(), added), "team", team);
    }

    private static Object teamMemberUpdate(DataFetchingEnvironment env) {
        Caller caller = Caller.of(env);
        Map<String, Object> input = env.getArgument("input");
        TeamMember teamMember = teamMember(caller, (String) input.get("id"));
        Team team = caller.world().team(teamMember.teamUuid()).orElseThrow();
        Organization org = caller.reachableByUuid(team.organizationUuid());
        TeamMember updated = caller.world().updateTeamMember(org, caller.userUuid(), team.uuid(),
                teamMember.userUuid(), (TeamMember.Role) input.get("role"));
        return payload(input, "teamMember", updated);
    }

    private static Object teamMemberDelete(DataFetchingEnvironment env) {
        Caller caller = Caller.of(env);
        Map<String, Object> input = env.getArgument("input");
        TeamMember teamMember = teamMember(caller, (String) input.get("id"));
        Team team = caller.world().team(teamMember.teamUuid()).orElseThrow();
        Organization org = caller.reachableByUuid(team.organizationUuid());
        TeamMember removed = caller.world().removeTeamMember(org, caller.userUuid(), team.uuid(), teamMember.userUuid());
        return payload(input, "deletedTeamMemberID", removed.graphqlId(), "team", team);
    }

    // ---------------------------------------------------------------- resolving ids of the right kind

    private static Organization organization(Caller caller, String id) {
        return GraphqlIds.uuidOf("Organization", id)
                .map(caller::reachableByUuid)
                .orElseThrow(() -> Refusal.notFound("No organization found"));
    }

    private static Member member(Caller caller, String id) {
        return GraphqlIds.uuidOf("OrganizationMember", id)
                .flatMap(caller.world()::memberByUuid)
                .filter(m -> caller.world().organizationByUuid(m.organizationUuid()).flatMap(caller::reachable).isPresent())
                .orElseThrow(() -> Refusal.notFound("No organization member found"));
    }

    private static Team team(Caller caller, String id) {
        World world = caller.world();
        return GraphqlIds.uuidOf("Team", id)
                .flatMap(world::team)
                .filter(t -> world.organizationByUuid(t.organizationUuid()).flatMap(caller::reachable).isPresent())
                .filter(t -> world.canSee(t, caller.userUuid()))
                .orElseThrow(() -> Refusal.notFound("No team found"));
    }

    private static TeamMember teamMember(Caller caller, String id) {
        World world = caller.world();
        return GraphqlIds.uuidOf("TeamMember", id)
                .flatMap(world::teamMemberByUuid)
                .filter(tm -> world.team(tm.teamUuid())
                        .filter(t -> world.organizationByUuid(t.organizationUuid()).flatMap(caller::reachable).isPresent())
                        .isPresent())
                .orElseThrow(() -> Refusal.notFound("No team member found"));
    }

    private static Invitation invitation(Caller caller, String id) {
        World world = caller.world();
        String uuid = GraphqlIds.uuidOf("OrganizationInvitation", id)
                .orElseThrow(() -> Refusal.notFound("No invitation found"));
        return world.reachableOrganizations(caller.token()).stream()
                .flatMap(org -> world.invitation(org.uuid(), uuid).stream())
                .findFirst()
                .orElseThrow(() -> Refusal.notFound("No invitation found"));
    }

    // ---------------------------------------------------------------- inputs and payloads

    private static TeamFields teamFields(Map<String, Object> input) {
        return new TeamFields(
                (String) input.get("name"),
                (String) input.get("description"),
                (Team.Privacy) input.get("privacy"),
                (Boolean) input.get("isDefaultTeam"),
                (TeamMember.Role) input.get("defaultMemberRole"),
                (Boolean) input.get("membersCanCreatePipelines"),
                (Boolean) input.get("membersCanCreateSuites"),
                (Boolean) input.get("membersCanCreateRegistries"),
                (Boolean) input.get("membersCanDestroyRegistries"),
                (Boolean) input.get("membersCanDestroyPackages"));
    }

    @SuppressWarnings("unchecked")
    private static Member.SsoMode ssoMode(Object sso) {
        return sso == null ? null : (Member.SsoMode) ((Map<String, Object>) sso).get("mode");
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> list(Object value) {
        return value == null ? List.of() : (List<T>) value;
    }

    /** A mutation payload; every payload echoes the input's clientMutationId. */
    private static Map<String, Object> payload(Map<String, Object> input, Object... fields) {
        Map<String, Object> payload = new HashMap<>();
        payload.put("clientMutationId", input.get("clientMutationId"));
        for (int i = 0; i < fields.length; i += 2) {
            payload.put((String) fields[i], fields[i + 1]);
        }
        return payload;
    }
}
