package dev.kitebridge.directory.orgdata;

import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import dev.kitebridge.access.Session;
import dev.kitebridge.buildkite.graphql.Nodes.InvitationNode;
import dev.kitebridge.buildkite.rest.OrganizationMember;
import dev.kitebridge.buildkite.rest.Team;
import dev.kitebridge.buildkite.rest.TeamMember;
import dev.kitebridge.directory.orgdata.OrganizationReader.GraphqlLane;
import dev.kitebridge.directory.orgdata.OrganizationReader.Lane;
import dev.kitebridge.directory.orgdata.OrganizationReader.Position;
import dev.kitebridge.directory.orgdata.OrganizationReader.RestLane;
import dev.kitebridge.directory.orgdata.OrganizationReader.Tally;

/**
 * Advances a build of {@link OrganizationData} for as long as a request may, through the
 * {@link OrganizationReader}: its GraphQL lane reads member profiles, its REST lane teams with their
 * members and pipelines, both at once, each paced by its own budget. The data records where the
 * build stands after every page, so the next request resumes it.
 */
public final class OrganizationDataBuilder {

    private final OrganizationReader reader;

    public OrganizationDataBuilder(OrganizationReader reader) {
        this.reader = reader;
    }

    /**
     * Where a build stands after an advance.
     *
     * @param retryAt when the build can next go on: null if a lane could go on at once (it stopped
     *     only because the request's time was up), else the earliest time a spent budget refills
     * @param stepped whether any step of either lane went through
     */
    public record Progress(boolean complete, Instant retryAt, boolean stepped) {}

    /**
     * Advances the parts asked for until they are complete, the deadline comes, or their budgets are
     * spent. Both lanes have stopped when this returns, also when one of them failed.
     */
    public Progress advance(OrganizationData data, Session session, Set<OrganizationData.Part> parts, Instant deadline) {
        Set<Lane> lanes = EnumSet.noneOf(Lane.class);
        if (parts.contains(OrganizationData.Part.PROFILES)) {
            lanes.add(Lane.GRAPHQL);
        }
        if (parts.contains(OrganizationData.Part.ROSTERS)) {
            lanes.add(Lane.REST);
        }
        OrganizationReader.Stop stop = reader.read(session, data.organizationSlug(), deadline, lanes, new DataSink(data, session));
        boolean complete = parts.stream().allMatch(data::isComplete);
        return new Progress(complete, complete || stop.timeUp() ? null : stop.refillsAt(), stop.stepped());
    }

    /**
     * The data as the reader's sink. The data takes a page together with where its lane stands after
     * it, so a lane's page waits here for the lane's next position (each lane has its own thread and field).
     */
    private static final class DataSink implements OrganizationReader.Sink {

        private final OrganizationData data;
        private final Session session;
        private List<MemberProfile> profiles;
        private Consumer<RestLane> restPage;

        DataSink(OrganizationData data, Session session) {
            this.data = data;
            this.session = session;
        }

        @Override
        public Position position() {
            return data.position();
        }

        @Override
        public void profiles(List<MemberProfile> page) {
            profiles = page;
        }

        @Override
        public void invitations(List<InvitationNode> page) {
            throw new IllegalStateException("the directory reads invitations live, not into its kept data");
        }

        @Override
        public void members(List<OrganizationMember> page) {
            throw new IllegalStateException("the directory reads members live, not into its kept data");
        }

        @Override
        public void teams(List<Team> page) {
            List<TeamRoster> teams = page.stream().map(t -> new TeamRoster(t.id(), t.slug(), t.name(), List.of(), List.of())).toList();
            restPage = next -> data.addTeams(teams, next.next());
        }

        @Override
        public void rosterMembers(String team, List<TeamMember> page) {
            List<TeamRoster.Member> members = page.stream().map(m -> new TeamRoster.Member(m.userId(), m.role())).toList();
            restPage = next -> data.addRosterMembers(members, next.next());
        }

        @Override
        public void rosterPipelines(String team, List<TeamRoster.PipelineAccess> page) {
            restPage = next -> data.addRosterPipelines(page, next.next(), session.now()); // no next page: the roster is read
        }

        @Override
        public void rosterRead(String team, long membersCount) {
            // its last pipelines page completes it (above)
        }

        @Override
        public void teamGone(String team) {
            data.teamDeleted(team, session.now());
        }

        @Override
        public String teamAfter(String team) {
            return data.teamAfter(team);
        }

        @Override
        public void moved(GraphqlLane next, Tally read) {
            if (data.profilesNeedSso() == null && next.ssoNeeded() != null) {
                data.profilesNeedSso(next.ssoNeeded());
            }
            if (profiles != null) {
                data.addProfiles(profiles, next.profilesAfter(), session.now());
                profiles = null;
            }
        }

        @Override
        public void moved(RestLane next, Tally read) {
            if (restPage != null) {
                restPage.accept(next);
                restPage = null;
            }
            data.rostersCompleteIfAllRead(session.now()); // the last team read or gone, or none at all
        }
    }
}
