package dev.kitebridge.sync;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.access.Session;
import dev.kitebridge.buildkite.InvitationState;
import dev.kitebridge.buildkite.graphql.Nodes.InvitationNode;
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
 * A pass of changes' READ phase: each subject re-read whole into the pass's own generation, subject
 * after subject. The run's {@link Read} says which subject ({@code organization} is its index) and,
 * for a team's roster (with its pipelines, or without for a roster alone) or the invitations (read
 * by the {@link OrganizationReader}'s lanes, as a full run reads them) or the member list
 * ({@link MemberListReader}), where in it. A subject is begun
 * by dropping what an earlier attempt left of it, so a worker that dies reads it again from its
 * start, or from the last page it saved.
 */
final class SubjectReader {

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
                Optional<Instant> goOnAt = org.isEmpty() ? Optional.empty() : read(session, progress, deadline, subject, org.get());
                if (goOnAt.isPresent()) {
                    return goOnAt.get();
                }
            } catch (ApiError e) {
                if (e.status() != 429) {
                    throw e;
                }
                return session.now().plus(e.retryAfter()); // a spent budget: the subject is read again from its start
            }
            // An organization the token no longer reaches has nothing to read: the subject's items go, as a full run drops them.
            progress.save(r -> r.reading(Read.start(index + 1), r.counts()));
        }
    }

    /** One subject; returns empty once it is read through, else when reading it can go on. */
    private Optional<Instant> read(Session session, RunProgress progress, Instant deadline, Subject subject, SyncRun.Organization org) {
        SyncRun run = progress.current();
        if (subject.readWith(run.subjects())) {
            return Optional.empty(); // the pass reads the team whole, its roster with it
        }
        boolean begun = !run.read().equals(Read.start(run.read().organization()));
        if (!begun) {
            dropLeftovers(run, subject);
        }
        boolean rosterOnly = subject.kind() == Subject.Kind.ROSTER;
        switch (subject.kind()) {
            case USER -> {
                readMember(session, progress, deadline, subject, org);
                return Optional.empty();
            }
            case INVITATION -> {
                readInvitation(session, progress, deadline, subject, org);
                return Optional.empty();
            }
            case GROUP -> {
                if (!begun) {
                    Optional<Team> team = access.find(session, () -> session.buildkiteUntil(deadline).teams().get(org.slug(), subject.id()));
                    if (team.isEmpty()) {
                        // Deleted: nothing of it is read; the invitations naming it are read again, not rebuilt (see InvitationTeams).
                        withSubject(progress, Subject.invitations(org.id()));
                        return Optional.empty();
                    }
                    write(run, List.of(item(SnapshotKeys.group(org.id(), subject.id()), team.get())));
                    progress.save(r -> r.reading(new Read(r.read().organization(), new GraphqlLane(null, true, null, true, null),
                            RestLane.at(RestLane.Stage.ROSTERS, subject.id())), r.counts().read(0, 0, 1, 0)));
                }
            }
            case ROSTER -> {
                if (!begun) {
                    // A team the account's snapshot does not have (made since) is read whole: its roster alone does not name it.
                    if (snapshots.get(run.accountId(), run.baseGeneration(), List.of(SnapshotKeys.group(org.id(), subject.id()))).isEmpty()) {
                        withSubject(progress, Subject.group(org.id(), subject.id()));
                        return Optional.empty();
                    }
                    progress.save(r -> r.reading(new Read(r.read().organization(), new GraphqlLane(null, true, null, true, null),
                            RestLane.at(RestLane.Stage.ROSTERS, subject.id())), r.counts()));
                }
            }
            case MEMBERS -> {
                return memberList.read(session, progress, deadline, subject, org);
            }
            case INVITATIONS -> {
                if (!begun) {
                    progress.save(r -> r.reading(new Read(r.read().organization(), new GraphqlLane(null, true, null, false, null),
                            RestLane.at(RestLane.Stage.DONE, null)), r.counts()));
                }
            }
        }
        OrganizationReader.Stop stop = reader.read(session, org.slug(), deadline, EnumSet.allOf(OrganizationReader.Lane.class),
                new SnapshotSink(snapshots, progress, org, true, rosterOnly));
        return Optional.ofNullable(stop.goOnAt(session.now()));
    }

    /** A member alone: REST's member, and GraphQL's profile and teams, as {@code GET /users/{id}} reads them. */
    private void readMember(Session session, RunProgress progress, Instant deadline, Subject subject, SyncRun.Organization org) {
        SyncRun run = progress.current();
        Optional<OrganizationMember> member = access.find(session,
                () -> session.buildkiteUntil(deadline).organizations().member(org.slug(), subject.id()));
        if (member.isEmpty()) {
            teamsChanged(progress, org, subject, java.util.Set.of()); // no longer a member: nothing of them is read
            return;
        }
        OrganizationReader.OneMember one = reader.member(session, org.slug(), member.get(), deadline);
        List<SnapshotStore.Item> items = new ArrayList<>();
        items.add(item(SnapshotKeys.member(org.id(), subject.id()), member.get()));
        one.profile().ifPresent(p -> items.add(item(SnapshotKeys.profile(org.id(), subject.id()), p.withoutRaw())));
        one.teams().forEach(t -> items.add(item(SnapshotKeys.membership(org.id(), subject.id(), t.teamUuid()),
                new SnapshotParts.Membership(t.role()))));
        write(run, items); // (its entries in the teams' indexes follow from its memberships when the pass publishes: see Overlay)
        teamsChanged(progress, org, subject, one.teams().stream().map(OrganizationData.UserTeam::teamUuid).collect(java.util.stream.Collectors.toSet()));
        Tally read = new Tally(1, 0, 0, one.teams().size());
        progress.save(r -> r.reading(r.read(), r.counts().read(read.members(), read.invitations(), read.teams(), read.memberships())));
    }

    /** One invitation, as a page of pending invitations has it; none where it is no longer pending (accepted, revoked, expired). */
    private void readInvitation(Session session, RunProgress progress, Instant deadline, Subject subject, SyncRun.Organization org) {
        SyncRun run = progress.current();
        Optional<InvitationNode> invitation = access.call(session,
                () -> session.buildkiteUntil(deadline).graphql().invitations().one(org.slug(), subject.id()))
                .filter(i -> i.state() == InvitationState.PENDING);
        invitation.ifPresent(i -> write(run, List.of(item(SnapshotKeys.invitation(org.id(), subject.id()), i))));
        int read = invitation.isPresent() ? 1 : 0;
        progress.save(r -> r.reading(r.read(), r.counts().read(0, read, 0, 0)));
    }

    /**
     * The teams a member joined or left since the account's snapshot, added to the pass as subjects
     * of their own (their rosters, so their member counts, are read again; not the teams), each once.
     */
    private void teamsChanged(RunProgress progress, SyncRun.Organization org, Subject member, java.util.Set<String> teamsNow) {
        SyncRun run = progress.current();
        java.util.Set<String> teamsBefore = snapshots.record(run.accountId(), run.baseGeneration(), SnapshotKeys.user(org.id(), member.id()))
                .stream().filter(i -> SnapshotKeys.partOf(i.key()).equals("t")).map(i -> SnapshotKeys.teamOf(i.key()))
                .collect(java.util.stream.Collectors.toSet());
        java.util.Set<String> changed = new java.util.TreeSet<>(teamsNow);
        changed.addAll(teamsBefore);
        changed.removeIf(t -> teamsNow.contains(t) && teamsBefore.contains(t));
        List<Subject> more = changed.stream().map(t -> Subject.roster(org.id(), t))
                .filter(t -> !run.subjects().contains(t) && !t.readWith(run.subjects())).toList();
        if (!more.isEmpty()) {
            List<Subject> all = new ArrayList<>(run.subjects());
            all.addAll(more);
            progress.save(r -> r.withSubjects(all));
        }
    }

    /** A subject added to the pass, after those it has, unless it is among them. */
    static void withSubject(RunProgress progress, Subject subject) {
        if (!progress.current().subjects().contains(subject)) {
            List<Subject> all = new ArrayList<>(progress.current().subjects());
            all.add(subject);
            progress.save(r -> r.withSubjects(all));
        }
    }

    /** What an attempt that died left of the subject in the pass's generation (which holds only what the pass read). */
    private void dropLeftovers(SyncRun run, Subject subject) {
        List<String> left = new ArrayList<>();
        String after = null;
        while (true) {
            List<SnapshotStore.Item> page = snapshots.list(run.accountId(), run.generation(), after, 500);
            page.stream().map(SnapshotStore.Item::key).filter(subject::covers).forEach(left::add);
            if (page.size() < 500) {
                break;
            }
            after = page.get(page.size() - 1).key();
        }
        if (!left.isEmpty()) {
            snapshots.delete(run.accountId(), run.generation(), left);
        }
    }

    private static SnapshotStore.Item item(String key, Object part) {
        return new SnapshotStore.Item(key, SnapshotParts.write(part));
    }

    private void write(SyncRun run, List<SnapshotStore.Item> items) {
        if (!items.isEmpty()) {
            snapshots.put(run.accountId(), run.generation(), items);
        }
    }
}
