package dev.kitebridge.buildkite.graphql;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * A GraphQL document this client sends, kept as a {@code .graphql} resource so that tests can
 * validate each against Buildkite's published schema, with its requested complexity: a fixed part
 * plus a part per node of its page. The client reserves that much from the rate-limit budget
 * before sending, and Buildkite's headers settle the actual cost after.
 */
public record GraphqlDocument(String name, String text, long fixedCost, long costPerNode, boolean mutation) {

    public static final GraphqlDocument VIEWER = load("viewer", 106, 0);
    public static final GraphqlDocument MEMBERS = load("members", 4, 4);
    public static final GraphqlDocument TEAMS = load("teams", 4, 2);
    public static final GraphqlDocument TEAM_MEMBERS = load("team-members", 4, 2);
    public static final GraphqlDocument TEAM_COUNT = load("team-count", 2, 0);
    public static final GraphqlDocument INVITATIONS = load("invitations", 4, 14);
    public static final GraphqlDocument INVITATION = load("invitation", 14, 0);
    public static final GraphqlDocument ME = load("me", 210, 0);
    public static final GraphqlDocument INVITATION_CREATE = load("invitation-create", 4, 0);
    public static final GraphqlDocument INVITATION_REVOKE = load("invitation-revoke", 3, 0);
    public static final GraphqlDocument MEMBER_UPDATE = load("member-update", 6, 0);
    public static final GraphqlDocument MEMBER_DELETE = load("member-delete", 1, 0);
    public static final GraphqlDocument TEAM_CREATE = load("team-create", 4, 0);
    public static final GraphqlDocument TEAM_UPDATE = load("team-update", 3, 0);
    public static final GraphqlDocument TEAM_DELETE = load("team-delete", 1, 0);
    public static final GraphqlDocument TEAM_MEMBER_CREATE = load("team-member-create", 4, 0);
    public static final GraphqlDocument TEAM_MEMBER_UPDATE = load("team-member-update", 3, 0);
    public static final GraphqlDocument TEAM_MEMBER_DELETE = load("team-member-delete", 1, 0);
    public static final GraphqlDocument AUDIT_EVENTS = load("audit-events", 6, 3);
    public static final GraphqlDocument SIGNALS = load("signals", 8, 2);
    public static final GraphqlDocument TWO_FACTOR_SIDE = load("two-factor-side", 4, 1);
    /** The 2FA counts of a page of teams, as {@link #teamsTwoFactor} writes it for {@link SignalsQueries#TEAMS_PAGE} teams. */
    public static final GraphqlDocument TEAMS_TWO_FACTOR = teamsTwoFactor(SignalsQueries.TEAMS_PAGE);
    /** The 2FA of a page of members, as {@link #membersTwoFactor} writes it for {@link SignalsQueries#TEAMS_PAGE} members. */
    public static final GraphqlDocument MEMBERS_TWO_FACTOR = membersTwoFactor(SignalsQueries.TEAMS_PAGE);

    /** Every document, for the tests that check them against Buildkite's schema. */
    public static final List<GraphqlDocument> ALL = List.of(VIEWER, MEMBERS, TEAMS, TEAM_MEMBERS, TEAM_COUNT, INVITATIONS, INVITATION, ME,
            INVITATION_CREATE, INVITATION_REVOKE, MEMBER_UPDATE, MEMBER_DELETE, TEAM_CREATE, TEAM_UPDATE, TEAM_DELETE,
            TEAM_MEMBER_CREATE, TEAM_MEMBER_UPDATE, TEAM_MEMBER_DELETE, AUDIT_EVENTS, SIGNALS, TEAMS_TWO_FACTOR,
            TWO_FACTOR_SIDE, MEMBERS_TWO_FACTOR);

    /** The requested complexity of one page of {@code first} nodes. */
    public long requestedComplexity(int first) {
        return fixedCost + costPerNode * first;
    }

    /**
     * How many members of each of {@code teams} teams have 2FA on: one alias a team ({@code $t0},
     * {@code $t1}... name them), each a count of the members filtered by team and security. A count
     * costs 1 point (a connection without its edges), the organization 1: {@code teams + 1}. Written
     * here rather than kept as a resource because the number of aliases varies; every document it
     * writes has the shape of the one in {@link #ALL}, which the schema tests check.
     */
    public static GraphqlDocument teamsTwoFactor(int teams) {
        StringBuilder variables = new StringBuilder("$slug: ID!");
        StringBuilder fields = new StringBuilder();
        for (int i = 0; i < teams; i++) {
            variables.append(", $t").append(i).append(": TeamSelector!");
            fields.append("    t").append(i).append(": members(team: $t").append(i)
                    .append(", security: {twoFactorEnabled: true}) { count }\n");
        }
        String text = "# How many members of each team have 2FA on: a count a team (1 point), the organization 1 more.\n"
                + "query TeamsTwoFactor(" + variables + ") {\n  organization(slug: $slug) {\n" + fields + "  }\n}\n";
        return new GraphqlDocument("teams-two-factor", text, 1, 1, false);
    }

    /**
     * Whether each of {@code members} members ({@code $m0}, {@code $m1}... their {@code
     * OrganizationMember} ids) has 2FA on: one alias a member, 2 points each (the node and its
     * security). Written here for the same reason as {@link #teamsTwoFactor}.
     */
    public static GraphqlDocument membersTwoFactor(int members) {
        StringBuilder variables = new StringBuilder();
        StringBuilder fields = new StringBuilder();
        for (int i = 0; i < members; i++) {
            variables.append(i == 0 ? "" : ", ").append("$m").append(i).append(": ID!");
            fields.append("  m").append(i).append(": node(id: $m").append(i)
                    .append(") { ... on OrganizationMember { security { twoFactorEnabled } } }\n");
        }
        String text = "# Whether each member has 2FA on: 2 points a member (the node and its security).\n"
                + "query MembersTwoFactor(" + variables + ") {\n" + fields + "}\n";
        return new GraphqlDocument("members-two-factor", text, 0, 2, false);
    }

    private static GraphqlDocument load(String name, long fixedCost, long costPerNode) {
        String resource = "/dev/kitebridge/buildkite/graphql/" + name + ".graphql";
        try (InputStream in = GraphqlDocument.class.getResourceAsStream(resource)) {
            String text = new String(Objects.requireNonNull(in, resource).readAllBytes(), StandardCharsets.UTF_8);
            String firstLine = text.lines().map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).findFirst().orElse("");
            return new GraphqlDocument(name, text, fixedCost, costPerNode, firstLine.startsWith("mutation"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
