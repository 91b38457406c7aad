package dev.kitebridge.directory.orgdata;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import dev.kitebridge.access.Session;
import dev.kitebridge.buildkite.BuildkiteException;
import dev.kitebridge.buildkite.Page;
import dev.kitebridge.buildkite.PageRequest;
import dev.kitebridge.buildkite.client.BuildkiteClient;
import dev.kitebridge.buildkite.graphql.Connection;
import dev.kitebridge.buildkite.graphql.MemberQuery;
import dev.kitebridge.buildkite.graphql.Nodes.MemberNode;
import dev.kitebridge.buildkite.rest.OrganizationMember;
import dev.kitebridge.buildkite.rest.Team;
import dev.kitebridge.buildkite.rest.TeamMember;
import dev.kitebridge.buildkite.rest.TeamPipeline;

/**
 * Advances a build of {@link OrganizationData} for as long as a request may: the GraphQL lane reads
 * member profiles, the REST lane reads teams with their members and pipelines, both at once, each
 * paced by its own budget. Every call is one step, and the data records where the build stands
 * after each, so the next request resumes it.
 */
public final class OrganizationDataBuilder {

    /** GraphQL members per page: 100 members at 4 points (404 a query) leave at most 4% of a 5,000-point window unused. */
    static final int PROFILES_PER_PAGE = 100;
    static final int REST_PAGE = 100;

    private static final ExecutorService LANES = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "kitebridge-orgdata-lane");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * Where a build stands after an advance.
     *
     * @param retryAt when the build can next go on: null if a lane could go on at once (it stopped
     *     only because the request's time was up), else the earliest time a spent budget refills
     * @param stepped whether any call of either lane went through
     */
    public record Progress(boolean complete, Instant retryAt, boolean stepped) {}

    /**
     * Advances the parts asked for until they are complete, the deadline comes, or their budgets are
     * spent. Both lanes have stopped when this returns, also when one of them failed: a lane that
     * fails stops the other, and the failure is thrown once both are done.
     */
    public Progress advance(OrganizationData data, Session session, Set<OrganizationData.Part> parts, Instant deadline) {
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<LaneStop>> lanes = new ArrayList<>();
        if (parts.contains(OrganizationData.Part.PROFILES) && !data.isComplete(OrganizationData.Part.PROFILES)) {
            lanes.add(LANES.submit(() -> run(session, deadline, stop, () -> profileStep(data, session, deadline),
                    () -> data.isComplete(OrganizationData.Part.PROFILES))));
        }
        if (parts.contains(OrganizationData.Part.ROSTERS) && !data.isComplete(OrganizationData.Part.ROSTERS)) {
            lanes.add(LANES.submit(() -> run(session, deadline, stop, () -> rosterStep(data, session, deadline),
                    () -> data.isComplete(OrganizationData.Part.ROSTERS))));
        }
        Instant retryAt = null;
        boolean canGoOnNow = false;
        boolean stepped = false;
        RuntimeException failure = null;
        for (Future<LaneStop> lane : lanes) {
            LaneStop laneStop;
            try {
                laneStop = join(lane);
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
                continue;
            }
            stepped |= laneStop.steps() > 0;
            if (laneStop.done()) {
                continue;
            }
            if (laneStop.budgetRefillsAt() == null) {
                canGoOnNow = true;
            } else if (retryAt == null || laneStop.budgetRefillsAt().isBefore(retryAt)) {
                retryAt = laneStop.budgetRefillsAt();
            }
        }
        if (failure != null) {
            throw failure;
        }
        boolean complete = parts.stream().allMatch(data::isComplete);
        return new Progress(complete, complete || canGoOnNow ? null : retryAt, stepped);
    }

    /** Why a lane stopped (done, out of the request's time: no refill time, or out of budget until a refill), after how many steps. */
    private record LaneStop(boolean done, Instant budgetRefillsAt, int steps) {}

    /** Runs a lane's steps until it is done or must stop; a failing lane tells the other to stop too. */
    private static LaneStop run(Session session, Instant deadline, AtomicBoolean stop, Runnable step, BooleanSupplier done) {
        int steps = 0;
        try {
            while (!done.getAsBoolean() && !stop.get() && session.now().isBefore(deadline)) {
                try {
                    step.run();
                    steps++;
                } catch (BuildkiteException.RateLimited spent) {
                    return new LaneStop(false, session.now().plus(spent.retryAfter()), steps);
                }
            }
            return new LaneStop(done.getAsBoolean(), null, steps);
        } catch (RuntimeException failed) {
            stop.set(true);
            throw failed;
        }
    }

    // ---------------------------------------------------------------- the GraphQL lane

    private static void profileStep(OrganizationData data, Session session, Instant deadline) {
        BuildkiteClient buildkite = session.buildkiteUntil(deadline);
        String org = data.organizationSlug();
        if (data.profilesNeedSso() == null) {
            // Organizations whose REST members lack the 2026 fields give SSO modes only through GraphQL.
            Page<OrganizationMember> probe = buildkite.organizations().members(org, PageRequest.first(1));
            data.profilesNeedSso(!probe.items().isEmpty() && probe.items().get(0).role() == null);
            return;
        }
        Connection<MemberNode> page = buildkite.graphql().members().list(org,
                MemberQuery.page(PROFILES_PER_PAGE, data.profilesAfter()).withSso(data.profilesNeedSso()));
        List<MemberProfile> profiles = new ArrayList<>(page.nodes().size());
        for (int i = 0; i < page.nodes().size(); i++) {
            profiles.add(profileOf(page.nodes().get(i), page.raw().get(i)));
        }
        data.addProfiles(profiles, page.next().orElse(null), session.now());
    }

    /** A member's profile from the GraphQL members document. */
    public static MemberProfile profileOf(MemberNode node, com.fasterxml.jackson.databind.JsonNode raw) {
        return new MemberProfile(node.user().uuid(), node.id(), node.role(),
                node.sso() == null ? null : node.sso().mode(), node.createdAt(), node.lastSeenAt(),
                node.security() == null ? null : node.security().twoFactorEnabled(), node.user().bot(), node.user().machineUser(),
                node.user().avatar() == null ? null : node.user().avatar().url(), raw);
    }

    // ---------------------------------------------------------------- the REST lane

    private static void rosterStep(OrganizationData data, Session session, Instant deadline) {
        BuildkiteClient buildkite = session.buildkiteUntil(deadline);
        String org = data.organizationSlug();
        if (!data.teamsListed()) {
            Page<Team> page = buildkite.teams().list(org, Optional.ofNullable(data.teamsNext()).orElse(PageRequest.first(REST_PAGE)));
            data.addTeams(page.items().stream()
                    .map(t -> new TeamRoster(t.id(), t.slug(), t.name(), List.of(), List.of())).toList(), page.next().orElse(null));
            data.rostersCompleteIfAllRead(session.now());
            return;
        }
        Optional<TeamRoster> team = data.rosterTeam();
        if (team.isEmpty()) {
            data.rostersCompleteIfAllRead(session.now());
            return;
        }
        PageRequest request = Optional.ofNullable(data.rosterNext()).orElse(PageRequest.first(REST_PAGE));
        if (!data.rosterPipelinesPhase()) {
            Page<TeamMember> page = buildkite.teams().members(org, team.get().teamUuid(), request);
            data.addRosterMembers(page.items().stream().map(m -> new TeamRoster.Member(m.userId(), m.role())).toList(),
                    page.next().orElse(null));
        } else {
            Page<TeamPipeline> page = buildkite.teams().pipelines(org, team.get().teamUuid(), request);
            data.addRosterPipelines(page.items().stream()
                    .map(OrganizationDataBuilder::pipelineAccessOf).toList(),
                    page.next().orElse(null), session.now());
        }
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

    private static LaneStop join(Future<LaneStop> lane) {
        try {
            return lane.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading organization data", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
