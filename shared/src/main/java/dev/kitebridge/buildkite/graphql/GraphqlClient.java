package dev.kitebridge.buildkite.graphql;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.buildkite.BuildkiteException;
import dev.kitebridge.buildkite.BuildkiteJson;
import dev.kitebridge.buildkite.Deadline;
import dev.kitebridge.buildkite.InvitationState;
import dev.kitebridge.buildkite.OrganizationRole;
import dev.kitebridge.buildkite.SsoMode;
import dev.kitebridge.buildkite.TeamPrivacy;
import dev.kitebridge.buildkite.TeamRole;
import dev.kitebridge.buildkite.Transport;
import dev.kitebridge.buildkite.graphql.Nodes.InvitationNode;
import dev.kitebridge.buildkite.graphql.Nodes.MemberNode;
import dev.kitebridge.buildkite.graphql.Nodes.OrganizationNode;
import dev.kitebridge.buildkite.graphql.Nodes.TeamMemberNode;
import dev.kitebridge.buildkite.graphql.Nodes.TeamNode;
import dev.kitebridge.buildkite.graphql.Nodes.UserNode;
import dev.kitebridge.buildkite.graphql.Nodes.Viewer;
import dev.kitebridge.buildkite.ratelimit.Budget;

/**
 * Buildkite's GraphQL API through this client's documents ({@link GraphqlDocument}). Refusals come
 * as HTTP 200 with {@code errors}; they are turned into the same typed exceptions as REST's.
 * Queries are retried like any idempotent call; mutations are not.
 */
public final class GraphqlClient {

    /** Buildkite's largest page. */
    public static final int MAX_FIRST = 500;

    private static final Pattern NOT_FOUND = Pattern.compile("No [\\w ]+? found|not found|no longer exists", Pattern.CASE_INSENSITIVE);
    private static final Pattern INVALID = Pattern.compile(
            "Validation failed|already been|already exists|has already|can't be blank|is not|must|exceeds max complexity",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern FORBIDDEN = Pattern.compile("Forbidden|not allowed|permission|can't change your own",
            Pattern.CASE_INSENSITIVE);

    private final Transport transport;
    private final URI endpoint;
    private final Supplier<Deadline> deadline;

    public GraphqlClient(Transport transport, URI endpoint, Supplier<Deadline> deadline) {
        this.transport = transport;
        this.endpoint = endpoint;
        this.deadline = deadline;
    }

    /** A GraphQL answer: its data, and what the query cost as Buildkite's headers told. */
    public record Result(JsonNode data, long requestedComplexity, long actualComplexity) {}

    /**
     * Sends a document. Variables that are null are left out, so that arguments take their defaults.
     *
     * @param organizationSlug the organization whose budget the query spends (null for none)
     * @param first the page size, for the cost estimate
     */
    public Result execute(GraphqlDocument document, Map<String, Object> variables, String organizationSlug, int first) {
        return execute(document, variables, organizationSlug, (long) document.requestedComplexity(first));
    }

    /** Sends a document whose cost the caller knows better than the document's own estimate. */
    public Result execute(GraphqlDocument document, Map<String, Object> variables, String organizationSlug, long cost) {
        Map<String, Object> present = new LinkedHashMap<>();
        variables.forEach((name, value) -> {
            if (value != null) {
                present.put(name, value);
            }
        });
        Map<String, Object> body = Map.of("query", document.text(), "variables", present);
        Transport.Response response = transport.send(new Transport.Call("POST", endpoint, BuildkiteJson.write(body),
                Budget.Api.GRAPHQL, organizationSlug, !document.mutation(), cost), deadline.get(), false);
        JsonNode answer = response.body();
        JsonNode errors = answer == null ? null : answer.get("errors");
        if (errors != null && errors.isArray() && !errors.isEmpty()) {
            throw errorsOf(errors, document);
        }
        if (answer == null || !answer.path("data").isObject()) {
            throw new BuildkiteException.Unavailable(response.status(), "Buildkite answered the " + document.name()
                    + " query without data", null);
        }
        return new Result(answer.get("data"),
                response.headers().firstValueAsLong("RateLimit-Complexity-Requested").orElse(-1),
                response.headers().firstValueAsLong("RateLimit-Complexity-Actual").orElse(-1));
    }

    /**
     * A GraphQL request passed through as it is (the proxy). Its cost is not known before Buildkite
     * counts it, so it reserves one point: Buildkite too refuses a query only once the budget is spent.
     * A mutation is not retried.
     */
    public Transport.Response forward(byte[] body, boolean mutation) {
        return transport.send(new Transport.Call("POST", endpoint, body, Budget.Api.GRAPHQL, null, !mutation, 1), deadline.get(), true);
    }

    // ---------------------------------------------------------------- queries

    public Viewer viewer() {
        JsonNode viewer = execute(GraphqlDocument.VIEWER, Map.of(), null, 0).data().path("viewer");
        return new Viewer(viewer.path("id").asText(), BuildkiteJson.read(viewer.path("user"), UserNode.class),
                Connection.from(viewer.path("organizations"), OrganizationNode.class));
    }

    /** What to ask of an organization's members; every filter is optional. */
    public record MemberQuery(int first, String after, String order, String email, List<OrganizationRole> roles,
                              String search, Boolean twoFactorEnabled, SsoMode ssoMode, Instant inactiveSince,
                              String team, boolean withSso) {

        public static MemberQuery page(int first, String after) {
            return new MemberQuery(first, after, null, null, null, null, null, null, null, null, false);
        }

        /** Also reads each member's SSO mode (a point more per member), for organizations whose REST members lack it. */
        public MemberQuery withSso(boolean value) {
            return new MemberQuery(first, after, order, email, roles, search, twoFactorEnabled, ssoMode, inactiveSince, team, value);
        }

        public MemberQuery withOrder(String value) {
            return new MemberQuery(first, after, value, email, roles, search, twoFactorEnabled, ssoMode, inactiveSince, team, withSso);
        }

        public MemberQuery withEmail(String value) {
            return new MemberQuery(first, after, order, value, roles, search, twoFactorEnabled, ssoMode, inactiveSince, team, withSso);
        }

        public MemberQuery withRoles(List<OrganizationRole> value) {
            return new MemberQuery(first, after, order, email, value, search, twoFactorEnabled, ssoMode, inactiveSince, team, withSso);
        }

        public MemberQuery withTwoFactorEnabled(Boolean value) {
            return new MemberQuery(first, after, order, email, roles, search, value, ssoMode, inactiveSince, team, withSso);
        }

        public MemberQuery withSsoMode(SsoMode value) {
            return new MemberQuery(first, after, order, email, roles, search, twoFactorEnabled, value, inactiveSince, team, withSso);
        }

        public MemberQuery withInactiveSince(Instant value) {
            return new MemberQuery(first, after, order, email, roles, search, twoFactorEnabled, ssoMode, value, team, withSso);
        }

        public MemberQuery withTeam(String value) {
            return new MemberQuery(first, after, order, email, roles, search, twoFactorEnabled, ssoMode, inactiveSince, value, withSso);
        }
    }

    public Connection<MemberNode> members(String org, MemberQuery query) {
        int first = pageSize(query.first());
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
        JsonNode data = execute(GraphqlDocument.MEMBERS, variables, org, cost).data();
        return Connection.from(required(data.path("organization"), "organization", org).path("members"), MemberNode.class);
    }

    public Connection<TeamNode> teams(String org, int first, String after) {
        int size = pageSize(first);
        Map<String, Object> variables = new LinkedHashMap<>();
        variables.put("slug", org);
        variables.put("first", size);
        variables.put("after", after);
        JsonNode data = execute(GraphqlDocument.TEAMS, variables, org, size).data();
        return Connection.from(required(data.path("organization"), "organization", org).path("teams"), TeamNode.class);
    }

    public Connection<TeamMemberNode> teamMembers(String org, String teamSlug, int first, String after) {
        int size = pageSize(first);
        Map<String, Object> variables = new LinkedHashMap<>();
        variables.put("team", org + "/" + teamSlug);
        variables.put("first", size);
        variables.put("after", after);
        JsonNode data = execute(GraphqlDocument.TEAM_MEMBERS, variables, org, size).data();
        return Connection.from(required(data.path("team"), "team", org + "/" + teamSlug).path("members"), TeamMemberNode.class);
    }

    /** Invitations in the given states (all states when null or empty). */
    public Connection<InvitationNode> invitations(String org, int first, String after, List<InvitationState> states) {
        int size = pageSize(first);
        Map<String, Object> variables = new LinkedHashMap<>();
        variables.put("slug", org);
        variables.put("first", size);
        variables.put("after", after);
        variables.put("state", states == null || states.isEmpty() ? null : states.stream().map(Enum::name).toList());
        JsonNode data = execute(GraphqlDocument.INVITATIONS, variables, org, size).data();
        return Connection.from(required(data.path("organization"), "organization", org).path("invitations"), InvitationNode.class);
    }

    /** The membership of the user with this email in the organization, with its teams; empty if none. */
    public java.util.Optional<Connection<MemberNode>> membershipByEmail(String org, String email) {
        JsonNode data = execute(GraphqlDocument.ME, Map.of("slug", org, "email", email), org, 0).data();
        Connection<MemberNode> members = Connection.from(required(data.path("organization"), "organization", org)
                .path("members"), MemberNode.class);
        return members.nodes().isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(members);
    }

    // ---------------------------------------------------------------- mutations (ids are GraphQL ids)

    /** A team an invitation will join. */
    public record InvitedTeam(String teamGraphqlId, TeamRole role) {}

    public List<InvitationNode> createInvitations(String org, String organizationGraphqlId, List<String> emails,
                                                  OrganizationRole role, SsoMode ssoMode, List<InvitedTeam> teams) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("organizationID", organizationGraphqlId);
        input.put("emails", emails);
        putIf(input, "role", role == null ? null : role.name());
        putIf(input, "sso", ssoMode == null ? null : Map.of("mode", ssoMode.name()));
        if (teams != null && !teams.isEmpty()) {
            input.put("teams", teams.stream().map(t -> Map.of("id", t.teamGraphqlId(), "role", t.role().name())).toList());
        }
        JsonNode payload = mutate(GraphqlDocument.INVITATION_CREATE, input, org, "organizationInvitationCreate");
        List<InvitationNode> created = new ArrayList<>();
        payload.path("invitationEdges").forEach(edge -> created.add(BuildkiteJson.read(edge.path("node"), InvitationNode.class)));
        return created;
    }

    public InvitationNode revokeInvitation(String org, String invitationGraphqlId) {
        JsonNode payload = mutate(GraphqlDocument.INVITATION_REVOKE, Map.of("id", invitationGraphqlId), org,
                "organizationInvitationRevoke");
        return BuildkiteJson.read(payload.path("organizationInvitation"), InvitationNode.class);
    }

    /** Changes a member's role or SSO mode; the id is the OrganizationMember's, not the user's. */
    public MemberNode updateMember(String org, String memberGraphqlId, OrganizationRole role, SsoMode ssoMode) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("id", memberGraphqlId);
        putIf(input, "role", role == null ? null : role.name());
        putIf(input, "sso", ssoMode == null ? null : Map.of("mode", ssoMode.name()));
        JsonNode payload = mutate(GraphqlDocument.MEMBER_UPDATE, input, org, "organizationMemberUpdate");
        return BuildkiteJson.read(payload.path("organizationMember"), MemberNode.class);
    }

    /** Removes a member from the organization; returns the deleted OrganizationMember id. */
    public String deleteMember(String org, String memberGraphqlId) {
        return mutate(GraphqlDocument.MEMBER_DELETE, Map.of("id", memberGraphqlId), org, "organizationMemberDelete")
                .path("deletedOrganizationMemberID").asText();
    }

    /** Creates a team; GraphQL requires privacy, whether it is a default team, and its default member role. */
    public TeamNode createTeam(String org, String organizationGraphqlId, String name, String description,
                               TeamPrivacy privacy, boolean isDefaultTeam, TeamRole defaultMemberRole) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("organizationID", organizationGraphqlId);
        input.put("name", name);
        putIf(input, "description", description);
        input.put("privacy", privacy.name());
        input.put("isDefaultTeam", isDefaultTeam);
        input.put("defaultMemberRole", defaultMemberRole.name());
        return BuildkiteJson.read(mutate(GraphqlDocument.TEAM_CREATE, input, org, "teamCreate").path("teamEdge").path("node"), TeamNode.class);
    }

    /** Updates a team; GraphQL requires the name, default-team flag and default member role every time. */
    public TeamNode updateTeam(String org, String teamGraphqlId, String name, String description, TeamPrivacy privacy,
                               boolean isDefaultTeam, TeamRole defaultMemberRole) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("id", teamGraphqlId);
        input.put("name", name);
        putIf(input, "description", description);
        putIf(input, "privacy", privacy == null ? null : privacy.name());
        input.put("isDefaultTeam", isDefaultTeam);
        input.put("defaultMemberRole", defaultMemberRole.name());
        return BuildkiteJson.read(mutate(GraphqlDocument.TEAM_UPDATE, input, org, "teamUpdate").path("team"), TeamNode.class);
    }

    public String deleteTeam(String org, String teamGraphqlId) {
        return mutate(GraphqlDocument.TEAM_DELETE, Map.of("id", teamGraphqlId), org, "teamDelete")
                .path("deletedTeamID").asText();
    }

    /** Adds a user to a team; the id is the User's GraphQL id. Without a role, the team's default applies. */
    public TeamMemberNode createTeamMember(String org, String teamGraphqlId, String userGraphqlId, TeamRole role) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("teamID", teamGraphqlId);
        input.put("userID", userGraphqlId);
        putIf(input, "role", role == null ? null : role.name());
        return BuildkiteJson.read(mutate(GraphqlDocument.TEAM_MEMBER_CREATE, input, org, "teamMemberCreate")
                .path("teamMemberEdge").path("node"), TeamMemberNode.class);
    }

    /** Changes a team member's role; the id is the TeamMember's, not the user's. */
    public TeamMemberNode updateTeamMember(String org, String teamMemberGraphqlId, TeamRole role) {
        return BuildkiteJson.read(mutate(GraphqlDocument.TEAM_MEMBER_UPDATE, Map.of("id", teamMemberGraphqlId, "role", role.name()), org,
                "teamMemberUpdate").path("teamMember"), TeamMemberNode.class);
    }

    public String deleteTeamMember(String org, String teamMemberGraphqlId) {
        return mutate(GraphqlDocument.TEAM_MEMBER_DELETE, Map.of("id", teamMemberGraphqlId), org, "teamMemberDelete")
                .path("deletedTeamMemberID").asText();
    }

    // ---------------------------------------------------------------- helpers

    private JsonNode mutate(GraphqlDocument document, Map<String, Object> input, String org, String field) {
        JsonNode payload = execute(document, Map.of("input", input), org, 0).data().path(field);
        if (!payload.isObject()) {
            throw new BuildkiteException.Unavailable(200, "Buildkite answered " + field + " without a payload", null);
        }
        return payload;
    }

    /** GraphQL errors in REST's terms: not found, invalid input, forbidden, or plain errors. */
    private static BuildkiteException errorsOf(JsonNode errors, GraphqlDocument document) {
        List<String> messages = new ArrayList<>();
        errors.forEach(error -> messages.add(error.path("message").asText("(no message)")));
        String first = messages.get(0);
        String message = first + " (GraphQL " + document.name() + ")";
        if (first.startsWith("Validation failed")) {
            return new BuildkiteException.Validation(422, message);
        }
        if (NOT_FOUND.matcher(first).find()) {
            return new BuildkiteException.NotFound(message);
        }
        if (FORBIDDEN.matcher(first).find()) {
            return new BuildkiteException.Forbidden(message);
        }
        if (INVALID.matcher(first).find()) {
            return new BuildkiteException.Validation(422, message);
        }
        return new BuildkiteException.GraphqlErrors(messages);
    }

    private static JsonNode required(JsonNode node, String what, String name) {
        if (!node.isObject()) {
            throw new BuildkiteException.NotFound("No " + what + " found: " + name);
        }
        return node;
    }

    private static int pageSize(int first) {
        if (first < 1 || first > MAX_FIRST) {
            throw new IllegalArgumentException("first must be 1.." + MAX_FIRST + ", was " + first);
        }
        return first;
    }

    private static void putIf(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }


}
