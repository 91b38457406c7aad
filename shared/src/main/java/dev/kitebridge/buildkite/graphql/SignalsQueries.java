package dev.kitebridge.buildkite.graphql;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.buildkite.BuildkiteException;

/**
 * An organization's directory counted (the {@code signals} document): how many members, admins,
 * members with 2FA and pending invitations it has, and how many members each team has. A count
 * that moved says where to look; reading every member to find out costs a hundred times more.
 */
public final class SignalsQueries {

    /** Teams a page: 2 points each. */
    static final int TEAMS_PAGE = 100;

    private final GraphqlExecutor graphql;

    public SignalsQueries(GraphqlExecutor graphql) {
        this.graphql = graphql;
    }

    /** The counts of one organization, its teams by team UUID. */
    public record Signals(long members, long admins, long twoFactor, long invitations, Map<String, TeamSignal> teams) {
        public Signals {
            teams = Map.copyOf(teams);
        }
    }

    /** A team's name and how many members it has. */
    public record TeamSignal(String name, long members) {}

    /**
     * Every count, the teams page by page.
     *
     * @throws BuildkiteException.NotFound when the organization is unknown or out of the token's reach
     */
    public Signals of(String org) {
        Map<String, TeamSignal> teams = new LinkedHashMap<>();
        String after = null;
        JsonNode organization;
        do {
            Map<String, Object> variables = new LinkedHashMap<>();
            variables.put("slug", org);
            variables.put("teamsFirst", TEAMS_PAGE);
            variables.put("teamsAfter", after);
            organization = graphql.execute(GraphqlDocument.SIGNALS, variables, org, TEAMS_PAGE).data().path("organization");
            if (organization.isMissingNode() || organization.isNull()) {
                throw new BuildkiteException.NotFound("no organization " + org + " for this token");
            }
            JsonNode page = organization.path("teams");
            page.path("edges").forEach(edge -> teams.put(edge.path("node").path("uuid").asText(),
                    new TeamSignal(edge.path("node").path("name").asText(), edge.path("node").path("members").path("count").asLong())));
            after = page.path("pageInfo").path("hasNextPage").asBoolean() ? page.path("pageInfo").path("endCursor").asText(null) : null;
        } while (after != null);
        return new Signals(organization.path("members").path("count").asLong(), organization.path("admins").path("count").asLong(),
                organization.path("twoFactor").path("count").asLong(), organization.path("invitations").path("count").asLong(), teams);
    }

    /**
     * How many members of each team have 2FA on (the {@code teams-two-factor} document, a hundred
     * teams a document: 101 points), by team UUID. A team deleted meanwhile is left out (Buildkite
     * refuses its count alone and answers the others).
     *
     * @throws BuildkiteException.NotFound when the organization is unknown or out of the token's reach
     */
    public Map<String, Long> teamsTwoFactor(String org, List<String> teamUuids) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (int from = 0; from < teamUuids.size(); from += TEAMS_PAGE) {
            List<String> batch = teamUuids.subList(from, Math.min(teamUuids.size(), from + TEAMS_PAGE));
            GraphqlDocument document = GraphqlDocument.teamsTwoFactor(batch.size());
            Map<String, Object> variables = new LinkedHashMap<>();
            variables.put("slug", org);
            for (int i = 0; i < batch.size(); i++) {
                variables.put("t" + i, batch.get(i));
            }
            GraphqlExecutor.Answer answer = graphql.send(document, variables, org, document.requestedComplexity(batch.size()));
            JsonNode organization = answer.data() == null ? null : answer.data().path("organization");
            if (organization == null || !organization.isObject()) {
                if (!answer.errors().isEmpty()) {
                    throw GraphqlExecutor.errorsOf(answer.errors(), document);
                }
                throw new BuildkiteException.NotFound("no organization " + org + " for this token");
            }
            if (!answer.errors().isEmpty()) {
                BuildkiteException refused = GraphqlExecutor.errorsOf(answer.errors(), document);
                if (!(refused instanceof BuildkiteException.NotFound)) {
                    throw refused; // only a team gone is answered around
                }
            }
            for (int i = 0; i < batch.size(); i++) {
                JsonNode count = organization.path("t" + i).path("count");
                if (count.isNumber()) {
                    counts.put(batch.get(i), count.asLong());
                }
            }
        }
        return counts;
    }

    /** A page of one side of a team's 2FA count: the members' GraphQL ids ({@code OrganizationMember}), and where the next begins. */
    public record SidePage(List<String> memberIds, String next) {
        public SidePage {
            memberIds = List.copyOf(memberIds);
        }
    }

    /**
     * One page of the members of team {@code teamUuid} whose 2FA is {@code twoFactorEnabled} (the
     * {@code two-factor-side} document: 1 point a member, 4 a page).
     *
     * @throws BuildkiteException.NotFound when the organization or the team is unknown or out of the token's reach
     */
    public SidePage twoFactorSide(String org, String teamUuid, boolean twoFactorEnabled, int first, String after) {
        Map<String, Object> variables = new LinkedHashMap<>();
        variables.put("slug", org);
        variables.put("team", teamUuid);
        variables.put("twoFactorEnabled", twoFactorEnabled);
        variables.put("first", GraphqlExecutor.pageSize(first));
        variables.put("after", after);
        JsonNode members = graphql.execute(GraphqlDocument.TWO_FACTOR_SIDE, variables, org, first).data().path("organization");
        if (!members.isObject()) {
            throw new BuildkiteException.NotFound("no organization " + org + " for this token");
        }
        members = members.path("members");
        List<String> ids = new java.util.ArrayList<>();
        members.path("edges").forEach(edge -> ids.add(edge.path("node").path("id").asText()));
        JsonNode info = members.path("pageInfo");
        return new SidePage(ids, info.path("hasNextPage").asBoolean() ? info.path("endCursor").asText(null) : null);
    }

    /**
     * Whether each member has 2FA on, by {@code OrganizationMember} id (the {@code
     * members-two-factor} document: 2 points a member, a hundred a document); a member gone is left out.
     */
    public Map<String, Boolean> membersTwoFactor(String org, List<String> memberIds) {
        Map<String, Boolean> found = new LinkedHashMap<>();
        for (int from = 0; from < memberIds.size(); from += TEAMS_PAGE) {
            List<String> batch = memberIds.subList(from, Math.min(memberIds.size(), from + TEAMS_PAGE));
            GraphqlDocument document = GraphqlDocument.membersTwoFactor(batch.size());
            Map<String, Object> variables = new LinkedHashMap<>();
            for (int i = 0; i < batch.size(); i++) {
                variables.put("m" + i, batch.get(i));
            }
            GraphqlExecutor.Answer answer = graphql.send(document, variables, org, document.requestedComplexity(batch.size()));
            if (answer.data() == null && !answer.errors().isEmpty()) {
                throw GraphqlExecutor.errorsOf(answer.errors(), document);
            }
            for (int i = 0; i < batch.size(); i++) {
                JsonNode enabled = answer.data() == null ? null : answer.data().path("m" + i).path("security").path("twoFactorEnabled");
                if (enabled != null && enabled.isBoolean()) {
                    found.put(batch.get(i), enabled.asBoolean());
                }
            }
        }
        return found;
    }
}
