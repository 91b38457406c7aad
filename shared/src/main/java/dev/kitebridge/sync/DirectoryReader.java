package dev.kitebridge.sync;

import java.time.Instant;
import java.util.EnumSet;
import java.util.List;

import dev.kitebridge.access.Session;
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
import dev.kitebridge.sync.SyncRun.Read;

/**
 * A run's READ phase: the whole directory of each organization into the run's snapshot generation,
 * organization after organization, through the {@link OrganizationReader} (both budget lanes at once,
 * as the directory reads). Every page is written as snapshot items, then the lane's position saved in
 * the run: a worker that stops (its time is up, it dies) is resumed from there, re-reading one page at most.
 */
final class DirectoryReader {

    private final OrganizationReader reader;
    private final SnapshotStore snapshots;

    DirectoryReader(OrganizationReader reader, SnapshotStore snapshots) {
        this.reader = reader;
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
            SyncRun.Organization org = run.organizations().get(run.read().organization());
            OrganizationReader.Stop stop = reader.read(session, org.slug(), deadline,
                    EnumSet.allOf(OrganizationReader.Lane.class), new SnapshotSink(progress, org));
            if (!stop.done()) {
                // As soon as either lane can go on; the other waits for its budget within the next worker's time.
                return stop.goOnAt(session.now());
            }
            progress.save(r -> r.reading(Read.start(r.read().organization() + 1), r.counts()));
        }
    }

    /**
     * An organization's pages as items of the run's generation, its position in the run's checkpoint.
     * Profiles are kept without GraphQL's raw answer: a snapshot keeps the fields.
     */
    private final class SnapshotSink implements OrganizationReader.Sink {

        private final RunProgress progress;
        private final SyncRun.Organization org;

        SnapshotSink(RunProgress progress, SyncRun.Organization org) {
            this.progress = progress;
            this.org = org;
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
}
