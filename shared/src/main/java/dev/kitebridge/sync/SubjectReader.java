package dev.kitebridge.sync;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.access.Session;
import dev.kitebridge.buildkite.InvitationState;
import dev.kitebridge.buildkite.graphql.Nodes.InvitationNode;
import dev.kitebridge.buildkite.graphql.TeamsQueries.TeamCount;
import dev.kitebridge.buildkite.rest.OrganizationMember;
import dev.kitebridge.buildkite.rest.Team;
import dev.kitebridge.contract.ApiError;
import dev.kitebridge.directory.orgdata.OrganizationData;
import dev.kitebridge.directory.orgdata.OrganizationReader;
import dev.kitebridge.directory.orgdata.OrganizationReader.GraphqlLane;
import dev.kitebridge.directory.orgdata.OrganizationReader.RestLane;
import dev.kitebridge.directory.orgdata.OrganizationReader.Tally;
import dev.kitebridge.sync.SyncRun.Read;

/**
 * A pass of changes' READ phase: each subject re-read whole, subject after subject, and written into
 * the pass's own generation as what differs from the account's current one (see {@link SubjectRead}):
 * a subject that did not change writes nothing. The run's {@link Read} says which subject
 * ({@code organization} is its index) and, for a team's roster (with its pipelines, or without for a roster alone) or the invitations (read by the
 * {@link OrganizationReader}'s lanes, as a full run reads them) or the member list
 * ({@link MemberListReader}), where in it. Where a subject stands is deferred (see
 * {@link RunProgress#defer}), stored when the turn ends, or before a subject added since is read: a
 * worker that dies reads again every subject read since it was last stored (those that wrote among
 * them), and writes the same. A subject stopped part-way (time up, a spent budget) stores what it read so far, and goes on
 * from there.
 */
final class SubjectReader {

    /** The most memberships a team's count asks again alone (see {@link #readCount}); past them its roster is read. */
    static final int COUNT_ASKS = 10;

    private final BuildkiteAccess access;
    private final OrganizationReader reader;
    private final SnapshotStore snapshots;
    private final MemberListReader memberList;

    SubjectReader(BuildkiteAccess access, OrganizationReader reader, SnapshotStore snapshots) {
        this.access = access;
        this.reader = reader;
        this.snapshots = snapshots;
        this.memberList = new MemberListReader(access, snapshots);
    }

    /**
     * Reads until every subject is read, or the deadline, or a budget that refills too late.
     *
     * @return null when reading is complete; otherwise when it can go on
     */
    Instant read(Session session, RunProgress progress, Instant deadline) {
        PassItems pass = new PassItems(snapshots, progress.current());
        while (true) {
            SyncRun run = progress.current();
            int index = run.read().organization();
            if (index >= run.subjects().size()) {
                return null;
            }
            if (!session.now().isBefore(deadline)) {
                return session.now();
            }
            Subject subject = run.subjects().get(index);
            Optional<SyncRun.Organization> org = run.organizations().stream().filter(o -> o.id().equals(subject.organizationId())).findFirst();
            try {
                if (org.isEmpty()) {
                    // An organization the pass does not reach: nothing is read or written of the subject. Its items are not taken
                    // for gone, with no 404 behind them and VERIFY not asking (see Removals#lastAsked); a full run drops an
                    // organization really gone, and its HOLD guards against deleting too much at once. What an attempt wrote
                    // of it before the token lost the organization goes (a pass queued without its organizations asks which it
                    // reaches as it starts, and a worker that died before its first save stored none): published, it would be
                    // a change the pass did not read.
                    pass.dropOrganization(subject.organizationId());
                    pass.dropReadBy(index);
                } else {
                    Optional<Instant> goOnAt = read(session, progress, deadline, subject, org.get(), index, pass);
                    if (goOnAt.isPresent()) {
                        return goOnAt.get();
                    }
                }
            } catch (ApiError e) {
                if (e.status() != 429) {
                    throw e;
                }
                return session.now().plus(e.retryAfter()); // a spent budget: the subject is read again from where it stands
            }
            progress.defer(r -> r.reading(Read.start(index + 1), r.counts()));
        }
    }

    /** One subject; returns empty once it is read through (and written), else when reading it can go on. */
    private Optional<Instant> read(Session session, RunProgress progress, Instant deadline, Subject subject, SyncRun.Organization org,
                                   int index, PassItems pass) {
        SyncRun run = progress.current();
        if (subject.readWith(run.subjects())) {
            return Optional.empty(); // the pass reads the team whole, its roster with it
        }
        if (index >= progress.stored().subjects().size()) {
            // A subject added since the run was stored (a team a member joined or left, a team made since, the invitations
            // naming a team deleted) is stored before it writes: a worker that dies after its writes leaves it named, and the
            // retry reads it again, though what added it may not add it by then (the member left the team again). Else what
            // it wrote would stay in the pass's generation, no subject covering it, and be published.
            progress.flush();
        }
        boolean begun = !run.read().equals(Read.start(index));
        if (!begun) {
            pass.dropReadBy(index); // what an attempt that stopped part-way and died before it stored so left
        }
        SubjectRead subjectRead = new SubjectRead(snapshots, run, subject, index, pass);
        Read at = run.read();
        long teamsRead = 0;
        switch (subject.kind()) {
            case USER -> {
                readMember(session, progress, deadline, subject, org, subjectRead);
                return Optional.empty();
            }
            case INVITATION -> {
                readInvitation(session, progress, deadline, subject, org, subjectRead);
                return Optional.empty();
            }
            case COUNT -> {
                readCount(session, progress, deadline, subject, org, subjectRead);
                return Optional.empty();
            }
            case MEMBERS -> {
                return memberList.read(session, progress, deadline, subject, org);
            }
            case GROUP -> {
                if (!begun) {
                    Optional<Team> team = access.find(session, () -> session.buildkiteUntil(deadline).teams().get(org.slug(), subject.id()));
                    if (team.isEmpty()) {
                        // Deleted: nothing of it is read; the invitations naming it are read again, not rebuilt (see InvitationTeams).
                        subjectRead.finish();
                        withSubject(progress, Subject.invitations(org.id()));
                        return Optional.empty();
                    }
                    subjectRead.add(List.of(SnapshotItems.team(org.id(), team.get())));
                    teamsRead = 1;
                    at = new Read(index, new GraphqlLane(null, true, null, true, null), RestLane.at(RestLane.Stage.ROSTERS, subject.id()));
                }
            }
            case ROSTER -> {
                if (!begun) {
                    // A team the account's snapshot does not have (made since) is read whole: its roster alone does not name it.
                    if (snapshots.get(run.accountId(), run.baseGeneration(), List.of(SnapshotKeys.group(org.id(), subject.id()))).isEmpty()) {
                        withSubject(progress, Subject.group(org.id(), subject.id()));
                        return Optional.empty();
                    }
                    at = new Read(index, new GraphqlLane(null, true, null, true, null), RestLane.at(RestLane.Stage.ROSTERS, subject.id()));
                }
            }
            case INVITATIONS -> {
                if (!begun) {
                    at = new Read(index, new GraphqlLane(null, true, null, false, null), RestLane.at(RestLane.Stage.DONE, null));
                }
            }
        }
        PassSink sink = new PassSink(subjectRead, org, at, new Tally(0, 0, teamsRead, 0),
                subject.kind() == Subject.Kind.ROSTER ? () -> withSubject(progress, Subject.group(org.id(), subject.id())) : null);
        OrganizationReader.Stop stop = reader.read(session, org.slug(), deadline, EnumSet.allOf(OrganizationReader.Lane.class), sink);
        if (stop.done()) {
            subjectRead.finish();
        } else {
            subjectRead.flush();
        }
        Read reached = sink.read();
        Tally tally = sink.tally();
        progress.defer(r -> r.reading(reached, r.counts().read(tally.members(), tally.invitations(), tally.teams(), tally.memberships())));
        return Optional.ofNullable(stop.goOnAt(session.now()));
    }

    /** A member alone: REST's member, and GraphQL's profile and teams, as {@code GET /users/{id}} reads them. */
    private void readMember(Session session, RunProgress progress, Instant deadline, Subject subject, SyncRun.Organization org,
                            SubjectRead subjectRead) {
        Optional<OrganizationMember> member = access.find(session,
                () -> session.buildkiteUntil(deadline).organizations().member(org.slug(), subject.id()));
        if (member.isEmpty()) {
            subjectRead.finish(); // no longer a member: nothing of them is read
            teamsChanged(progress, org, subjectRead, Set.of());
            return;
        }
        OrganizationReader.OneMember one = reader.member(session, org.slug(), member.get(), deadline);
        List<SnapshotStore.Item> items = new ArrayList<>();
        items.add(SnapshotItems.member(org.id(), member.get()));
        one.profile().ifPresent(p -> items.add(SnapshotItems.profile(org.id(), p)));
        one.teams().forEach(t -> items.add(SnapshotItems.membership(org.id(), subject.id(), t.teamUuid(), t.role())));
        subjectRead.add(items); // (its entries in the teams' indexes follow from its memberships when the pass publishes: see Overlay)
        subjectRead.finish();
        teamsChanged(progress, org, subjectRead, one.teams().stream().map(OrganizationData.UserTeam::teamUuid)
                .collect(Collectors.toSet()));
        Tally read = new Tally(1, 0, 0, one.teams().size());
        progress.defer(r -> r.reading(r.read(), r.counts().read(read.members(), read.invitations(), read.teams(), read.memberships())));
    }

    /** One invitation, as a page of pending invitations has it; none where it is no longer pending (accepted, revoked, expired). */
    private void readInvitation(Session session, RunProgress progress, Instant deadline, Subject subject, SyncRun.Organization org,
                                SubjectRead subjectRead) {
        Optional<InvitationNode> invitation = access.call(session,
                () -> session.buildkiteUntil(deadline).graphql().invitations().one(org.slug(), subject.id()))
                .filter(i -> i.state() == InvitationState.PENDING);
        invitation.ifPresent(i -> subjectRead.add(List.of(SnapshotItems.invitation(org.id(), i))));
        subjectRead.finish();
        int read = invitation.isPresent() ? 1 : 0;
        progress.defer(r -> r.reading(r.read(), r.counts().read(0, read, 0, 0)));
    }

    /**
     * A team's member count alone (see {@link Subject.Kind#COUNT}): one GraphQL query of its UUID and its
     * members' count, by the team's slug as the account's snapshot has it, written as its roster
     * summary says it (whether its index is whole stays as it was: the pass writes the entries of the
     * memberships it changes); and each membership in the team the pass has read otherwise (its
     * members' reads), asked again alone (a REST request each, where the roster is one a hundred
     * members): the later read is the word, as a roster's pages are, and a worker that died after a
     * member's read, retried from this subject on, does not publish a membership Buildkite no longer
     * has. More than {@link #COUNT_ASKS} of them, or a team the snapshot has without its summary, have its roster read
     * instead (paced, read on where a spent budget stops it); a team the snapshot does not have (made since), and
     * one the count does not find (deleted, or renamed since: its slug, or the slug another team's now) the team whole: their reads
     * cover the count.
     */
    private void readCount(Session session, RunProgress progress, Instant deadline, Subject subject, SyncRun.Organization org,
                           SubjectRead subjectRead) {
        SyncRun run = progress.current();
        String teamKey = SnapshotKeys.group(org.id(), subject.id());
        List<SnapshotStore.Item> team = snapshots.get(run.accountId(), run.baseGeneration(), List.of(teamKey));
        if (team.isEmpty()) {
            withSubject(progress, Subject.group(org.id(), subject.id())); // made since: read whole
            return;
        }
        SortedSet<String> users = subjectRead.membersRead();
        // (the covered items, the summary among them, looked up only where the count is read: not past COUNT_ASKS)
        Map<String, JsonNode> base = users.size() > COUNT_ASKS ? Map.of() : subjectRead.base();
        if (!base.containsKey(teamKey + "/r") || users.size() > COUNT_ASKS) {
            // A summary missing leaves the count nowhere to go. And each membership is one REST request, not stored
            // part-way: past a few, the roster's pages (a hundred members each, read
            // on where a spent budget stopped them) cost less and resume; asked in one go, some 50 spend a minute's budget
            // and the count would start again every turn.
            withSubject(progress, Subject.roster(org.id(), subject.id()));
            return;
        }
        String slug = SnapshotParts.read(team.get(0).data(), Team.class).slug();
        Optional<Integer> count = access.find(session, () -> session.buildkiteUntil(deadline).graphql().teams().count(org.slug(), slug))
                .filter(c -> c.uuid().equals(subject.id())) // (renamed since, its old slug another team's: not this team's count)
                .map(TeamCount::count);
        if (count.isEmpty()) {
            withSubject(progress, Subject.group(org.id(), subject.id()));
            return;
        }
        SnapshotParts.RosterSummary was = SnapshotParts.read(base.get(teamKey + "/r"), SnapshotParts.RosterSummary.class);
        List<SnapshotStore.Item> items = new ArrayList<>();
        items.add(new SnapshotStore.Item(teamKey + "/r", SnapshotParts.write(
                new SnapshotParts.RosterSummary(count.get(), was.membersListed(), was.rolesListed()))));
        for (String user : users) {
            access.find(session, () -> session.buildkiteUntil(deadline).teams().member(org.slug(), subject.id(), user))
                    .ifPresent(m -> items.add(SnapshotItems.membership(org.id(), user, subject.id(), m.role())));
        }
        subjectRead.add(items); // (the memberships' entries follow from them when the pass publishes, as a member's read's do)
        subjectRead.finish();
        Tally read = new Tally(0, 0, 0, items.size() - 1);
        progress.defer(r -> r.reading(r.read(), r.counts().read(read.members(), read.invitations(), read.teams(), read.memberships())));
    }

    /**
     * The teams a member joined or left since the account's snapshot, added to the pass as subjects
     * of their own (their member counts are read again: not the teams, nor their rosters), each once.
     */
    private static void teamsChanged(RunProgress progress, SyncRun.Organization org, SubjectRead member, Set<String> teamsNow) {
        SyncRun run = progress.current();
        Set<String> teamsBefore = member.base().keySet().stream().filter(k -> SnapshotKeys.partOf(k).equals("t"))
                .map(SnapshotKeys::teamOf).collect(Collectors.toSet());
        Set<String> changed = new TreeSet<>(teamsNow);
        changed.addAll(teamsBefore);
        changed.removeIf(t -> teamsNow.contains(t) && teamsBefore.contains(t));
        List<Subject> more = changed.stream().map(t -> Subject.count(org.id(), t))
                .filter(t -> !run.subjects().contains(t) && !t.readWith(run.subjects())).toList();
        if (!more.isEmpty()) {
            List<Subject> all = new ArrayList<>(run.subjects());
            all.addAll(more);
            progress.defer(r -> r.withSubjects(all));
        }
    }

    /** A subject added to the pass, after those it has, unless it is among them. */
    private static void withSubject(RunProgress progress, Subject subject) {
        if (!progress.current().subjects().contains(subject)) {
            List<Subject> all = new ArrayList<>(progress.current().subjects());
            all.add(subject);
            progress.defer(r -> r.withSubjects(all));
        }
    }

    /**
     * A sink for one subject's lanes: each page goes to the subject's read (in memory), and where
     * reading stands is kept here, stored by the reader once the lanes stop (see {@link RunProgress#defer}).
     */
    private static final class PassSink implements OrganizationReader.Sink {
        private final SubjectRead subject;
        private final SyncRun.Organization org;
        /** For a roster alone (its members, not its pipelines): the team found gone is added to the pass whole. */
        private final Runnable rosterAloneGone;
        private Read at;
        private Tally tally;

        PassSink(SubjectRead subject, SyncRun.Organization org, Read at, Tally tally, Runnable rosterAloneGone) {
            this.subject = subject;
            this.org = org;
            this.at = at;
            this.tally = tally;
            this.rosterAloneGone = rosterAloneGone;
        }

        @Override
        public boolean readsPipelines() {
            return rosterAloneGone == null;
        }

        synchronized Read read() {
            return at;
        }

        synchronized Tally tally() {
            return tally;
        }

        @Override
        public synchronized OrganizationReader.Position position() {
            return at.position();
        }

        @Override
        public void profiles(List<dev.kitebridge.directory.orgdata.MemberProfile> page) {
            subject.add(page.stream().map(p -> SnapshotItems.profile(org.id(), p)).toList());
        }

        @Override
        public void invitations(List<InvitationNode> page) {
            subject.add(page.stream().map(i -> SnapshotItems.invitation(org.id(), i)).toList());
        }

        @Override
        public void members(List<OrganizationMember> page) {
            subject.add(page.stream().map(m -> SnapshotItems.member(org.id(), m)).toList());
        }

        @Override
        public void teams(List<Team> page) {
            subject.add(page.stream().map(t -> SnapshotItems.team(org.id(), t)).toList());
        }

        /** A team's memberships with their entries in its index: a team whose entries are not whole in the snapshot gets them. */
        @Override
        public void rosterMembers(String team, List<dev.kitebridge.buildkite.rest.TeamMember> page) {
            subject.add(TeamIndex.withEntries(page.stream().map(m -> SnapshotItems.membership(org.id(), m.userId(), team, m.role())).toList()));
        }

        @Override
        public void rosterPipelines(String team, List<dev.kitebridge.directory.orgdata.TeamRoster.PipelineAccess> page) {
            subject.add(page.stream().map(p -> SnapshotItems.pipeline(org.id(), team, p)).toList());
        }

        @Override
        public void rosterRead(String team, long membersCount) {
            subject.add(List.of(SnapshotItems.rosterSummary(org.id(), team, membersCount)));
        }

        @Override
        public void teamGone(String team) {
            subject.teamGone();
            if (rosterAloneGone != null) {
                rosterAloneGone.run(); // a roster cannot say its team is deleted: the team's own read does
            }
        }

        @Override
        public String teamAfter(String team) {
            return null; // one team's roster: no team follows it
        }

        @Override
        public synchronized void moved(GraphqlLane next, Tally read) {
            at = at.with(next);
            tally = plus(tally, read);
        }

        @Override
        public synchronized void moved(RestLane next, Tally read) {
            at = at.with(next);
            tally = plus(tally, read);
        }

        private static Tally plus(Tally a, Tally b) {
            return new Tally(a.members() + b.members(), a.invitations() + b.invitations(), a.teams() + b.teams(),
                    a.memberships() + b.memberships());
        }
    }
}
