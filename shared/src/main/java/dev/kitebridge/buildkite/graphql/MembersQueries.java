package dev.kitebridge.buildkite.graphql;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import dev.kitebridge.buildkite.BuildkiteJson;
import dev.kitebridge.buildkite.OrganizationRole;
import dev.kitebridge.buildkite.SsoMode;
import dev.kitebridge.buildkite.graphql.Nodes.MemberNode;

/**
 * An organization's members as GraphQL has them: with what REST lacks (2FA, last seen, bots,
 * avatars). Mutations take the OrganizationMember's GraphQL id, not the user's.
 */
public final class MembersQueries {

    private final GraphqlExecutor graphql;

    public MembersQueries(GraphqlExecutor graphql) {
        this.graphql = graphql;
    }

    public Connection<MemberNode> list(String org, MemberQuery query) {
        int first = GraphqlExecutor.pageSize(query.first());
        Map<String, Object> variables = new LinkedHashMap<>();
        variables.put("slug", org);
        variables.put("first", first);
        variables.put("after", query.after());
        variables.put("order", query.order());
        variables.put("email", query.email());
        variables.put("role", query.roles() == null ? null : query.roles().stream().map(Enum::name).toList());
        variables.put("search", query.search());
        variables.put("security", query.twoFactorEnabled() == null ? null : Map.of("twoFactorEnabled", query.twoFactorEnabled()));
        variables.put("sso", query.ssoMode() == null ? null : Map.of("mode", query.ssoMode().name()));
        variables.put("inactiveSince", query.inactiveSince() == null ? null : query.inactiveSince().toString());
        variables.put("team", query.team());
        variables.put("withSso", query.withSso() ? Boolean.TRUE : null);
        long cost = GraphqlDocument.MEMBERS.requestedComplexity(first) + (query.withSso() ? first : 0);
        return graphql.page(graphql.execute(GraphqlDocument.MEMBERS, variables, org, cost).data(),
                "organization", org, "members", MemberNode.class);
    }

    /** The membership of the user with this email in the organization, with its teams; empty if none. */
    public Optional<Connection<MemberNode>> byEmail(String org, String email) {
        Connection<MemberNode> members = graphql.page(graphql.execute(GraphqlDocument.ME, Map.of("slug", org, "email", email), org, 0)
                .data(), "organization", org, "members", MemberNode.class);
        return members.nodes().isEmpty() ? Optional.empty() : Optional.of(members);
    }

    /** Changes a member's role or SSO mode. */
    public MemberNode update(String org, String memberGraphqlId, OrganizationRole role, SsoMode ssoMode) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("id", memberGraphqlId);
        if (role != null) {
            input.put("role", role.name());
        }
        if (ssoMode != null) {
            input.put("sso", Map.of("mode", ssoMode.name()));
        }
        return BuildkiteJson.read(graphql.mutate(GraphqlDocument.MEMBER_UPDATE, input, org, "organizationMemberUpdate")
                .path("organizationMember"), MemberNode.class);
    }

    /** Removes a member from the organization; returns the deleted OrganizationMember id. */
    public String delete(String org, String memberGraphqlId) {
        return graphql.mutate(GraphqlDocument.MEMBER_DELETE, Map.of("id", memberGraphqlId), org, "organizationMemberDelete")
                .path("deletedOrganizationMemberID").asText();
    }
}
