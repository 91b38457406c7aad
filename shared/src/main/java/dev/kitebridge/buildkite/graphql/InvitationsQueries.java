package dev.kitebridge.buildkite.graphql;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.buildkite.BuildkiteJson;
import dev.kitebridge.buildkite.InvitationState;
import dev.kitebridge.buildkite.OrganizationRole;
import dev.kitebridge.buildkite.SsoMode;
import dev.kitebridge.buildkite.TeamRole;
import dev.kitebridge.buildkite.graphql.Nodes.InvitationNode;

/**
 * Organization invitations as GraphQL has them: in every state, where REST lists pending ones only
 * (and asks a scope the contract does not need).
 */
public final class InvitationsQueries {

    private final GraphqlExecutor graphql;

    public InvitationsQueries(GraphqlExecutor graphql) {
        this.graphql = graphql;
    }

    /** A team an invitation will join. */
    public record InvitedTeam(String teamGraphqlId, TeamRole role) {}

    /** Invitations in the given states (all states when null or empty). */
    public Connection<InvitationNode> list(String org, int first, String after, List<InvitationState> states) {
        int size = GraphqlExecutor.pageSize(first);
        Map<String, Object> variables = new LinkedHashMap<>();
        variables.put("slug", org);
        variables.put("first", size);
        variables.put("after", after);
        variables.put("state", states == null || states.isEmpty() ? null : states.stream().map(Enum::name).toList());
        return graphql.page(graphql.execute(GraphqlDocument.INVITATIONS, variables, org, size).data(),
                "organization", org, "invitations", InvitationNode.class);
    }

    /**
     * One invitation by its UUID, in whatever state, or empty where the token cannot see it (no
     * longer there, or another organization's).
     */
    public java.util.Optional<InvitationNode> one(String org, String invitationUuid) {
        String id = java.util.Base64.getEncoder().encodeToString(("OrganizationInvitation---" + invitationUuid)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        JsonNode node = graphql.execute(GraphqlDocument.INVITATION, Map.of("id", id), org, 1).data().path("node");
        return node.isObject() && node.hasNonNull("uuid") ? java.util.Optional.of(BuildkiteJson.read(node, InvitationNode.class))
                : java.util.Optional.empty();
    }

    public List<InvitationNode> create(String org, String organizationGraphqlId, List<String> emails,
                                       OrganizationRole role, SsoMode ssoMode, List<InvitedTeam> teams) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("organizationID", organizationGraphqlId);
        input.put("emails", emails);
        if (role != null) {
            input.put("role", role.name());
        }
        if (ssoMode != null) {
            input.put("sso", Map.of("mode", ssoMode.name()));
        }
        if (teams != null && !teams.isEmpty()) {
            input.put("teams", teams.stream().map(t -> Map.of("id", t.teamGraphqlId(), "role", t.role().name())).toList());
        }
        JsonNode payload = graphql.mutate(GraphqlDocument.INVITATION_CREATE, input, org, "organizationInvitationCreate");
        List<InvitationNode> created = new ArrayList<>();
        payload.path("invitationEdges").forEach(edge -> created.add(BuildkiteJson.read(edge.path("node"), InvitationNode.class)));
        return created;
    }

    public InvitationNode revoke(String org, String invitationGraphqlId) {
        JsonNode payload = graphql.mutate(GraphqlDocument.INVITATION_REVOKE, Map.of("id", invitationGraphqlId), org,
                "organizationInvitationRevoke");
        return BuildkiteJson.read(payload.path("organizationInvitation"), InvitationNode.class);
    }
}
