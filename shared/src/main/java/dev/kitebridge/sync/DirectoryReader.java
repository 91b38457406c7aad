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
import dev.kitebridge.directory.orgdata.MemberProfile;
import dev.kitebridge.directory.orgdata.OrganizationDataBuilder;
import dev.kitebridge.sync.SyncRun.Read;
import dev.kitebridge.sync.SyncRun.RestLane;

/**
 * A run's READ phase: the whole directory of each organization into the run's snapshot generation,
 * by two lanes at once, one per Buildkite budget. The GraphQL lane reads what only GraphQL has
 * (each member's 2FA, last seen, bot and avatar: 4 points a member) and the pending invitations;
 * the REST lane reads everything else (members with role and SSO mode, teams, each team's members
 * and pipelines), 100 to a page. Each lane waits for its own budget as long as the worker's time allows, so a run
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
                    () -> graphqlStep(session, progress, deadline), () -> progress.current().read().graphql().done()));
            Future<Instant> rest = LANES.submit(() -> lane(session, deadline, stop,
                    () -> restStep(session, progress, deadline),
                    () -> progress.current().read().rest().stage() == RestLane.Stage.DONE));
            Stopped graphqlStop = stopped(graphql);
            Stopped restStop = stopped(rest); // both lanes have stopped before a failure goes up
            for (Stopped lane : List.of(graphqlStop, restStop)) {
                if (lane.failure() instanceof Error error) {
                    throw error; // a dying worker dies, whichever thread it was in
                }
            }
            if (graphqlStop.failure() != null || restStop.failure() != null) {
                throw worse((RuntimeException) graphqlStop.failure(), (RuntimeException) restStop.failure());
            }
            if (!progress.current().read().done()) {
                // As soon as either lane can go on; the other waits for its budget within the next worker's time.
                Instant a = graphqlStop.goOnAt();
                Instant b = restStop.goOnAt();
                return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
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
                } catch (ApiError e) {
                    if (e.status() != 429) {
                        throw e;
                    }
                    return session.now().plus(e.retryAfter());
                }
            }
            return null;
        } catch (RuntimeException | Error failed) {
            stop.set(true); // the other lane stops at its next page; the run resumes from both checkpoints
            throw failed;
        }
    }

    // ---------------------------------------------------------------- the GraphQL lane

    private void graphqlStep(Session session, RunProgress progress, Instant deadline) {
        SyncRun run = progress.current();
        SyncRun.GraphqlLane lane = run.read().graphql();
        SyncRun.Organization org = run.organizations().get(run.read().organization());
        if (!lane.profilesDone()) {
            Connection<MemberNode> page = access.call(session, () -> session.buildkiteUntil(deadline).graphql().members()
                    .list(org.slug(), MemberQuery.page(PAGE, lane.profilesAfter())));
            List<SnapshotStore.Item> items = new ArrayList<>();
            for (MemberNode node : page.nodes()) {
                if (node.user() != null) {
                    MemberProfile profile = OrganizationDataBuilder.profileOf(node, null);
                    items.add(new SnapshotStore.Item(SnapshotKeys.profile(org.id(), profile.userUuid()), SnapshotParts.write(profile)));
                }
            }
            write(run, items);
            String after = page.next().orElse(null);
            progress.save(r -> r.reading(r.read().with(new SyncRun.GraphqlLane(after, after == null, null, false)), r.counts()));
            return;
        }
        // Pending invitations through GraphQL, as the directory's writes find them: REST would need
        // read_organization_invitations, which the contract does not ask of a token.
        Connection<InvitationNode> page = access.call(session, () -> session.buildkiteUntil(deadline).graphql().invitations()
                .list(org.slug(), PAGE, lane.invitationsAfter(), List.of(InvitationState.PENDING)));
        write(run, page.nodes().stream().map(i -> new SnapshotStore.Item(SnapshotKeys.invitation(org.id(), i.uuid()),
                SnapshotParts.write(i))).toList());
        String after = page.next().orElse(null);
        progress.save(r -> r.reading(r.read().with(new SyncRun.GraphqlLane(null, true, after, after == null)),
                r.counts().read(0, page.nodes().size(), 0, 0)));
    }

    // ---------------------------------------------------------------- the REST lane

    private void restStep(Session session, RunProgress progress, Instant deadline) {
        SyncRun run = progress.current();
        RestLane lane = run.read().rest();
        SyncRun.Organization org = run.organizations().get(run.read().organization());
        PageRequest request = Optional.ofNullable(lane.next()).orElse(PageRequest.first(PAGE));
        switch (lane.stage()) {
            case MEMBERS -> {
                Page<OrganizationMember> page = access.call(session,
                        () -> session.buildkiteUntil(deadline).organizations().members(org.slug(), request));
                write(run, page.items().stream()
                        .map(m -> new SnapshotStore.Item(SnapshotKeys.member(org.id(), m.id()), SnapshotParts.write(m))).toList());
                RestLane next = page.next().map(lane::nextPage).orElse(RestLane.at(RestLane.Stage.TEAMS, null));
                progress.save(r -> r.reading(r.read().with(next), r.counts().read(page.items().size(), 0, 0, 0)));
            }
            case TEAMS -> {
                Page<Team> page = access.call(session, () -> session.buildkiteUntil(deadline).teams().list(org.slug(), request));
                write(run, page.items().stream()
                        .map(t -> new SnapshotStore.Item(SnapshotKeys.group(org.id(), t.id()), SnapshotParts.write(t))).toList());
                RestLane next = page.next().map(lane::nextPage)
                        .orElseGet(() -> RestLane.at(RestLane.Stage.ROSTERS, teamAfter(run, org, SnapshotKeys.groups(org.id()))));
                progress.save(r -> r.reading(r.read().with(next), r.counts().read(0, 0, page.items().size(), 0)));
            }
            case ROSTERS -> rosterStep(session, progress, deadline, org, request);
            case DONE -> throw new IllegalStateException("the REST lane has nothing left to read");
        }
    }

    /**
     * A team's members, then its pipelines (each an item of the team's record, so that a team with
     * thousands of them keeps the checkpoint small); then its member count is written and the next
     * team's roster begins.
     */
    private void rosterStep(Session session, RunProgress progress, Instant deadline, SyncRun.Organization org, PageRequest request) {
        SyncRun run = progress.current();
        RestLane lane = run.read().rest();
        String team = lane.rosterTeam();
        if (team == null) { // no team, or every roster read
            progress.save(r -> r.reading(r.read().with(RestLane.at(RestLane.Stage.DONE, null)), r.counts()));
            return;
        }
        String teamKey = SnapshotKeys.group(org.id(), team);
        if (!lane.rosterPipelines()) {
            Optional<Page<TeamMember>> found = access.find(session,
                    () -> session.buildkiteUntil(deadline).teams().members(org.slug(), team, request));
            if (found.isEmpty()) {
                teamGone(progress, org, team);
                return;
            }
            Page<TeamMember> page = found.get();
            write(run, page.items().stream().map(m -> new SnapshotStore.Item(SnapshotKeys.membership(org.id(), m.userId(), team),
                    SnapshotParts.write(new SnapshotParts.Membership(m.role())))).toList());
            long members = lane.rosterMembers() + page.items().size();
            RestLane next = new RestLane(RestLane.Stage.ROSTERS, page.next().orElse(null), team, page.next().isEmpty(), members);
            progress.save(r -> r.reading(r.read().with(next), r.counts().read(0, 0, 0, page.items().size())));
            return;
        }
        Optional<Page<TeamPipeline>> found = access.find(session,
                () -> session.buildkiteUntil(deadline).teams().pipelines(org.slug(), team, request));
        if (found.isEmpty()) {
            teamGone(progress, org, team);
            return;
        }
        Page<TeamPipeline> page = found.get();
        write(run, page.items().stream().map(p -> OrganizationDataBuilder.pipelineAccessOf(p))
                .map(p -> new SnapshotStore.Item(teamKey + "/p/" + p.pipelineUuid(), SnapshotParts.write(p))).toList());
        if (page.next().isPresent()) {
            progress.save(r -> r.reading(r.read().with(lane.nextPage(page.next().get())), r.counts()));
            return;
        }
        String rosterKey = teamKey + "/r";
        write(run, List.of(new SnapshotStore.Item(rosterKey, SnapshotParts.write(new SnapshotParts.RosterSummary(lane.rosterMembers())))));
        String nextTeam = teamAfter(run, org, rosterKey);
        progress.save(r -> r.reading(r.read().with(RestLane.at(RestLane.Stage.ROSTERS, nextTeam)), r.counts()));
    }

    /**
     * A team deleted after it was listed: out of the generation (memberships and pipelines read for
     * it before are left, and a comparison counts nothing of a team whose own item is not there).
     */
    private void teamGone(RunProgress progress, SyncRun.Organization org, String team) {
        SyncRun run = progress.current();
        String key = SnapshotKeys.group(org.id(), team);
        snapshots.delete(run.accountId(), run.generation(), List.of(key, key + "/r"));
        String nextTeam = teamAfter(run, org, key + "/~");
        progress.save(r -> r.reading(r.read().with(RestLane.at(RestLane.Stage.ROSTERS, nextTeam)), r.counts()));
    }

    /** The next team after a key in the generation's team list, or null after the last. */
    private String teamAfter(SyncRun run, SyncRun.Organization org, String afterKey) {
        String prefix = SnapshotKeys.groups(org.id());
        String after = afterKey;
        while (true) {
            List<SnapshotStore.Item> next = snapshots.list(run.accountId(), run.generation(), after, 1);
            if (next.isEmpty() || !next.get(0).key().startsWith(prefix)) {
                return null;
            }
            String key = next.get(0).key();
            if (SnapshotKeys.partOf(key).isEmpty()) {
                return SnapshotKeys.idOf(key);
            }
            after = SnapshotKeys.record(key) + "/~"; // a part of a team whose own item is gone: past all its parts
        }
    }

    private void write(SyncRun run, List<SnapshotStore.Item> items) {
        if (!items.isEmpty()) {
            snapshots.put(run.accountId(), run.generation(), items);
        }
    }

    /** How a lane ended: when it can go on (null: done), or how it failed (a RuntimeException or an Error). */
    private record Stopped(Instant goOnAt, Throwable failure) {}

    private static Stopped stopped(Future<Instant> lane) {
        try {
            return new Stopped(lane.get(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the directory", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException || e.getCause() instanceof Error) {
                return new Stopped(null, e.getCause());
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Of two lanes' failures, the one that ends the run (Buildkite refused the token) goes up. */
    private static RuntimeException worse(RuntimeException a, RuntimeException b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return b instanceof ApiError e && e.status() == 424 ? b : a;
    }
}
