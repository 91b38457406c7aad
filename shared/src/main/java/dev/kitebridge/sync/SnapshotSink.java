package dev.kitebridge.sync;

import java.util.List;

import dev.kitebridge.buildkite.graphql.Nodes.InvitationNode;
import dev.kitebridge.buildkite.rest.OrganizationMember;
import dev.kitebridge.buildkite.rest.Team;
import dev.kitebridge.buildkite.rest.TeamMember;
import dev.kitebridge.directory.orgdata.MemberProfile;
import dev.kitebridge.directory.orgdata.OrganizationReader;
import dev.kitebridge.directory.orgdata.OrganizationReader.GraphqlLane;
import dev.kitebridge.directory.orgdata.OrganizationReader.Position;
import dev.kitebridge.directory.orgdata.OrganizationReader.RestLane;
import dev.kitebridge.directory.orgdata.OrganizationReader.Tally;
import dev.kitebridge.directory.orgdata.TeamRoster;

/**
 * An organization's pages as items of the run's generation, its position in the run's checkpoint.
 * Profiles are kept without GraphQL's raw answer: a snapshot keeps the fields.
 */
final class SnapshotSink implements OrganizationReader.Sink {

    private final SnapshotStore snapshots;
    private final RunProgress progress;
    private final SyncRun.Organization org;
    private final boolean oneTeam;

    /** @param oneTeam a pass of changes reads one team's roster at a time: no team follows it */
    SnapshotSink(SnapshotStore snapshots, RunProgress progress, SyncRun.Organization org, boolean oneTeam) {
        this.snapshots = snapshots;
        this.progress = progress;
        this.org = org;
        this.oneTeam = oneTeam;
    }

    @Override
    public Position position() {
        return progress.current().read().position();
    }

    @Override
    public void profiles(List<MemberProfile> page) {
        write(page.stream().map(p -> item(SnapshotKeys.profile(org.id(), p.userUuid()), p.withoutRaw())).toList());
    }

    @Override
    public void invitations(List<InvitationNode> page) {
        write(page.stream().map(i -> item(SnapshotKeys.invitation(org.id(), i.uuid()), i)).toList());
    }

    @Override
    public void members(List<OrganizationMember> page) {
        write(page.stream().map(m -> item(SnapshotKeys.member(org.id(), m.id()), m)).toList());
    }

    @Override
    public void teams(List<Team> page) {
        write(page.stream().map(t -> item(SnapshotKeys.group(org.id(), t.id()), t)).toList());
    }

    @Override
    public void rosterMembers(String team, List<TeamMember> page) {
        write(page.stream().map(m -> item(SnapshotKeys.membership(org.id(), m.userId(), team),
                new SnapshotParts.Membership(m.role()))).toList());
    }

    /** Each pipeline an item of the team's record, so that a team with thousands of them keeps the checkpoint small. */
    @Override
    public void rosterPipelines(String team, List<TeamRoster.PipelineAccess> page) {
        String teamKey = SnapshotKeys.group(org.id(), team);
        write(page.stream().map(p -> item(teamKey + "/p/" + p.pipelineUuid(), p)).toList());
    }

    @Override
    public void rosterRead(String team, long membersCount) {
        write(List.of(item(SnapshotKeys.group(org.id(), team) + "/r", new SnapshotParts.RosterSummary(membersCount))));
    }

    /**
     * Out of the generation (memberships and pipelines read for it before are left, and a
     * comparison counts nothing of a team whose own item is not there).
     */
    @Override
    public void teamGone(String team) {
        String key = SnapshotKeys.group(org.id(), team);
        SyncRun run = progress.current();
        snapshots.delete(run.accountId(), run.generation(), List.of(key, key + "/r"));
    }

    /** The next team after a team (null: the first) in the generation's team list, or null after the last. */
    @Override
    public String teamAfter(String team) {
        if (oneTeam) {
            return null;
        }
        SyncRun run = progress.current();
        String prefix = SnapshotKeys.groups(org.id());
        String after = team == null ? prefix : SnapshotKeys.group(org.id(), team) + "/~";
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

    @Override
    public void moved(GraphqlLane next, Tally read) {
        progress.save(r -> r.reading(r.read().with(next), counted(r, read)));
    }

    @Override
    public void moved(RestLane next, Tally read) {
        progress.save(r -> r.reading(r.read().with(next), counted(r, read)));
    }

    private SyncRun.Counts counted(SyncRun run, Tally read) {
        return run.counts().read(read.members(), read.invitations(), read.teams(), read.memberships());
    }

    private SnapshotStore.Item item(String key, Object part) {
        return new SnapshotStore.Item(key, SnapshotParts.write(part));
    }

    private void write(List<SnapshotStore.Item> items) {
        if (!items.isEmpty()) {
            SyncRun run = progress.current();
            snapshots.put(run.accountId(), run.generation(), items);
        }
    }
}
