package dev.kitebridge.sync;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import dev.kitebridge.buildkite.InvitationState;
import dev.kitebridge.buildkite.Page;
import dev.kitebridge.buildkite.PageRequest;
import dev.kitebridge.buildkite.graphql.Connection;
import dev.kitebridge.buildkite.graphql.GraphqlClient.MemberQuery;
import dev.kitebridge.buildkite.graphql.Nodes.MemberNode;
import dev.kitebridge.buildkite.rest.Invitation;
import dev.kitebridge.buildkite.rest.OrganizationMember;
import dev.kitebridge.buildkite.rest.Team;
import dev.kitebridge.buildkite.rest.TeamMember;
import dev.kitebridge.buildkite.rest.TeamPipeline;
import dev.kitebridge.directory.BuildkiteAccess;
import dev.kitebridge.directory.DirectoryException;
import dev.kitebridge.directory.Session;
import dev.kitebridge.directory.orgdata.MemberProfile;
import dev.kitebridge.directory.orgdata.OrganizationDataBuilder;
import dev.kitebridge.directory.orgdata.TeamRoster;
import dev.kitebridge.sync.SyncRun.Read;
import dev.kitebridge.sync.SyncRun.Read.RestStage;

/**
 * A run's READ phase: the whole directory of each organization into the run's snapshot generation,
 * by two lanes at once, one per Buildkite budget. The GraphQL lane reads what only GraphQL has
 * (each member's 2FA, last seen, bot and avatar: 4 points a member); the REST lane reads everything
 * else (members with role and SSO mode, teams, each team's members and pipelines, invitations), 100
 * to a page. Each lane waits for its own budget as long as the worker's time allows, so a run
 * finishes when the slower budget allows it. Every page is written, then the checkpoint saved: a
 * worker that stops (its time is up, it dies) is resumed from there, re-reading one page at most.
 */
final class DirectoryReader {

    static final int PAGE = 100;

    private static final ExecutorService LANES = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "kitebridge-sync-lane");
        thread.setDaemon(true);
        return thread;
    });

    private final BuildkiteAccess access;
    private final SnapshotStore snapshots;

    DirectoryReader(BuildkiteAccess access, SnapshotStore snapshots) {
        this.access = access;
        this.snapshots = snapshots;
    }

    /**
     * Reads until every organization is read, or the deadline, or a budget that refills too late.
     *
     * @return null when reading is complete; otherwise when it can go on (now, or when a budget refills)
     */
    Instant read(Session session, RunProgress progress, Instant deadline) {
        while (true) {
            SyncRun run = progress.current();
            if (run.read().organization() >= run.organizations().size()) {
                return null;
            }
            AtomicBoolean stop = new AtomicBoolean();
            Future<Instant> graphql = LANES.submit(() -> lane(session, deadline, stop,
                    () -> profileStep(session, progress, deadline), () -> progress.current().read().profilesDone()));
            Future<Instant> rest = LANES.submit(() -> lane(session, deadline, stop,
                    () -> restStep(session, progress, deadline), () -> progress.current().read().restStage() == RestStage.DONE));
            Instant graphqlStop;
            Instant restStop;
            try {
                graphqlStop = join(graphql);
            } finally {
                restStop = join(rest); // both lanes have stopped before a failure goes up
            }
            if (!progress.current().read().done()) {
                return graphqlStop == null ? restStop : restStop == null ? graphqlStop : max(graphqlStop, restStop);
            }
            progress.save(r -> r.reading(Read.start(r.read().organization() + 1), r.counts()));
        }
    }

    /**
     * Runs a lane's steps until it is done, its time is up, or its budget refills after the deadline.
     *
     * @return null when done, else when it can go on
     */
    private static Instant lane(Session session, Instant deadline, AtomicBoolean stop, Runnable step, BooleanSupplier done) {
        try {
            while (!done.getAsBoolean()) {
                if (stop.get() || !session.now().isBefore(deadline)) {
                    return session.now();
                }
                try {
                    step.run();
                } catch (DirectoryException e) {
                    if (e.status() != 429) {
                        throw e;
                    }
                    return session.now().plus(e.retryAfter());
                }
            }
            return null;
        } catch (RuntimeException failed) {
            stop.set(true); // the other lane stops at its next page; the run resumes from both checkpoints
            throw failed;
        }
    }

    // ---------------------------------------------------------------- the GraphQL lane

    private void profileStep(Session session, RunProgress progress, Instant deadline) {
        SyncRun run = progress.current();
        SyncRun.Organization org = run.organizations().get(run.read().organization());
        Connection<MemberNode> page = access.call(session, () -> session.buildkiteUntil(deadline).graphql()
                .members(org.slug(), MemberQuery.page(PAGE, run.read().profilesAfter())));
        List<SnapshotStore.Item> items = new ArrayList<>();
        for (MemberNode node : page.nodes()) {
            if (node.user() != null) {
                MemberProfile profile = OrganizationDataBuilder.profileOf(node, null);
                items.add(new SnapshotStore.Item(SnapshotKeys.profile(org.id(), profile.userUuid()), SnapshotParts.write(profile)));
            }
        }
        snapshots.put(run.accountId(), run.generation(), items);
        String after = page.next().orElse(null);
        progress.save(r -> r.reading(new Read(r.read().organization(), after == null, after, r.read().restStage(), r.read().restNext(),
                r.read().rosterTeam(), r.read().rosterPipelines(), r.read().rosterMembers(), r.read().rosterPipelinesSoFar()), r.counts()));
    }

    // ---------------------------------------------------------------- the REST lane

    private void restStep(Session session, RunProgress progress, Instant deadline) {
        SyncRun run = progress.current();
        Read read = run.read();
        SyncRun.Organization org = run.organizations().get(read.organization());
        PageRequest request = Optional.ofNullable(read.restNext()).orElse(PageRequest.first(PAGE));
        switch (read.restStage()) {
            case MEMBERS -> {
                Page<OrganizationMember> page = access.call(session,
                        () -> session.buildkiteUntil(deadline).organizations().members(org.slug(), request));
                write(run, page.items().stream()
                        .map(m -> new SnapshotStore.Item(SnapshotKeys.member(org.id(), m.id()), SnapshotParts.write(m))).toList());
                saveRest(progress, page.next().orElse(null), RestStage.TEAMS, null, page.items().size(), 0);
            }
            case TEAMS -> {
                Page<Team> page = access.call(session, () -> session.buildkiteUntil(deadline).teams().list(org.slug(), request));
                write(run, page.items().stream()
                        .map(t -> new SnapshotStore.Item(SnapshotKeys.group(org.id(), t.id()), SnapshotParts.write(t))).toList());
                saveRest(progress, page.next().orElse(null), RestStage.ROSTERS, page.next().isEmpty() ? firstTeam(run, org) : null, 0,
                        page.items().size());
            }
            case ROSTERS -> rosterStep(session, progress, deadline, org, request);
            case INVITATIONS -> {
                Page<Invitation> page = access.call(session,
                        () -> session.buildkiteUntil(deadline).invitations().list(org.slug(), request));
                List<Invitation> pending = page.items().stream().filter(i -> i.state() == InvitationState.PENDING).toList();
                write(run, pending.stream()
                        .map(i -> new SnapshotStore.Item(SnapshotKeys.invitation(org.id(), i.id()), SnapshotParts.write(i))).toList());
                progress.save(r -> r.reading(restMoved(r.read(), page.next().orElse(null), RestStage.DONE, r.read().rosterTeam()),
                        r.counts().read(0, pending.size(), 0, 0)));
            }
            case DONE -> throw new IllegalStateException("the REST lane has nothing left to read");
        }
    }

    /** A team's members, then its pipelines; then its summary is written and the next team's roster begins. */
    private void rosterStep(Session session, RunProgress progress, Instant deadline, SyncRun.Organization org, PageRequest request) {
        SyncRun run = progress.current();
        Read read = run.read();
        String team = read.rosterTeam();
        if (team == null) { // no team, or every roster read
            progress.save(r -> r.reading(restMoved(r.read(), null, RestStage.INVITATIONS, null), r.counts()));
            return;
        }
        if (!read.rosterPipelines()) {
            Optional<Page<TeamMember>> found = access.find(session,
                    () -> session.buildkiteUntil(deadline).teams().members(org.slug(), team, request));
            if (found.isEmpty()) {
                teamGone(progress, org, team);
                return;
            }
            Page<TeamMember> page = found.get();
            write(run, page.items().stream().map(m -> new SnapshotStore.Item(SnapshotKeys.membership(org.id(), m.userId(), team),
                    SnapshotParts.write(new SnapshotParts.Membership(m.role())))).toList());
            Optional<PageRequest> next = page.next();
            progress.save(r -> r.reading(new Read(r.read().organization(), r.read().profilesDone(), r.read().profilesAfter(),
                    RestStage.ROSTERS, next.orElse(null), team, next.isEmpty(), r.read().rosterMembers() + page.items().size(),
                    List.of()), r.counts().read(0, 0, 0, page.items().size())));
            return;
        }
        Optional<Page<TeamPipeline>> found = access.find(session,
                () -> session.buildkiteUntil(deadline).teams().pipelines(org.slug(), team, request));
        if (found.isEmpty()) {
            teamGone(progress, org, team);
            return;
        }
        Page<TeamPipeline> page = found.get();
        List<TeamRoster.PipelineAccess> pipelines = new ArrayList<>(read.rosterPipelinesSoFar());
        page.items().forEach(p -> pipelines.add(OrganizationDataBuilder.pipelineAccessOf(p)));
        if (page.next().isPresent()) {
            progress.save(r -> r.reading(new Read(r.read().organization(), r.read().profilesDone(), r.read().profilesAfter(),
                    RestStage.ROSTERS, page.next().get(), team, true, r.read().rosterMembers(), pipelines), r.counts()));
            return;
        }
        String rosterKey = SnapshotKeys.group(org.id(), team) + "/r";
        write(run, List.of(new SnapshotStore.Item(rosterKey, SnapshotParts.write(new SnapshotParts.RosterSummary(read.rosterMembers(), pipelines)))));
        String nextTeam = teamAfter(run, org, rosterKey);
        progress.save(r -> r.reading(restMoved(r.read(), null, RestStage.ROSTERS, nextTeam), r.counts()));
    }

    /**
     * A team deleted after it was listed: out of the generation (memberships read for it before are
     * left, and a comparison counts no membership of a team the generation does not hold).
     */
    private void teamGone(RunProgress progress, SyncRun.Organization org, String team) {
        SyncRun run = progress.current();
        String key = SnapshotKeys.group(org.id(), team);
        snapshots.delete(run.accountId(), run.generation(), List.of(key, key + "/r"));
        String nextTeam = teamAfter(run, org, key + "/r");
        progress.save(r -> r.reading(restMoved(r.read(), null, RestStage.ROSTERS, nextTeam), r.counts()));
    }

    /** The first team listed in the generation, or null for none. */
    private String firstTeam(SyncRun run, SyncRun.Organization org) {
        return teamAfter(run, org, SnapshotKeys.groups(org.id()));
    }

    /** The next team after a key in the generation's team list, or null after the last. */
    private String teamAfter(SyncRun run, SyncRun.Organization org, String afterKey) {
        String prefix = SnapshotKeys.groups(org.id());
        List<SnapshotStore.Item> next = snapshots.list(run.accountId(), run.generation(), afterKey, 1);
        return next.isEmpty() || !next.get(0).key().startsWith(prefix) ? null : SnapshotKeys.idOf(next.get(0).key());
    }

    private void write(SyncRun run, List<SnapshotStore.Item> items) {
        if (!items.isEmpty()) {
            snapshots.put(run.accountId(), run.generation(), items);
        }
    }

    /**
     * Saves the REST lane after a page of a listed stage: the next page, or the stage after it.
     * {@code firstTeam} is where the rosters begin when the stage after is ROSTERS.
     */
    private static void saveRest(RunProgress progress, PageRequest next, RestStage after, String firstTeam, long users, long groups) {
        progress.save(r -> r.reading(next != null ? restMoved(r.read(), next, r.read().restStage(), r.read().rosterTeam())
                : restMoved(r.read(), null, after, firstTeam), r.counts().read(users, 0, groups, 0)));
    }

    private static Read restMoved(Read read, PageRequest next, RestStage stage, String rosterTeam) {
        return new Read(read.organization(), read.profilesDone(), read.profilesAfter(), stage, next, rosterTeam, false, 0, List.of());
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Instant join(Future<Instant> lane) {
        try {
            return lane.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the directory", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error; // a dying worker dies, whichever thread it was in
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
