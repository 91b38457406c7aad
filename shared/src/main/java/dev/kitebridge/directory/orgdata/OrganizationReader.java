package dev.kitebridge.directory.orgdata;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.access.Session;
import dev.kitebridge.buildkite.InvitationState;
import dev.kitebridge.buildkite.Page;
import dev.kitebridge.buildkite.PageRequest;
import dev.kitebridge.buildkite.graphql.Connection;
import dev.kitebridge.buildkite.graphql.MemberQuery;
import dev.kitebridge.buildkite.graphql.Nodes.InvitationNode;
import dev.kitebridge.buildkite.graphql.Nodes.MemberNode;
import dev.kitebridge.buildkite.rest.OrganizationMember;
import dev.kitebridge.buildkite.rest.Team;
import dev.kitebridge.buildkite.rest.TeamMember;
import dev.kitebridge.buildkite.rest.TeamPipeline;
import dev.kitebridge.contract.ApiError;

/**
 * Reads one organization page by page, by two lanes at once, one per Buildkite budget: the GraphQL
 * lane reads what only GraphQL has (each member's profile: 2FA, last seen, bot, avatar, and the SSO
 * mode where REST members lack it) and the pending invitations; the REST lane reads members, teams,
 * and each team's roster (its members, then its pipelines). Each page goes to a {@link Sink}, then
 * the lane's new {@link Position}: a reader that stops (time up, budget spent, process gone) resumes
 * from the position the sink last kept, re-reading one page at most.
 *
 * <p>The directory's data and a sync run read through this one reader; they differ only in the parts
 * they start with ({@link Position#directory()}, {@link Position#everything()}) and in what their sink keeps.
 */
public final class OrganizationReader {

    /** Items per page, both lanes: 100 GraphQL members at 4 points (404 a query) leave at most 4% of a 5,000-point window unused. */
    public static final int PAGE = 100;

    /** The two lanes, each paced by its own budget. */
    public enum Lane { GRAPHQL, REST }

    private final BuildkiteAccess access;
    private final ExecutorService lanes;

    /**
     * Threads for the lanes of reads, made as reads need them (two a read) and kept a minute: daemons, so
     * that a Lambda or a test ends without closing them. The default executor, where none is injected.
     */
    public static ExecutorService laneThreads() {
        return Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "kitebridge-reader-lane");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** @param lanes runs the two lanes of a read side by side (two threads a read) */
    public OrganizationReader(BuildkiteAccess access, ExecutorService lanes) {
        this.access = access;
        this.lanes = lanes;
    }

    // ---------------------------------------------------------------- positions

    /** Where reading an organization stands, lane by lane: what a sink keeps after every page. */
    public record Position(GraphqlLane graphql, RestLane rest) {

        /** Everything: profiles and invitations, members, teams and rosters (a sync run). */
        public static Position everything() {
            return new Position(GraphqlLane.START, RestLane.START);
        }

        /** What the directory keeps: profiles, teams and rosters (members and invitations it reads live). */
        public static Position directory() {
            return new Position(new GraphqlLane(null, false, null, true, null), RestLane.at(RestLane.Stage.TEAMS, null));
        }

        public boolean done() {
            return graphql.done() && rest.done();
        }
    }

    /**
     * The GraphQL lane: the members' profiles, then the pending invitations, each by an after-cursor.
     *
     * @param ssoNeeded whether profiles must carry SSO modes (REST members lack them); null until a member is looked at
     */
    public record GraphqlLane(String profilesAfter, boolean profilesDone, String invitationsAfter, boolean invitationsDone,
                              Boolean ssoNeeded) {
        public static final GraphqlLane START = new GraphqlLane(null, false, null, false, null);

        public boolean done() {
            return profilesDone && invitationsDone;
        }
    }

    /**
     * The REST lane: a stage, the next page of its list, and in ROSTERS the team whose roster is
     * read, whether its pipelines are being read (its members are), and how many members it has so far.
     */
    public record RestLane(Stage stage, PageRequest next, String rosterTeam, boolean rosterPipelines, long rosterMembers) {
        public enum Stage { MEMBERS, TEAMS, ROSTERS, DONE }

        public static final RestLane START = new RestLane(Stage.MEMBERS, null, null, false, 0);

        /** The next stage (or the next team's roster), from its first page. */
        public static RestLane at(Stage stage, String rosterTeam) {
            return new RestLane(stage, null, rosterTeam, false, 0);
        }

        public RestLane nextPage(PageRequest page) {
            return new RestLane(stage, page, rosterTeam, rosterPipelines, rosterMembers);
        }

        public boolean done() {
            return stage == Stage.DONE;
        }
    }

    /** How many records a page read, by kind (what a run counts). */
    public record Tally(long members, long invitations, long teams, long memberships) {
        public static final Tally NONE = new Tally(0, 0, 0, 0);
    }

    /**
     * Where the pages go. Each lane calls it from its own thread, a page and then its new position,
     * so a sink keeps the two lanes' positions apart (a lane's position is the lane's alone).
     */
    public interface Sink {

        /** Where reading stands: the positions last moved to. */
        Position position();

        void profiles(List<MemberProfile> page);

        void invitations(List<InvitationNode> page);

        void members(List<OrganizationMember> page);

        void teams(List<Team> page);

        void rosterMembers(String team, List<TeamMember> page);

        void rosterPipelines(String team, List<TeamRoster.PipelineAccess> page);

        /** A team's roster is read through: members and pipelines. */
        void rosterRead(String team, long membersCount);

        /** A team deleted after it was listed: whatever was kept of it goes. */
        void teamGone(String team);

        /** The team listed after {@code team} (null: the first), or null after the last. */
        String teamAfter(String team);

        /** Whether a roster is read with its pipelines (a roster alone is its members: what a membership changes). */
        default boolean readsPipelines() {
            return true;
        }

        void moved(GraphqlLane next, Tally read);

        void moved(RestLane next, Tally read);
    }

    /**
     * How a read stopped: whether the lanes asked for are done, and for those that are not, when they can go on.
     *
     * @param timeUp a lane stopped because the caller's time was up: it can go on at once
     * @param refillsAt the earliest time a spent budget refills (null: no lane waits on one)
     * @param stepped whether any page was read
     */
    public record Stop(boolean done, boolean timeUp, Instant refillsAt, boolean stepped) {

        /** When reading can go on: now after a time-up, else when a budget refills; null when done. */
        public Instant goOnAt(Instant now) {
            return done ? null : timeUp || refillsAt == null ? now : refillsAt;
        }
    }

    /**
     * Reads the lanes asked for until they are done, the deadline comes, or their budgets are spent.
     * Both lanes have stopped when this returns, also when one of them failed: a lane that fails stops
     * the other, and the failure is thrown once both are done.
     */
    public Stop read(Session session, String org, Instant deadline, Set<Lane> asked, Sink sink) {
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<LaneStop>> running = new ArrayList<>();
        if (asked.contains(Lane.GRAPHQL) && !sink.position().graphql().done()) {
            running.add(lanes.submit(() -> lane(session, deadline, stop, () -> graphqlStep(session, org, deadline, sink),
                    () -> sink.position().graphql().done())));
        }
        if (asked.contains(Lane.REST) && !sink.position().rest().done()) {
            running.add(lanes.submit(() -> lane(session, deadline, stop, () -> restStep(session, org, deadline, sink),
                    () -> sink.position().rest().done())));
        }
        List<LaneStop> stops = new ArrayList<>();
        Throwable failure = null;
        for (Future<LaneStop> lane : running) {
            try {
                stops.add(lane.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading an organization", e);
            } catch (ExecutionException e) {
                failure = worse(failure, e.getCause()); // both lanes have stopped before a failure goes up
            }
        }
        if (failure instanceof Error error) {
            throw error; // a dying worker dies, whichever thread it was in
        }
        if (failure instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
        boolean timeUp = stops.stream().anyMatch(s -> !s.done() && s.refillsAt() == null);
        Instant refillsAt = stops.stream().filter(s -> !s.done()).map(LaneStop::refillsAt).filter(java.util.Objects::nonNull)
                .min(Instant::compareTo).orElse(null);
        boolean done = stops.stream().allMatch(LaneStop::done);
        return new Stop(done, timeUp, refillsAt, stops.stream().anyMatch(s -> s.steps() > 0));
    }

    /** Why a lane stopped (done; the time was up or the other lane failed: no refill time; a spent budget), after how many steps. */
    private record LaneStop(boolean done, Instant refillsAt, int steps) {}

    private static LaneStop lane(Session session, Instant deadline, AtomicBoolean stop, Runnable step, BooleanSupplier done) {
        int steps = 0;
        try {
            while (!done.getAsBoolean()) {
                if (stop.get() || !session.now().isBefore(deadline)) {
                    return new LaneStop(false, null, steps);
                }
                try {
                    step.run();
                    steps++;
                } catch (ApiError e) {
                    if (e.status() != 429) {
                        throw e;
                    }
                    return new LaneStop(false, session.now().plus(e.retryAfter()), steps);
                }
            }
            return new LaneStop(true, null, steps);
        } catch (RuntimeException | Error failed) {
            stop.set(true); // the other lane stops at its next page; reading resumes from both positions
            throw failed;
        }
    }

    /** Of two lanes' failures: an Error (a dying worker), else the one that ends a run (Buildkite refused the token), else the first. */
    private static Throwable worse(Throwable a, Throwable b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        if (a instanceof Error || b instanceof Error) {
            return a instanceof Error ? a : b;
        }
        return b instanceof ApiError e && e.status() == 424 ? b : a;
    }

    // ---------------------------------------------------------------- one member

    /** What one member's GraphQL membership says: their profile (none where GraphQL does not list them), and their teams with their role in each. */
    public record OneMember(Optional<MemberProfile> profile, List<OrganizationData.UserTeam> teams) {}

    /** How many teams the membership query returns with the member (its teams(first: 100)). */
    private static final int MEMBER_TEAMS = 100;

    /**
     * One member read alone, as {@code GET /users/{id}} and a pass of changes read them: one GraphQL
     * query gives their profile and up to 100 teams with their role there; only a member of more
     * teams than that has their teams listed over REST. The profile is as a page of profiles has it.
     */
    public OneMember member(Session session, String org, OrganizationMember member, Instant deadline) {
        Optional<Connection<MemberNode>> found = access.call(session,
                () -> session.buildkiteUntil(deadline).graphql().members().byEmail(org, member.email()));
        for (int i = 0; found.isPresent() && i < found.get().nodes().size(); i++) {
            MemberNode node = found.get().nodes().get(i);
            if (node.user() != null && member.id().equals(node.user().uuid())) {
                List<OrganizationData.UserTeam> teams = node.teamAssignments().size() < MEMBER_TEAMS
                        ? node.teamAssignments().stream()
                                .map(t -> new OrganizationData.UserTeam(t.team().uuid(), t.team().name(), t.role())).toList()
                        : teamsOf(session, org, member.id(), deadline);
                MemberProfile profile = profileOf(node, found.get().raw().get(i));
                // As the profiles' pages read it: with an SSO mode only where REST's members lack one (see graphqlStep).
                return new OneMember(Optional.of(member.role() != null ? profile.withoutSso() : profile), teams);
            }
        }
        return new OneMember(Optional.empty(), teamsOf(session, org, member.id(), deadline));
    }

    /**
     * One member's teams and roles there, over REST: the teams listed for the user, then the membership in each. A call a
     * team, and read whole or not at all: its calls sleep for their budget as long as the deadline allows (see
     * {@link Session#buildkiteSleepingUntil}), a member of 100 teams needing more than REST's window of 50.
     */
    private List<OrganizationData.UserTeam> teamsOf(Session session, String org, String userId, Instant deadline) {
        List<OrganizationData.UserTeam> teams = new ArrayList<>();
        Optional<PageRequest> next = Optional.of(PageRequest.first(PageRequest.MAX_PER_PAGE).with("user_id", userId));
        while (next.isPresent()) {
            PageRequest request = next.get();
            Page<Team> page = access.call(session, () -> session.buildkiteSleepingUntil(deadline).teams().list(org, request));
            for (Team team : page.items()) {
                access.find(session, () -> session.buildkiteSleepingUntil(deadline).teams().member(org, team.id(), userId))
                        .ifPresent(membership -> teams.add(new OrganizationData.UserTeam(team.id(), team.name(), membership.role())));
            }
            next = page.next();
        }
        return teams;
    }

    // ---------------------------------------------------------------- the GraphQL lane

    private void graphqlStep(Session session, String org, Instant deadline, Sink sink) {
        GraphqlLane lane = sink.position().graphql();
        if (!lane.profilesDone() && lane.ssoNeeded() == null) {
            // Organizations whose REST members lack the 2026 fields give SSO modes only through GraphQL.
            Page<OrganizationMember> probe = access.call(session,
                    () -> session.buildkiteUntil(deadline).organizations().members(org, PageRequest.first(1)));
            boolean needed = !probe.items().isEmpty() && probe.items().get(0).role() == null;
            sink.moved(new GraphqlLane(lane.profilesAfter(), false, lane.invitationsAfter(), lane.invitationsDone(), needed), Tally.NONE);
            return;
        }
        if (!lane.profilesDone()) {
            Connection<MemberNode> page = access.call(session, () -> session.buildkiteUntil(deadline).graphql().members()
                    .list(org, MemberQuery.page(PAGE, lane.profilesAfter()).withSso(lane.ssoNeeded())));
            List<MemberProfile> profiles = new ArrayList<>(page.nodes().size());
            for (int i = 0; i < page.nodes().size(); i++) {
                if (page.nodes().get(i).user() != null) {
                    profiles.add(profileOf(page.nodes().get(i), page.raw().get(i)));
                }
            }
            sink.profiles(profiles);
            String after = page.next().orElse(null);
            sink.moved(new GraphqlLane(after, after == null, lane.invitationsAfter(), lane.invitationsDone(), lane.ssoNeeded()),
                    Tally.NONE);
            return;
        }
        // Pending invitations through GraphQL, as the directory's writes find them: REST would need
        // read_organization_invitations, which the contract does not ask of a token.
        Connection<InvitationNode> page = access.call(session, () -> session.buildkiteUntil(deadline).graphql().invitations()
                .list(org, PAGE, lane.invitationsAfter(), List.of(InvitationState.PENDING)));
        sink.invitations(page.nodes());
        String after = page.next().orElse(null);
        sink.moved(new GraphqlLane(null, true, after, after == null, lane.ssoNeeded()), new Tally(0, page.nodes().size(), 0, 0));
    }

    /** A member's profile from the GraphQL members document. */
    public static MemberProfile profileOf(MemberNode node, JsonNode raw) {
        return new MemberProfile(node.user().uuid(), node.id(), node.role(),
                node.sso() == null ? null : node.sso().mode(), node.createdAt(), node.lastSeenAt(),
                node.security() == null ? null : node.security().twoFactorEnabled(), node.user().bot(), node.user().machineUser(),
                node.user().avatar() == null ? null : node.user().avatar().url(), raw);
    }

    // ---------------------------------------------------------------- the REST lane

    private void restStep(Session session, String org, Instant deadline, Sink sink) {
        RestLane lane = sink.position().rest();
        PageRequest request = Optional.ofNullable(lane.next()).orElse(PageRequest.first(PAGE));
        switch (lane.stage()) {
            case MEMBERS -> {
                Page<OrganizationMember> page = access.call(session,
                        () -> session.buildkiteUntil(deadline).organizations().members(org, request));
                sink.members(page.items());
                RestLane next = page.next().map(lane::nextPage).orElse(RestLane.at(RestLane.Stage.TEAMS, null));
                sink.moved(next, new Tally(page.items().size(), 0, 0, 0));
            }
            case TEAMS -> {
                Page<Team> page = access.call(session, () -> session.buildkiteUntil(deadline).teams().list(org, request));
                sink.teams(page.items());
                // The first team is looked up once this page is kept: it may be on it.
                RestLane next = page.next().map(lane::nextPage)
                        .orElseGet(() -> RestLane.at(RestLane.Stage.ROSTERS, sink.teamAfter(null)));
                sink.moved(next, new Tally(0, 0, page.items().size(), 0));
            }
            case ROSTERS -> rosterStep(session, org, deadline, sink, lane, request);
            case DONE -> throw new IllegalStateException("the REST lane has nothing left to read");
        }
    }

    /** A team's members, then its pipelines (where the sink reads them); then the next team's roster begins. */
    private void rosterStep(Session session, String org, Instant deadline, Sink sink, RestLane lane, PageRequest request) {
        String team = lane.rosterTeam();
        if (team == null) { // no team, or every roster read
            sink.moved(RestLane.at(RestLane.Stage.DONE, null), Tally.NONE);
            return;
        }
        if (!lane.rosterPipelines()) {
            Optional<Page<TeamMember>> found = access.find(session,
                    () -> session.buildkiteUntil(deadline).teams().members(org, team, request));
            if (found.isEmpty()) {
                teamGone(sink, team);
                return;
            }
            Page<TeamMember> page = found.get();
            sink.rosterMembers(team, page.items());
            long members = lane.rosterMembers() + page.items().size();
            if (page.next().isEmpty() && !sink.readsPipelines()) {
                sink.rosterRead(team, members);
                sink.moved(RestLane.at(RestLane.Stage.ROSTERS, sink.teamAfter(team)), new Tally(0, 0, 0, page.items().size()));
                return;
            }
            RestLane next = new RestLane(RestLane.Stage.ROSTERS, page.next().orElse(null), team, page.next().isEmpty(), members);
            sink.moved(next, new Tally(0, 0, 0, page.items().size()));
            return;
        }
        Optional<Page<TeamPipeline>> found = access.find(session,
                () -> session.buildkiteUntil(deadline).teams().pipelines(org, team, request));
        if (found.isEmpty()) {
            teamGone(sink, team);
            return;
        }
        Page<TeamPipeline> page = found.get();
        sink.rosterPipelines(team, page.items().stream().map(OrganizationReader::pipelineAccessOf).toList());
        if (page.next().isPresent()) {
            sink.moved(lane.nextPage(page.next().get()), Tally.NONE);
            return;
        }
        sink.rosterRead(team, lane.rosterMembers());
        sink.moved(RestLane.at(RestLane.Stage.ROSTERS, sink.teamAfter(team)), Tally.NONE);
    }

    /** A team deleted after it was listed: the sink drops it, and the next team's roster begins. */
    private static void teamGone(Sink sink, String team) {
        String next = sink.teamAfter(team);
        sink.teamGone(team);
        sink.moved(RestLane.at(RestLane.Stage.ROSTERS, next), Tally.NONE);
    }

    /** A team's access to a pipeline, as the rosters keep it. */
    public static TeamRoster.PipelineAccess pipelineAccessOf(TeamPipeline pipeline) {
        return new TeamRoster.PipelineAccess(pipeline.pipelineId(), slugOf(pipeline.pipelineUrl()), pipeline.accessLevel());
    }

    /** A team pipeline names its pipeline by URL only: its last segment is the slug. */
    private static String slugOf(String pipelineUrl) {
        if (pipelineUrl == null) {
            return null;
        }
        String path = URI.create(pipelineUrl).getPath();
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
