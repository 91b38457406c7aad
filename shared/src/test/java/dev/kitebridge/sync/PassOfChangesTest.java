package dev.kitebridge.sync;

import static dev.kitebridge.sync.FullRunFinds.changesOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.events.EventPositions;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.model.Member;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.Team;
import dev.kitebridge.sandbox.model.TeamFields;
import dev.kitebridge.sandbox.model.TeamMember;
import dev.kitebridge.state.memory.InMemoryEventLog;
import dev.kitebridge.state.memory.InMemoryOrganizationDataStore;
import dev.kitebridge.state.memory.InMemorySnapshotStore;
import dev.kitebridge.state.memory.InMemorySyncStore;

/**
 * A pass of changes re-reads only the subjects it is given, and publishes exactly what a full run
 * would find of them: the same events, the same snapshot afterwards, the same kept directory,
 * having written only the items of its subjects. Two accounts over one sandbox: one syncs by a
 * pass, the other by a full run, from the same first sync.
 */
class PassOfChangesTest {

    private static final Duration WORKER = Duration.ofMinutes(10);

    /** The world's changes and the subjects that name them, as an audit log would. */
    private record Changes(List<Subject> subjects) {}

    private static Changes change(SyncFixture fixture) {
        var world = fixture.sandbox.world();
        Organization org = fixture.org();
        String actor = fixture.actor();
        List<Team> teams = world.teams(org.uuid());
        Team from = teams.get(0);
        Team to = teams.get(1);
        Team renamed = teams.get(2);
        Team deleted = teams.get(3);
        List<Subject> subjects = new ArrayList<>();
        TeamMember moving = world.teamMembers(org.uuid(), from.uuid()).stream()
                .filter(m -> !m.userUuid().equals(actor) && world.teamMember(org.uuid(), to.uuid(), m.userUuid()).isEmpty())
                .findFirst().orElseThrow();
        world.removeTeamMember(org, actor, from.uuid(), moving.userUuid());
        world.addTeamMember(org, actor, to.uuid(), moving.userUuid(), TeamMember.Role.MAINTAINER);
        // As the audit watch names a membership's events: the member, and each team's count (not its roster, nor the team).
        subjects.add(Subject.user(org.uuid(), moving.userUuid()));
        subjects.add(Subject.count(org.uuid(), from.uuid()));
        subjects.add(Subject.count(org.uuid(), to.uuid()));
        world.updateTeam(org, actor, renamed.uuid(), new TeamFields("Renamed " + renamed.name(), null, null, null, null, null, null, null,
                null, null));
        subjects.add(Subject.group(org.uuid(), renamed.uuid()));
        world.deleteTeam(org, actor, deleted.uuid());
        subjects.add(Subject.group(org.uuid(), deleted.uuid()));
        List<Member> others = world.members(org.uuid()).stream()
                .filter(m -> !m.userUuid().equals(actor) && !m.userUuid().equals(moving.userUuid())).toList();
        Member promoted = others.stream().filter(m -> m.role() == Member.Role.MEMBER).findFirst().orElseThrow();
        world.updateMember(org, actor, promoted.userUuid(), Member.Role.ADMIN, null);
        subjects.add(Subject.user(org.uuid(), promoted.userUuid()));
        Member leaving = others.stream().filter(m -> m.role() == Member.Role.MEMBER && !m.userUuid().equals(promoted.userUuid())
                && !world.teamMembershipsOf(org.uuid(), m.userUuid()).isEmpty()).findFirst().orElseThrow();
        // As the audit watch names a member deleted: the member, then each of their teams' counts (one renamed or deleted is
        // read whole once).
        List<String> leavingTeams = world.teamMembershipsOf(org.uuid(), leaving.userUuid()).stream().map(t -> t.teamUuid()).toList();
        world.removeMember(org, actor, leaving.userUuid());
        subjects.add(Subject.user(org.uuid(), leaving.userUuid()));
        leavingTeams.forEach(t -> subjects.add(Subject.count(org.uuid(), t)));
        world.invite(org, actor, List.of("pass-of-changes@example.com"), Member.Role.MEMBER, null, List.of());
        subjects.add(Subject.invitations(org.uuid()));
        return new Changes(subjects);
    }

    @Test
    void aPassPublishesWhatAFullRunWouldFindOfItsSubjectsAndWritesOnlyThem() {
        try (SyncFixture full = new SyncFixture(120, 6)) {
            CountingSnapshots counted = new CountingSnapshots(new InMemorySnapshotStore());
            try (SyncFixture pass = new SyncFixture(full.sandbox, counted, new InMemorySyncStore(), new InMemoryEventLog(),
                    new InMemoryOrganizationDataStore())) {
                full.sync(WORKER);
                pass.sync(WORKER);
                CountingSnapshots.assertSameItems(full.snapshot(), pass.snapshot(), "one world, one first sync");
                int fullSeen = full.events().size();
                int passSeen = pass.events().size();
                java.util.Map<String, String> before = pass.snapshot();
                long itemsBefore = before.size();
                Changes changes = change(full);

                counted.clear();
                SyncRun run = pass.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit", changes.subjects()).run();
                assertTrue(!run.full(), "a synced account gets a pass");
                SyncRun done = pass.finish(run.id(), WORKER);
                full.sync(WORKER);

                assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
                List<String> found = changesOf(pass.events(), passSeen);
                assertTrue(found.stream().anyMatch(e -> e.startsWith(ChangeEvent.GROUP_DELETED)), String.join("\n", found));
                assertEquals(changesOf(full.events(), fullSeen), found);
                CountingSnapshots.assertSameItems(full.snapshot(), pass.snapshot(), "the pass leaves the snapshot a full run reads");
                CountingSnapshots.assertIndexExact(pass.snapshot(), true);
                CountingSnapshots.assertNoEventOfTheIndex(pass.events());
                assertEquals(full.kept(), pass.kept(), "and the directory's kept data");
                long current = pass.syncs.account(SyncFixture.ACCOUNT).orElseThrow().currentGeneration();
                long intoSnapshot = counted.writes(current);
                long changedItems = CountingSnapshots.changedItems(before, pass.snapshot());
                assertTrue(intoSnapshot == changedItems, "a pass writes into the snapshot only the items that changed: "
                        + intoSnapshot + " writes for " + changedItems + " changed items of " + itemsBefore);
                assertTrue(counted.writes(run.generation()) > 0, "and the rest into its own generation");
                // Its own generation is scratch, left to TTL: nothing of it deleted, each item carrying the pass's expiry, and
                // the run went from PUBLISH to DONE (nothing to clean); the account's generation never expires.
                assertEquals(0, counted.deletes(run.generation()), "nothing of its own generation deleted");
                counted.assertEveryItemExpiresAt(SyncFixture.ACCOUNT, run.generation(), run.createdAt().plus(SyncRun.SCRATCH_LIFETIME));
                counted.assertEveryItemExpiresAt(SyncFixture.ACCOUNT, current, null);
                assertEquals(SyncRun.Phase.DONE, done.phase());

                // Nothing was left for a full run to find, and nothing was invented.
                int seen = pass.events().size();
                pass.sync(WORKER);
                assertEquals(List.of(), changesOf(pass.events(), seen));
            }
        }
    }

    /** A member named alone who moved teams: the pass reads both teams again (their counts), as a full run finds them. */
    @Test
    void aPassOfOneMemberReadsTheTeamsTheyJoinedOrLeft() {
        try (SyncFixture full = new SyncFixture(60, 4);
             SyncFixture pass = new SyncFixture(full.sandbox, new InMemorySnapshotStore())) {
            FullRunFinds seen = FullRunFinds.afterFirstSync(full, pass, WORKER);
            var world = full.sandbox.world();
            Organization org = full.org();
            List<Team> teams = world.teams(org.uuid());
            TeamMember moving = world.teamMembers(org.uuid(), teams.get(0).uuid()).stream()
                    .filter(m -> !m.userUuid().equals(full.actor()) && world.teamMember(org.uuid(), teams.get(1).uuid(), m.userUuid()).isEmpty())
                    .findFirst().orElseThrow();
            world.moveTeamMember(org, full.actor(), teams.get(0).uuid(), teams.get(1).uuid(), moving.userUuid(), TeamMember.Role.MEMBER);

            SyncRun done = pass.finish(pass.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit",
                    List.of(Subject.user(org.uuid(), moving.userUuid()))).run().id(), WORKER);
            full.sync(WORKER);
            assertEquals(3, done.subjects().size(), "the member and the two teams: " + done.subjects());
            List<String> found = seen.passFound();
            assertEquals(2, found.stream().filter(e -> e.startsWith(ChangeEvent.GROUP_UPDATED)).count(), String.join("\n", found));
            seen.assertSameEventsAndSnapshot();
        }
    }

    /**
     * A renamed team changes the pending invitations that name it (they carry its name and slug):
     * the pass rebuilds them from the team it read, publishing and leaving what a full run finds,
     * and reads no invitation, nor anything else of GraphQL. Its cost is pinned from Buildkite's
     * journal: the team, its roster and its pipelines over REST, 0 GraphQL points (it read every
     * pending invitation, some 5 points each, before).
     */
    @Test
    void aPassWithARenamedTeamRebuildsTheInvitationsNamingItWithoutReadingThem() {
        try (SyncFixture full = new SyncFixture(60, 4);
             SyncFixture pass = new SyncFixture(full.sandbox, new InMemorySnapshotStore())) {
            var world = full.sandbox.world();
            Organization org = full.org();
            Team renamed = world.teams(org.uuid()).get(1);
            Team other = world.teams(org.uuid()).get(2);
            world.invite(org, full.actor(), List.of("named-1@example.com", "named-2@example.com"), Member.Role.MEMBER, null,
                    List.of(new dev.kitebridge.sandbox.model.Invitation.InvitedTeam(renamed.uuid(), TeamMember.Role.MAINTAINER)));
            world.invite(org, full.actor(), List.of("other@example.com"), Member.Role.MEMBER, null,
                    List.of(new dev.kitebridge.sandbox.model.Invitation.InvitedTeam(other.uuid(), TeamMember.Role.MEMBER)));
            FullRunFinds seen = FullRunFinds.afterFirstSync(full, pass, WORKER);
            var before = pass.snapshot();
            world.updateTeam(org, full.actor(), renamed.uuid(), new TeamFields("Renamed " + renamed.name(), null, null, null, null, null,
                    null, null, null, null));

            int journalSeen = full.sandbox.journal().entries().size();
            SyncRun done = pass.finish(pass.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit",
                    List.of(Subject.group(org.uuid(), renamed.uuid()))).run().id(), WORKER);
            java.util.Map<String, Long> spent = JournalSpent.since(full.sandbox, journalSeen);
            full.sync(WORKER);

            assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
            assertEquals(List.of(Subject.group(org.uuid(), renamed.uuid())), done.subjects(), "no invitations to read");
            List<String> found = seen.passFound();
            assertTrue(found.stream().filter(e -> e.startsWith(ChangeEvent.USER_UPDATED) && e.contains("named-")).count() == 2,
                    String.join("\n", found));
            assertTrue(found.stream().noneMatch(e -> e.contains("other@example.com")), String.join("\n", found));
            seen.assertSameEventsAndSnapshot();
            long naming = world.invitations(org.uuid()).stream().filter(i -> i.state() == dev.kitebridge.sandbox.model.Invitation.State.PENDING
                    && i.teams().stream().anyMatch(t -> t.teamUuid().equals(renamed.uuid()))).count();
            assertTrue(naming >= 2);
            assertEquals(1 + naming, CountingSnapshots.changedItems(before, pass.snapshot()), "the team and the invitations naming it");
            assertEquals(java.util.Map.of(
                    "GET /v2/organizations/{org}/teams/{team}", 1L,
                    "GET /v2/organizations/{org}/teams/{team}/members", 1L,
                    "GET /v2/organizations/{org}/teams/{team}/pipelines", 1L), spent, "the pass's cost in Buildkite's journal");
        }
    }

    /**
     * A member moved from one team to another, named as the audit watch names a move (the member,
     * each team's roster): its cost, pinned from Buildkite's journal, is the member's one membership
     * query over GraphQL (their profile and teams) and over REST their membership, each team's
     * roster (not the team, nor its pipelines: a membership changes neither), and VERIFY's check of
     * the membership removed; no invitation is read. What it publishes is what a full run finds.
     */
    @Test
    void aMoveCostsOneMembershipQueryAndTheTwoRostersOverRest() {
        try (SyncFixture fixture = new SyncFixture(60, 4)) {
            fixture.sync(WORKER);
            var world = fixture.sandbox.world();
            Organization org = fixture.org();
            List<Team> teams = world.teams(org.uuid());
            TeamMember moving = world.teamMembers(org.uuid(), teams.get(0).uuid()).stream()
                    .filter(m -> !m.userUuid().equals(fixture.actor())
                            && world.teamMember(org.uuid(), teams.get(1).uuid(), m.userUuid()).isEmpty())
                    .findFirst().orElseThrow();
            world.moveTeamMember(org, fixture.actor(), teams.get(0).uuid(), teams.get(1).uuid(), moving.userUuid(), TeamMember.Role.MEMBER);
            int teamsNow = world.teamMembershipsOf(org.uuid(), moving.userUuid()).size();
            try (SyncFixture reference = new SyncFixture(fixture.sandbox, new InMemorySnapshotStore())) {
                reference.sync(WORKER); // what a full run finds after the move
                var before = fixture.snapshot();

                int journalSeen = fixture.sandbox.journal().entries().size();
                List<Subject> subjects = List.of(Subject.user(org.uuid(), moving.userUuid()), Subject.roster(org.uuid(), teams.get(0).uuid()),
                        Subject.roster(org.uuid(), teams.get(1).uuid()));
                SyncRun done = fixture.finish(fixture.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit", subjects)
                        .run().id(), WORKER);
                assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
                assertEquals(subjects, done.subjects(), "no team read whole");
                // organization, members, edges, node, security, sso, user, avatar, teams, edges: 10; each team 2 (the edge's node, its team).
                assertEquals(java.util.Map.of(
                        "points MyMembership", 10L + 2L * teamsNow,
                        "GET /v2/organizations/{org}/members/{user}", 1L,
                        "GET /v2/organizations/{org}/teams/{team}/members", 2L,
                        "GET /v2/organizations/{org}/teams/{team}/members/{user}", 1L), // VERIFY: the membership removed is gone
                        JournalSpent.since(fixture.sandbox, journalSeen), "the pass's cost in Buildkite's journal (" + teamsNow + " teams)");
                CountingSnapshots.assertSameItems(reference.snapshot(), fixture.snapshot(), "the snapshot a full run reads");
                CountingSnapshots.assertIndexExact(fixture.snapshot(), true);
                assertEquals(reference.kept(), fixture.kept(), "and the directory's kept data");
                // The two teams' counts, the membership gone and the one made, each with its entry in its team's index.
                assertEquals(6, CountingSnapshots.changedItems(before, fixture.snapshot()), "the items the move changed");
            }
        }
    }

    /**
     * A member with teams who leaves, named as the audit watch names a leave (the member, each of
     * their teams' rosters): the pass finds them gone by asking Buildkite about them alone (404), so
     * VERIFY does not ask again, about them or about the memberships gone with them. Its cost, from
     * Buildkite's journal: the member's lookup and each roster; what it publishes, what a full run finds.
     */
    @Test
    void aLeaveFoundByALookupIsNotAskedAgain() {
        try (SyncFixture full = new SyncFixture(60, 4);
             SyncFixture pass = new SyncFixture(full.sandbox, new InMemorySnapshotStore())) {
            FullRunFinds seen = FullRunFinds.afterFirstSync(full, pass, WORKER);
            var world = full.sandbox.world();
            Organization org = full.org();
            Member leaving = world.members(org.uuid()).stream().filter(m -> !m.userUuid().equals(full.actor())
                    && m.role() == Member.Role.MEMBER && world.teamMembershipsOf(org.uuid(), m.userUuid()).size() >= 2).findFirst().orElseThrow();
            List<Subject> subjects = new ArrayList<>(List.of(Subject.user(org.uuid(), leaving.userUuid())));
            world.teamMembershipsOf(org.uuid(), leaving.userUuid()).forEach(t -> subjects.add(Subject.roster(org.uuid(), t.teamUuid())));
            world.removeMember(org, full.actor(), leaving.userUuid());

            int journalSeen = full.sandbox.journal().entries().size();
            SyncRun done = pass.finish(pass.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit", subjects).run().id(),
                    WORKER);
            java.util.Map<String, Long> spent = JournalSpent.since(full.sandbox, journalSeen);
            full.sync(WORKER);

            assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
            List<String> found = seen.passFound();
            assertEquals(1, found.stream().filter(e -> e.startsWith(ChangeEvent.USER_DELETED)).count(), String.join("\n", found));
            assertEquals(subjects.size() - 1, found.stream().filter(e -> e.startsWith(ChangeEvent.GROUP_USER_REMOVED)).count(),
                    String.join("\n", found));
            seen.assertSameEventsSnapshotAndKept();
            assertEquals(java.util.Map.of(
                    "GET /v2/organizations/{org}/members/{user}", 1L,
                    "GET /v2/organizations/{org}/teams/{team}/members", (long) subjects.size() - 1), spent,
                    "the pass's cost in Buildkite's journal: nothing asked again");
        }
    }

    /**
     * A roster read alone needs its team: one the account's snapshot does not have (made since the
     * last run, joined by a member the pass reads) and one Buildkite no longer has (deleted) are
     * each added to the pass whole, and the pass publishes what a full run finds: the team made,
     * with its member, and the team deleted.
     */
    @Test
    void aRosterOfATeamMadeOrDeletedSinceIsReadWhole() {
        try (SyncFixture full = new SyncFixture(60, 4);
             SyncFixture pass = new SyncFixture(full.sandbox, new InMemorySnapshotStore())) {
            FullRunFinds seen = FullRunFinds.afterFirstSync(full, pass, WORKER);
            var world = full.sandbox.world();
            Organization org = full.org();
            Team deleted = world.teams(org.uuid()).get(0);
            world.deleteTeam(org, full.actor(), deleted.uuid());
            Team made = world.createTeam(org, full.actor(), new TeamFields("Made Since", null, null, null, null, null, null, null, null, null));
            String joiner = world.members(org.uuid()).stream().filter(m -> !m.userUuid().equals(full.actor())).findFirst().orElseThrow()
                    .userUuid();
            world.addTeamMember(org, full.actor(), made.uuid(), joiner, TeamMember.Role.MEMBER);

            SyncRun done = pass.finish(pass.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit",
                    List.of(Subject.roster(org.uuid(), deleted.uuid()), Subject.user(org.uuid(), joiner))).run().id(), WORKER);
            full.sync(WORKER);

            assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
            assertTrue(done.subjects().containsAll(List.of(Subject.group(org.uuid(), deleted.uuid()), Subject.group(org.uuid(), made.uuid()))),
                    "both teams read whole: " + done.subjects());
            List<String> found = seen.passFound();
            assertTrue(found.stream().anyMatch(e -> e.startsWith(ChangeEvent.GROUP_CREATED)), String.join("\n", found));
            assertTrue(found.stream().anyMatch(e -> e.startsWith(ChangeEvent.GROUP_DELETED)), String.join("\n", found));
            seen.assertSameEventsSnapshotAndKept();
            CountingSnapshots.assertIndexExact(pass.snapshot(), true);
        }
    }

    /**
     * Invitations named one by one (as their audit events name them): one made, one revoked. The
     * pass reads each alone, a few points, where the organization's whole pending list costs some 5
     * points an invitation, and publishes what a full run finds.
     */
    @Test
    void aPassReadsTheInvitationsItIsNamedAlone() {
        try (SyncFixture full = new SyncFixture(60, 4);
             SyncFixture pass = new SyncFixture(full.sandbox, new InMemorySnapshotStore())) {
            FullRunFinds seen = FullRunFinds.afterFirstSync(full, pass, WORKER);
            var world = full.sandbox.world();
            Organization org = full.org();
            Team team = world.teams(org.uuid()).get(0);
            var made = world.invite(org, full.actor(), List.of("one-by-one@example.com"), Member.Role.MEMBER, null,
                    List.of(new dev.kitebridge.sandbox.model.Invitation.InvitedTeam(team.uuid(), TeamMember.Role.MEMBER))).get(0);
            var revoked = world.invitations(org.uuid()).stream()
                    .filter(i -> i.state() == dev.kitebridge.sandbox.model.Invitation.State.PENDING && !i.uuid().equals(made.uuid()))
                    .findFirst().orElseThrow();
            world.revokeInvitation(org, full.actor(), revoked.uuid());

            int journalSeen = full.sandbox.journal().entries().size();
            SyncRun done = pass.finish(pass.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit",
                    List.of(Subject.invitation(org.uuid(), made.uuid()), Subject.invitation(org.uuid(), revoked.uuid()))).run().id(), WORKER);
            java.util.Map<String, Long> spent = JournalSpent.since(full.sandbox, journalSeen);
            full.sync(WORKER);

            assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
            List<String> found = seen.passFound();
            assertEquals(2, found.size(), String.join("\n", found));
            seen.assertSameEventsAndSnapshot();
            // Each: node, sso, teams, edges: 4; each team 2 (the assignment, its team).
            assertEquals(java.util.Map.of("points OrganizationInvitation", 4L + 2 * 1 + 4L + 2L * revoked.teams().size()), spent,
                    "the pass's cost in Buildkite's journal");
        }
    }

    @Test
    void aPassWithNothingChangedPublishesNothingAndWritesNothingToTheSnapshot() {
        try (SyncFixture fixture = new SyncFixture(60, 4)) {
            fixture.sync(WORKER);
            var before = fixture.snapshot();
            int seen = fixture.events().size();
            Organization org = fixture.org();
            Team team = fixture.sandbox.world().teams(org.uuid()).get(0);
            String member = fixture.sandbox.world().teamMembers(org.uuid(), team.uuid()).get(0).userUuid();
            SyncRun run = fixture.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit",
                    List.of(Subject.user(org.uuid(), member), Subject.group(org.uuid(), team.uuid()), Subject.invitations(org.uuid()))).run();
            fixture.finish(run.id(), WORKER);
            assertEquals(List.of(ChangeEvent.SYNC_RUN_COMPLETED), fixture.events().subList(seen, fixture.events().size()).stream()
                    .map(ChangeEvent::event).toList());
            CountingSnapshots.assertSameItems(before, fixture.snapshot(), "nothing changed");
        }
    }

    /**
     * A pass that changes nothing stores its move to PUBLISH and its end with the save just before its
     * end event, not in saves of their own: a worker that dies right after writing that event leaves
     * the run in PUBLISH with its end, so the next turn publishes that same end, and does not verify
     * again (asking Buildkite anew) what its written events already say.
     */
    @Test
    void aPassKilledRightAfterItsEndEventResumesInPublishWithTheEndItWrote() {
        try (SyncFixture fixture = new SyncFixture(60, 4)) {
            InMemoryEventLog events = new InMemoryEventLog();
            java.util.concurrent.atomic.AtomicBoolean dieAfterEnd = new java.util.concurrent.atomic.AtomicBoolean();
            dev.kitebridge.events.EventLog dying = new dev.kitebridge.events.EventLog() {
                @Override
                public void put(String accountId, List<ChangeEvent> written) {
                    events.put(accountId, written);
                    if (written.stream().anyMatch(e -> e.event().equals(ChangeEvent.SYNC_RUN_COMPLETED)) && dieAfterEnd.getAndSet(false)) {
                        throw new Killer.Killed();
                    }
                }

                @Override
                public void delete(String accountId, List<String> positions) {
                    events.delete(accountId, positions);
                }

                @Override
                public List<ChangeEvent> list(String accountId, String afterPosition, String beforePosition, int limit) {
                    return events.list(accountId, afterPosition, beforePosition, limit);
                }
            };
            try (SyncFixture pass = new SyncFixture(fixture.sandbox, new InMemorySnapshotStore(), new InMemorySyncStore(), dying)) {
                pass.sync(WORKER);
                Organization org = pass.org();
                Team team = pass.sandbox.world().teams(org.uuid()).get(0);
                String member = pass.sandbox.world().teamMembers(org.uuid(), team.uuid()).get(0).userUuid();
                SyncRun run = pass.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit",
                        List.of(Subject.user(org.uuid(), member), Subject.group(org.uuid(), team.uuid()))).run();

                dieAfterEnd.set(true);
                assertThrows(Killer.Killed.class, () -> pass.finish(run.id(), WORKER));
                SyncRun left = pass.syncs.run(run.id()).orElseThrow();
                assertEquals(SyncRun.Phase.PUBLISH, left.phase(), "its move to PUBLISH stored before its end event");
                assertTrue(left.finishedAt() != null, "and its end");
                List<ChangeEvent> ends = events.list(SyncFixture.ACCOUNT, EventPositions.firstOfRun(run.ordinal()), EventPositions.firstOfRun(run.ordinal() + 1), 10);
                assertEquals(1, ends.size(), "its end event, written before the worker died");

                SyncRun done = pass.finish(run.id(), WORKER);
                assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
                assertEquals(left.finishedAt(), done.finishedAt(), "the end published is the end it stored");
                assertEquals(ends, events.list(SyncFixture.ACCOUNT, EventPositions.firstOfRun(run.ordinal()), EventPositions.firstOfRun(run.ordinal() + 1), 10),
                        "the same end event, written again");
            }
        }
    }

    /**
     * Subjects that did not change cost reads only: not one item is written, into the snapshot or
     * the pass's own generation (which holds only what differs: nothing, so nothing is cleaned
     * either), and the run's item is stored at its phases' ends, not at every page and subject.
     */
    @Test
    void aPassOverUnchangedSubjectsWritesNoSnapshotItem() {
        try (SyncFixture fixture = new SyncFixture(60, 4)) {
            CountingSnapshots counted = new CountingSnapshots(new InMemorySnapshotStore());
            java.util.concurrent.atomic.AtomicInteger runSaves = new java.util.concurrent.atomic.AtomicInteger();
            SyncStore runs = countingRunSaves(new InMemorySyncStore(), runSaves);
            try (SyncFixture pass = new SyncFixture(fixture.sandbox, counted, runs, new InMemoryEventLog(),
                    new InMemoryOrganizationDataStore())) {
                pass.sync(WORKER);
                var before = pass.snapshot();
                int seen = pass.events().size();
                Organization org = pass.org();
                var world = pass.sandbox.world();
                Team team = world.teams(org.uuid()).get(0);
                String member = world.teamMembers(org.uuid(), team.uuid()).get(0).userUuid();
                String invitation = world.invitations(org.uuid()).stream()
                        .filter(i -> i.state() == dev.kitebridge.sandbox.model.Invitation.State.PENDING).findFirst().orElseThrow().uuid();
                List<Subject> subjects = List.of(Subject.user(org.uuid(), member), Subject.group(org.uuid(), team.uuid()),
                        Subject.invitations(org.uuid()), Subject.invitation(org.uuid(), invitation));

                counted.clear();
                runSaves.set(0);
                SyncRun run = pass.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit", subjects).run();
                SyncRun done = pass.finish(run.id(), WORKER);

                assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
                assertEquals(subjects, done.subjects(), "each subject read, and nothing more to read");
                assertEquals(List.of(ChangeEvent.SYNC_RUN_COMPLETED), pass.events().subList(seen, pass.events().size()).stream()
                        .map(ChangeEvent::event).toList());
                long current = pass.syncs.account(SyncFixture.ACCOUNT).orElseThrow().currentGeneration();
                assertEquals(0, counted.writes(current), "no item written into the snapshot");
                assertEquals(0, counted.writes(run.generation()), "nor into the pass's own generation");
                assertTrue(counted.reads(current) > 0, "the subjects were compared with the snapshot");
                CountingSnapshots.assertSameItems(before, pass.snapshot(), "nothing changed");
                // READ's end with DIFF's start; DIFF's end, VERIFY's and PUBLISH's start (stored before its end event); PUBLISH's
                // end with DONE (its scratch left to expire: no CLEAN).
                assertEquals(3, runSaves.get(), "the run's item stored " + runSaves.get() + " times for " + subjects.size() + " subjects");
            }
        }
    }

    /** Runs kept in {@code store}, each store of a run's item counted. */
    private static SyncStore countingRunSaves(SyncStore store, java.util.concurrent.atomic.AtomicInteger saves) {
        return new ForwardingSyncStore(store) {
            @Override
            public java.util.Optional<SyncRun> replaceRun(SyncRun changed) {
                saves.incrementAndGet();
                return store.replaceRun(changed);
            }
        };
    }

    /**
     * A pass takes its organizations from the account (as the watch reached them) only where they
     * agree with the last run's: an organization whose slug changed since has the pass ask Buildkite
     * which it reaches, rather than read (and find 404, so gone) its members by the old slug.
     */
    @Test
    void aPassAsksForTheOrganizationsWhereTheAccountsDisagreeWithTheLastRuns() {
        try (SyncFixture fixture = new SyncFixture(20, 2)) {
            fixture.sync(WORKER);
            List<Subject> subjects = List.of(Subject.invitations(fixture.org().uuid()));
            SyncRun agreeing = fixture.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit", subjects).run();
            assertEquals(List.of(fixture.org().slug()), agreeing.organizations().stream().map(SyncRun.Organization::slug).toList(),
                    "taken from the last run where the account agrees");
            fixture.finish(agreeing.id(), WORKER);

            dev.kitebridge.access.IntegratedAccount account = fixture.accounts.find(SyncFixture.TENANT, SyncFixture.ACCOUNT).orElseThrow();
            fixture.accounts.replace(new dev.kitebridge.access.IntegratedAccount(account.id(), account.tenantId(), account.label(), account.status(), account.scopes(),
                    account.organizations().stream().map(o -> new dev.kitebridge.access.IntegratedAccount.OrganizationRef(o.id(), o.slug() + "-renamed", o.name())).toList(),
                    account.tokenExpiresAt(), account.createdAt(), account.budgetKey(), account.tokenId(), account.revision()));
            SyncRun renamed = fixture.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit", subjects).run();
            assertTrue(!renamed.full());
            assertEquals(List.of(), renamed.organizations(), "asked of Buildkite when the pass starts");
        }
    }

    /**
     * A pass whose organizations do not hold a subject's (the token no longer reaches it, or not by
     * that name) writes nothing of the subject: its member and memberships are not deleted without a
     * 404 behind them, unchecked by VERIFY and by the mass-deletion guard a pass never enters.
     */
    @Test
    void aPassDeletesNothingOfAnOrganizationItDoesNotReach() {
        try (SyncFixture fixture = new SyncFixture(20, 2)) {
            fixture.sync(WORKER);
            int seen = fixture.events().size();
            var world = fixture.sandbox.world();
            Organization org = fixture.org();
            Member member = world.members(org.uuid()).stream().filter(m -> !m.userUuid().equals(fixture.actor())
                    && !world.teamMembershipsOf(org.uuid(), m.userUuid()).isEmpty()).findFirst().orElseThrow();
            SyncRun queued = fixture.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit",
                    List.of(Subject.user(org.uuid(), member.userUuid()))).run();
            SyncRun r = fixture.syncs.run(queued.id()).orElseThrow();
            fixture.syncs.replaceRun(new SyncRun(r.id(), r.tenantId(), r.accountId(), r.ordinal(), r.trigger(), r.subjects(), r.allowDeletions(),
                    r.status(), r.phase(), r.createdAt(), r.startedAt(), r.finishedAt(), r.baseGeneration(), r.generation(), r.inPlace(),
                    List.of(new SyncRun.Organization("another-organization", "another", "Another")), r.read(), r.diff(), r.counts(), r.error(),
                    r.attempts(), r.stalledSince(), r.applying(), r.revision()));

            SyncRun done = fixture.finish(queued.id(), WORKER);
            assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
            assertEquals(List.of(), changesOf(fixture.events(), seen), "nothing deleted");
        }
    }

    @Test
    void anAccountNeverSyncedGetsAFullRunForItsFirstPass() {
        try (SyncFixture fixture = new SyncFixture(20, 2)) {
            SyncRun run = fixture.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit",
                    List.of(Subject.invitations(fixture.org().uuid()))).run();
            assertTrue(run.full());
        }
    }

    /** A pass that rebuilds invitations (a renamed team), killed anywhere, ends as an uninterrupted one. */
    @Test
    void aPassRebuildingInvitationsKilledAnywhereEndsAsAnUninterruptedOne() {
        try (SyncFixture reference = new SyncFixture(60, 4)) {
            Killer killer = new Killer();
            InMemorySyncStore runs = new InMemorySyncStore();
            try (SyncFixture crashing = killer.crashingBeside(reference, runs)) {
                var world = reference.sandbox.world();
                Organization org = reference.org();
                Team renamed = world.teams(org.uuid()).get(1);
                world.invite(org, reference.actor(), List.of("named-1@example.com", "named-2@example.com", "named-3@example.com"),
                        Member.Role.MEMBER, null,
                        List.of(new dev.kitebridge.sandbox.model.Invitation.InvitedTeam(renamed.uuid(), TeamMember.Role.MEMBER)));
                reference.sync(WORKER);
                crashing.sync(WORKER);
                int referenceSeen = reference.events().size();
                int crashingSeen = crashing.events().size();
                world.updateTeam(org, reference.actor(), renamed.uuid(), new TeamFields("Renamed " + renamed.name(), null, null, null, null,
                        null, null, null, null, null));
                List<Subject> subjects = List.of(Subject.group(org.uuid(), renamed.uuid()));
                SyncRun pass = reference.finish(reference.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit", subjects)
                        .run().id(), WORKER);
                assertEquals(SyncRun.Status.COMPLETED, pass.status(), pass.error());

                String runId = crashing.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit", subjects).run().id();
                List<SyncRun> killedAt = killer.finishKilled(crashing, runs, runId, WORKER, new Random(23), 4, 2_000);
                int kills = killedAt.size();
                java.util.Set<SyncRun.Phase> killedIn = Killer.phases(killedAt);
                assertTrue(killedIn.contains(SyncRun.Phase.PUBLISH), "killed while publishing: " + killedIn + " (" + kills + " kills)");
                assertEquals(SyncRun.Status.COMPLETED, runs.run(runId).orElseThrow().status());
                List<String> found = changesOf(crashing.events(), crashingSeen);
                assertEquals(3, found.stream().filter(e -> e.startsWith(ChangeEvent.USER_UPDATED) && e.contains("named-")).count(),
                        String.join("\n", found));
                assertEquals(changesOf(reference.events(), referenceSeen), found);
                CountingSnapshots.assertSameItems(reference.snapshot(), crashing.snapshot(), "killed or not");
                assertEquals(reference.kept(), crashing.kept());
            }
        }
    }

    /**
     * A pass over one team reads the team's own items, its members and the organization's teams
     * and invitations, not every member of the organization: its memberships are found by the
     * team's index. A snapshot written before there was an index (entries missing, summaries that do
     * not say their members are listed) still takes the same pass, which walks the members as
     * before; the next full run lists every team's members, and passes are cheap again.
     */
    @Test
    void aPassOverATeamReadsTheTeamNotTheOrganizationAndASnapshotWithoutTheIndexFallsBackUntilTheNextFullRun() {
        try (SyncFixture full = new SyncFixture(800, 16)) {
            CountingSnapshots counted = new CountingSnapshots(new InMemorySnapshotStore());
            try (SyncFixture pass = new SyncFixture(full.sandbox, counted, new InMemorySyncStore(), new InMemoryEventLog(),
                    new InMemoryOrganizationDataStore())) {
                full.sync(WORKER);
                pass.sync(WORKER);
                CountingSnapshots.assertIndexExact(pass.snapshot(), true);
                Organization org = full.org();
                var world = full.sandbox.world();
                Team team = world.teams(org.uuid()).stream().min(java.util.Comparator.comparing(t -> world.teamMembers(org.uuid(),
                        t.uuid()).size())).orElseThrow();
                long teamMembers = world.teamMembers(org.uuid(), team.uuid()).size();
                java.util.Map<String, String> snapshot = pass.snapshot();
                long memberItems = snapshot.keySet().stream().filter(k -> k.startsWith(SnapshotKeys.organization(org.uuid()) + "u/")).count();
                long teamRecords = world.teamMembers(org.uuid(), team.uuid()).stream().mapToLong(m -> snapshot.keySet().stream()
                        .filter(k -> k.startsWith(SnapshotKeys.user(org.uuid(), m.userUuid()) + "/")).count()).sum();
                long teamsAndInvitations = snapshot.keySet().stream().filter(k -> k.startsWith(SnapshotKeys.groups(org.uuid()))
                        || k.startsWith(SnapshotKeys.organization(org.uuid()) + "i/")).count();

                // With the index: the team's members' records (each read a few times: before, after, to publish), and the
                // organization's teams and invitations; not the organization's members.
                rename(full, team, "Listed");
                long indexed = passOver(full, pass, counted, team);
                long bound = 3 * teamRecords + 3 * teamMembers + 2 * teamsAndInvitations + 50;
                assertTrue(indexed <= bound && indexed < memberItems / 2, "a pass over a team of " + teamMembers + " (" + teamRecords
                        + " items of their records) read " + indexed + " items of the snapshot (bound " + bound
                        + "); the organization's members are " + memberItems + " items");

                // A snapshot from before the index: the same pass walks the members, and publishes the same.
                long current = pass.syncs.account(SyncFixture.ACCOUNT).orElseThrow().currentGeneration();
                withoutIndex(counted, current);
                CountingSnapshots.assertIndexExact(pass.snapshot(), false);
                rename(full, team, "Walked");
                long walked = passOver(full, pass, counted, team);
                assertTrue(walked >= memberItems, "without the index a pass walks the members: " + walked + " items read");
                CountingSnapshots.assertIndexExact(pass.snapshot(), false);
                assertTrue(pass.snapshot().containsKey(SnapshotKeys.rosterEntry(org.uuid(), team.uuid(),
                        world.teamMembers(org.uuid(), team.uuid()).get(0).userUuid())), "the pass lists the team it read");

                // The next full run lists every team's members: the same snapshot as a run that always had them.
                int seen = pass.events().size();
                pass.sync(WORKER);
                assertEquals(List.of(), changesOf(pass.events(), seen), "listing the members is no change");
                CountingSnapshots.assertSameItems(full.snapshot(), pass.snapshot(), "the index is whole again");
                CountingSnapshots.assertIndexExact(pass.snapshot(), true);
                rename(full, team, "Listed again");
                long again = passOver(full, pass, counted, team);
                assertTrue(again <= bound, "cheap again: " + again + " items read (bound " + bound + ")");
                CountingSnapshots.assertNoEventOfTheIndex(pass.events());
            }
        }
    }

    /**
     * A pass over a team takes its memberships, roles and all, from the team's index entries: it
     * looks up no membership by its key (DynamoDB charges a unit a key, a Query of the entries a unit
     * per 4 KB). A snapshot whose entries are empty (written before they carried the roles: summaries
     * without {@code roles_listed}) still takes the same pass, which looks each membership up, and
     * publishes the same; reading the team, it fills the team's entries. The next full run fills the
     * other teams' in place, which is no change.
     */
    @Test
    void aPassOverATeamTakesItsMembershipsFromTheIndexAndAnIndexWithoutRolesLooksThemUp() {
        try (SyncFixture full = new SyncFixture(300, 8)) {
            CountingSnapshots counted = new CountingSnapshots(new InMemorySnapshotStore());
            try (SyncFixture pass = new SyncFixture(full.sandbox, counted, new InMemorySyncStore(), new InMemoryEventLog(),
                    new InMemoryOrganizationDataStore())) {
                full.sync(WORKER);
                pass.sync(WORKER);
                Organization org = full.org();
                var world = full.sandbox.world();
                Team team = world.teams(org.uuid()).stream().max(java.util.Comparator.comparing(t -> world.teamMembers(org.uuid(),
                        t.uuid()).size())).orElseThrow();
                long teamMembers = world.teamMembers(org.uuid(), team.uuid()).size();
                long current = pass.syncs.account(SyncFixture.ACCOUNT).orElseThrow().currentGeneration();

                rename(full, team, "Indexed");
                passOver(full, pass, counted, team);
                long withRoles = counted.lookedUp(current);
                assertTrue(withRoles <= 2, "a pass over a team of " + teamMembers + " looked up " + withRoles
                        + " keys (the team's item, to publish its new name)");

                withEmptyEntries(counted, current);
                CountingSnapshots.assertIndexExact(pass.snapshot(), true);
                rename(full, team, "Looked up");
                passOver(full, pass, counted, team);
                assertTrue(counted.lookedUp(current) >= teamMembers, "entries without roles: each membership looked up, "
                        + counted.lookedUp(current) + " keys");
                CountingSnapshots.assertIndexExact(pass.snapshot(), true);
                rename(full, team, "Indexed again");
                passOver(full, pass, counted, team);
                assertEquals(withRoles, counted.lookedUp(current), "the pass filled the team's entries");

                int seen = pass.events().size();
                pass.sync(WORKER);
                assertEquals(List.of(), changesOf(pass.events(), seen), "filling the entries is no change");
                CountingSnapshots.assertSameItems(full.snapshot(), pass.snapshot(), "every team's entries carry the roles again");
                CountingSnapshots.assertIndexExact(pass.snapshot(), true);
            }
        }
    }

    /**
     * A team's read and a member's read in one pass that find a membership's role otherwise (made a
     * maintainer, and back, between the two reads): the member's read, the later, is the word, and
     * the team's index entry holds what the membership holds. A later pass over the team alone,
     * which takes the roles from the entries, then sees the role changed for real.
     */
    @Test
    void aMembersReadThatTakesARoleBackLeavesTheTeamsEntryHoldingItToo() {
        java.util.concurrent.atomic.AtomicReference<Runnable> onMembershipWritten = new java.util.concurrent.atomic.AtomicReference<>();
        String[] membershipKey = new String[1];
        CountingSnapshots hooked = new CountingSnapshots(new InMemorySnapshotStore()) {
            @Override
            public void put(String accountId, long generation, List<Item> items, java.time.Instant expiresAt) {
                super.put(accountId, generation, items, expiresAt);
                if (items.stream().anyMatch(i -> i.key().equals(membershipKey[0]))) {
                    java.util.Optional.ofNullable(onMembershipWritten.getAndSet(null)).ifPresent(Runnable::run);
                }
            }
        };
        try (SyncFixture full = new SyncFixture(40, 3); SyncFixture pass = new SyncFixture(full.sandbox, hooked)) {
            full.sync(WORKER);
            pass.sync(WORKER);
            var world = full.sandbox.world();
            Organization org = full.org();
            Team team = world.teams(org.uuid()).get(0);
            String user = world.teamMembers(org.uuid(), team.uuid()).stream()
                    .filter(m -> !m.userUuid().equals(full.actor()) && m.role() == TeamMember.Role.MEMBER).findFirst().orElseThrow().userUuid();
            membershipKey[0] = SnapshotKeys.membership(org.uuid(), user, team.uuid());
            world.updateTeamMember(org, full.actor(), team.uuid(), user, TeamMember.Role.MAINTAINER);
            // Once the team's read has written the maintainer into the pass, back to member before the member's read.
            onMembershipWritten.set(() -> world.updateTeamMember(org, full.actor(), team.uuid(), user, TeamMember.Role.MEMBER));
            SyncRun done = pass.finish(pass.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit",
                    List.of(Subject.roster(org.uuid(), team.uuid()), Subject.user(org.uuid(), user))).run().id(), WORKER);
            assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
            assertNull(onMembershipWritten.get(), "the role went back between the two reads");
            CountingSnapshots.assertIndexExact(pass.snapshot(), true);

            world.updateTeamMember(org, full.actor(), team.uuid(), user, TeamMember.Role.MAINTAINER);
            int seen = pass.events().size();
            pass.finish(pass.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit",
                    List.of(Subject.roster(org.uuid(), team.uuid()))).run().id(), WORKER);
            full.sync(WORKER);
            CountingSnapshots.assertSameItems(full.snapshot(), pass.snapshot(), "the role the team's pass found");
            assertTrue(changesOf(pass.events(), seen).stream().anyMatch(e -> e.startsWith(ChangeEvent.USER_UPDATED)),
                    String.join("\n", changesOf(pass.events(), seen)));
        }
    }

    /** The account's snapshot as Kitebridge wrote it before the index's entries carried the roles: each entry empty, no {@code roles_listed}. */
    private static void withEmptyEntries(SnapshotStore snapshots, long generation) {
        List<SnapshotStore.Item> old = new ArrayList<>();
        String after = null;
        while (true) {
            List<SnapshotStore.Item> page = snapshots.list(SyncFixture.ACCOUNT, generation, after, 500);
            for (SnapshotStore.Item item : page) {
                if (item.key().startsWith("o/") && SnapshotKeys.kind(item.key()) == SnapshotKeys.Kind.ROSTER) {
                    old.add(new SnapshotStore.Item(item.key(), com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()));
                } else if (item.key().matches("o/[^/]+/g/[^/]+/r")) {
                    com.fasterxml.jackson.databind.node.ObjectNode summary = item.data().deepCopy();
                    summary.remove("roles_listed");
                    old.add(new SnapshotStore.Item(item.key(), summary));
                }
            }
            if (page.size() < 500) {
                break;
            }
            after = page.get(page.size() - 1).key();
        }
        assertTrue(old.size() > 10);
        snapshots.put(SyncFixture.ACCOUNT, generation, old);
    }

    private static void rename(SyncFixture fixture, Team team, String name) {
        fixture.sandbox.world().updateTeam(fixture.org(), fixture.actor(), team.uuid(), new TeamFields(name + " " + team.name(), null, null,
                null, null, null, null, null, null, null));
    }

    /** A pass over the team, and a full run of the reference; both publish the same. Returns how many items the pass read of the account's snapshot. */
    private static long passOver(SyncFixture full, SyncFixture pass, CountingSnapshots counted, Team team) {
        int fullSeen = full.events().size();
        int passSeen = pass.events().size();
        long current = pass.syncs.account(SyncFixture.ACCOUNT).orElseThrow().currentGeneration();
        counted.clear();
        SyncRun done = pass.finish(pass.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit",
                List.of(Subject.group(full.org().uuid(), team.uuid()))).run().id(), WORKER);
        long read = counted.reads(current);
        full.sync(WORKER);
        assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
        List<String> found = changesOf(pass.events(), passSeen);
        assertTrue(found.stream().anyMatch(e -> e.startsWith(ChangeEvent.GROUP_UPDATED)), String.join("\n", found));
        assertEquals(changesOf(full.events(), fullSeen), found);
        return read;
    }

    /** The account's snapshot as an earlier Kitebridge wrote it: no index entries, summaries without {@code members_listed} (nor {@code roles_listed}). */
    private static void withoutIndex(SnapshotStore snapshots, long generation) {
        List<String> entries = new ArrayList<>();
        List<SnapshotStore.Item> summaries = new ArrayList<>();
        String after = null;
        while (true) {
            List<SnapshotStore.Item> page = snapshots.list(SyncFixture.ACCOUNT, generation, after, 500);
            for (SnapshotStore.Item item : page) {
                if (item.key().startsWith("o/") && SnapshotKeys.kind(item.key()) == SnapshotKeys.Kind.ROSTER) {
                    entries.add(item.key());
                } else if (item.key().matches("o/[^/]+/g/[^/]+/r")) {
                    com.fasterxml.jackson.databind.node.ObjectNode old = item.data().deepCopy();
                    old.remove("members_listed");
                    old.remove("roles_listed");
                    summaries.add(new SnapshotStore.Item(item.key(), old));
                }
            }
            if (page.size() < 500) {
                break;
            }
            after = page.get(page.size() - 1).key();
        }
        assertTrue(!entries.isEmpty() && !summaries.isEmpty());
        snapshots.delete(SyncFixture.ACCOUNT, generation, entries);
        snapshots.put(SyncFixture.ACCOUNT, generation, summaries);
    }

    /**
     * A pass whose VERIFY takes a removal back (the member is in the team again when Buildkite is
     * asked) and that is killed before its next save is left as READ's end stored it, in DIFF: it
     * compares again over what the take-back left in its generation, and publishes what the same pass
     * uninterrupted does, with the same snapshot and kept data.
     */
    @Test
    void aPassKilledAfterATakeBackComparesAgainAndEndsAsAnUninterruptedOne() {
        try (Sandbox sandbox = SyncFixture.sandbox(60, 4)) {
            HookedSnapshotStore referenceSnapshots = new HookedSnapshotStore();
            HookedSnapshotStore crashingSnapshots = new HookedSnapshotStore();
            java.util.concurrent.atomic.AtomicBoolean takenBack = new java.util.concurrent.atomic.AtomicBoolean();
            List<SyncRun> killedAt = new ArrayList<>();
            InMemoryEventLog events = new InMemoryEventLog();
            dev.kitebridge.events.EventLog watched = new dev.kitebridge.events.EventLog() {
                @Override
                public void put(String accountId, List<ChangeEvent> written) {
                    events.put(accountId, written);
                }

                @Override
                public void delete(String accountId, List<String> positions) {
                    events.delete(accountId, positions);
                    if (positions.stream().anyMatch(p -> EventPositions.rankOf(p) == EventPositions.GROUP_USER_REMOVED)) {
                        takenBack.set(true);
                    }
                }

                @Override
                public List<ChangeEvent> list(String accountId, String afterPosition, String beforePosition, int limit) {
                    return events.list(accountId, afterPosition, beforePosition, limit);
                }
            };
            SyncStore dying = new ForwardingSyncStore(new InMemorySyncStore()) {
                @Override
                public java.util.Optional<SyncRun> replaceRun(SyncRun changed) {
                    if (takenBack.getAndSet(false)) {
                        killedAt.add(store.run(changed.id()).orElseThrow());
                        throw new Killer.Killed(); // before the save after the take-back lands
                    }
                    return store.replaceRun(changed);
                }
            };
            try (SyncFixture reference = new SyncFixture(sandbox, referenceSnapshots, new InMemorySyncStore(), new InMemoryEventLog(),
                    new InMemoryOrganizationDataStore());
                 SyncFixture crashing = new SyncFixture(sandbox, crashingSnapshots, dying, watched, new InMemoryOrganizationDataStore())) {
                reference.sync(WORKER);
                crashing.sync(WORKER);
                takenBack.set(false);
                int referenceSeen = reference.events().size();
                int crashingSeen = crashing.events().size();
                var world = sandbox.world();
                Organization org = reference.org();
                Team team = world.teams(org.uuid()).get(0);
                String member = world.teamMembers(org.uuid(), team.uuid()).stream().map(TeamMember::userUuid)
                        .filter(u -> !u.equals(reference.actor())).findFirst().orElseThrow();
                List<Subject> subjects = List.of(Subject.roster(org.uuid(), team.uuid()));
                String summary = SnapshotKeys.group(org.uuid(), team.uuid()) + "/r";

                // The member leaves; once the pass has read the roster, they are back, and VERIFY finds them there.
                world.removeTeamMember(org, reference.actor(), team.uuid(), member);
                referenceSnapshots.once(summary::equals, () -> world.addTeamMember(org, reference.actor(), team.uuid(), member,
                        TeamMember.Role.MEMBER));
                SyncRun uninterrupted = reference.finish(reference.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit",
                        subjects).run().id(), WORKER);
                assertEquals(SyncRun.Status.COMPLETED, uninterrupted.status(), uninterrupted.error());

                world.removeTeamMember(org, reference.actor(), team.uuid(), member);
                crashingSnapshots.once(summary::equals, () -> world.addTeamMember(org, reference.actor(), team.uuid(), member,
                        TeamMember.Role.MEMBER));
                String runId = crashing.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit", subjects).run().id();
                assertThrows(Killer.Killed.class, () -> crashing.finish(runId, WORKER));
                assertEquals(1, killedAt.size(), "killed once, right after the take-back");
                assertEquals(SyncRun.Phase.DIFF, killedAt.get(0).phase(), "left as READ's end stored it");
                SyncRun done = crashing.finish(runId, WORKER);

                assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
                assertEquals(changesOf(reference.events(), referenceSeen), changesOf(crashing.events(), crashingSeen));
                assertTrue(changesOf(crashing.events(), crashingSeen).stream().noneMatch(e -> e.startsWith(ChangeEvent.GROUP_USER_REMOVED)),
                        "the removal taken back is not published");
                CountingSnapshots.assertSameItems(reference.snapshot(), crashing.snapshot(), "killed or not");
                assertTrue(crashing.snapshot().containsKey(SnapshotKeys.membership(org.uuid(), member, team.uuid())), "the membership kept");
                assertEquals(reference.kept(), crashing.kept());
            }
        }
    }

    /**
     * A pass whose VERIFY takes back a team leave (the roster it read missed a member whom Buildkite,
     * asked alone, still has in the team) publishes the team as it is with the membership kept: no
     * group.updated with a count one short (the roster read's), and the snapshot, and the directory's
     * kept data, as a following full run finds them, which then has nothing to publish.
     */
    @Test
    void aTakeBackOfATeamLeaveKeepsTheTeamsCountWithItsMembership() throws Exception {
        try (Sandbox sandbox = SyncFixture.sandbox(60, 4)) {
            HookedSnapshotStore snapshots = new HookedSnapshotStore();
            try (SyncFixture pass = new SyncFixture(sandbox, snapshots, new InMemorySyncStore(), new InMemoryEventLog(),
                    new InMemoryOrganizationDataStore());
                 SyncFixture full = new SyncFixture(sandbox, new InMemorySnapshotStore(), new InMemorySyncStore(), new InMemoryEventLog(),
                         new InMemoryOrganizationDataStore())) {
                pass.sync(WORKER);
                full.sync(WORKER);
                var world = sandbox.world();
                Organization org = pass.org();
                Team team = world.teams(org.uuid()).get(0);
                int members = world.teamMembers(org.uuid(), team.uuid()).size();
                String member = world.teamMembers(org.uuid(), team.uuid()).stream().map(TeamMember::userUuid)
                        .filter(u -> !u.equals(pass.actor())).findFirst().orElseThrow();
                String summary = SnapshotKeys.group(org.uuid(), team.uuid()) + "/r";
                int seen = pass.events().size();

                // The member is out of the team while the pass reads its roster, and in it again when VERIFY asks.
                world.removeTeamMember(org, pass.actor(), team.uuid(), member);
                snapshots.once(summary::equals, () -> world.addTeamMember(org, pass.actor(), team.uuid(), member, TeamMember.Role.MEMBER));
                SyncRun done = pass.finish(pass.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit",
                        List.of(Subject.roster(org.uuid(), team.uuid()))).run().id(), WORKER);
                assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
                assertEquals(members, world.teamMembers(org.uuid(), team.uuid()).size(), "the team is as the first sync found it");

                List<String> published = changesOf(pass.events(), seen);
                assertEquals(List.of(), published, "the take-back leaves nothing of the team changed: " + String.join("\n", published));
                assertTrue(pass.snapshot().containsKey(SnapshotKeys.membership(org.uuid(), member, team.uuid())), "the membership kept");
                assertEquals(members, dev.kitebridge.contract.ApiJson.MAPPER.readTree(pass.snapshot().get(summary)).path("members_count").asLong(-1),
                        "the team's count with its membership: " + pass.snapshot().get(summary));
                full.sync(WORKER);
                CountingSnapshots.assertSameItems(full.snapshot(), pass.snapshot(), "the snapshot a full run reads");
                assertEquals(full.kept(), pass.kept(), "and the directory's kept data");
                int afterPass = pass.events().size();
                pass.sync(WORKER);
                assertEquals(List.of(), changesOf(pass.events(), afterPass), "nothing left for a full run to find");
            }
        }
    }

    /**
     * A full run's VERIFY takes a team leave back as a pass's does (the roster's pages missed a member
     * whom Buildkite, asked alone, still has in the team): the team's count with it, nothing published.
     */
    @Test
    void aFullRunsTakeBackOfATeamLeaveKeepsTheTeamsCount() throws Exception {
        try (Sandbox sandbox = SyncFixture.sandbox(60, 4)) {
            HookedSnapshotStore snapshots = new HookedSnapshotStore();
            try (SyncFixture fixture = new SyncFixture(sandbox, snapshots, new InMemorySyncStore(), new InMemoryEventLog(),
                    new InMemoryOrganizationDataStore())) {
                fixture.sync(WORKER);
                var world = sandbox.world();
                Organization org = fixture.org();
                Team team = world.teams(org.uuid()).get(0);
                int members = world.teamMembers(org.uuid(), team.uuid()).size();
                String member = world.teamMembers(org.uuid(), team.uuid()).stream().map(TeamMember::userUuid)
                        .filter(u -> !u.equals(fixture.actor())).findFirst().orElseThrow();
                String summary = SnapshotKeys.group(org.uuid(), team.uuid()) + "/r";
                int seen = fixture.events().size();

                // Back once the roster's members are read: at its pipelines, read after them (the team's page names its summary).
                world.removeTeamMember(org, fixture.actor(), team.uuid(), member);
                String pipelines = SnapshotKeys.group(org.uuid(), team.uuid()) + "/p/";
                snapshots.once(k -> k.startsWith(pipelines),
                        () -> world.addTeamMember(org, fixture.actor(), team.uuid(), member, TeamMember.Role.MEMBER));
                SyncRun done = fixture.sync(WORKER);
                assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());

                List<String> published = changesOf(fixture.events(), seen);
                assertEquals(List.of(), published, String.join("\n", published));
                assertTrue(fixture.snapshot().containsKey(SnapshotKeys.membership(org.uuid(), member, team.uuid())), "the membership kept");
                assertEquals(members, dev.kitebridge.contract.ApiJson.MAPPER.readTree(fixture.snapshot().get(summary)).path("members_count")
                        .asLong(-1), "the team's count with its membership: " + fixture.snapshot().get(summary));
            }
        }
    }

    /**
     * A full run in place whose worker dies in the middle of a team leave's take-back (the membership
     * back in its generation, the removal not yet dropped), after which the member really leaves: the
     * retry finishes the take-back without asking again, publishes nothing, and the next run publishes
     * the leave once.
     */
    @Test
    void aFullRunsTakeBackCutShortFinishesWhateverBuildkiteAnswersAfter() {
        try (Sandbox sandbox = SyncFixture.sandbox(60, 4)) {
            HookedSnapshotStore snapshots = new HookedSnapshotStore();
            DyingEventLog dying = new DyingEventLog();
            InMemorySyncStore runs = new InMemorySyncStore();
            try (SyncFixture fixture = new SyncFixture(sandbox, snapshots, runs, dying, new InMemoryOrganizationDataStore())) {
                fixture.sync(WORKER);
                var world = sandbox.world();
                Organization org = fixture.org();
                Team team = world.teams(org.uuid()).get(0);
                String member = world.teamMembers(org.uuid(), team.uuid()).stream().map(TeamMember::userUuid)
                        .filter(u -> !u.equals(fixture.actor())).findFirst().orElseThrow();
                String membership = SnapshotKeys.membership(org.uuid(), member, team.uuid());
                int seen = fixture.events().size();

                // Back once the roster's members are read (at the team's pipelines, read after them); the take-back writes
                // the membership into the run's generation, and the worker dies after the next event call.
                world.removeTeamMember(org, fixture.actor(), team.uuid(), member);
                String pipelines = SnapshotKeys.group(org.uuid(), team.uuid()) + "/p/";
                snapshots.once(k -> k.startsWith(pipelines), () -> {
                    world.addTeamMember(org, fixture.actor(), team.uuid(), member, TeamMember.Role.MEMBER);
                    snapshots.once(membership::equals, () -> dying.dieAtTheNextCall());
                });
                String runId = fixture.service.start(SyncFixture.TENANT, SyncFixture.ACCOUNT, "api").run().id();
                assertThrows(Killer.Killed.class, () -> fixture.finish(runId, WORKER));
                assertEquals(1, dying.kills());
                assertTrue(runs.run(runId).orElseThrow().inPlace());
                world.removeTeamMember(org, fixture.actor(), team.uuid(), member);
                SyncRun done = fixture.finish(runId, WORKER);

                assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
                List<String> published = changesOf(fixture.events(), seen);
                assertEquals(List.of(), published, "the take-back begun is finished: " + String.join("\n", published));
                assertTrue(fixture.snapshot().containsKey(membership), "the membership kept");
                int afterRun = fixture.events().size();
                fixture.sync(WORKER);
                List<String> found = changesOf(fixture.events(), afterRun);
                assertEquals(1, found.stream().filter(e -> e.startsWith(ChangeEvent.GROUP_USER_REMOVED)).count(),
                        "the leave published once, by the run that finds it: " + String.join("\n", found));
            }
        }
    }

    /**
     * A pass whose worker dies in the middle of a take-back, once the membership and the team's count
     * are back in its generation and the first event after them is written (its events compared again,
     * the removal not yet dropped: it is dropped last). The retry compares again (finding no removal),
     * finds the removal still in the log, and finishes the take-back without asking Buildkite again (the
     * first attempt decided), so that the pass publishes what it does uninterrupted: nothing. Where the
     * member really leaves the team before the retry, the following full run finds them gone and
     * publishes the team leave once; else it finds nothing.
     */
    @ParameterizedTest(name = "the member leaves before the retry: {0}")
    @ValueSource(booleans = {false, true})
    void aPassKilledInTheMiddleOfATakeBackFinishesIt(boolean leavesBeforeTheRetry) {
        try (Sandbox sandbox = SyncFixture.sandbox(60, 4)) {
            HookedSnapshotStore snapshots = new HookedSnapshotStore();
            DyingEventLog dying = new DyingEventLog();
            try (SyncFixture pass = new SyncFixture(sandbox, snapshots, new InMemorySyncStore(), dying, new InMemoryOrganizationDataStore())) {
                pass.sync(WORKER);
                var world = sandbox.world();
                Organization org = pass.org();
                Team team = world.teams(org.uuid()).get(0);
                String member = world.teamMembers(org.uuid(), team.uuid()).stream().map(TeamMember::userUuid)
                        .filter(u -> !u.equals(pass.actor())).findFirst().orElseThrow();
                String summary = SnapshotKeys.group(org.uuid(), team.uuid()) + "/r";
                String membership = SnapshotKeys.membership(org.uuid(), member, team.uuid());
                int seen = pass.events().size();

                // Out of the team while the pass reads its roster (which writes the membership's tombstone with the count), back
                // when VERIFY asks; the take-back writes the membership again, and the worker dies after the next event call.
                world.removeTeamMember(org, pass.actor(), team.uuid(), member);
                snapshots.once(summary::equals, () -> {
                    world.addTeamMember(org, pass.actor(), team.uuid(), member, TeamMember.Role.MEMBER);
                    snapshots.once(membership::equals, () -> dying.dieAtTheNextCall());
                });
                String runId = pass.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit",
                        List.of(Subject.roster(org.uuid(), team.uuid()))).run().id();
                assertThrows(Killer.Killed.class, () -> pass.finish(runId, WORKER));
                assertEquals(1, dying.kills());
                if (leavesBeforeTheRetry) {
                    world.removeTeamMember(org, pass.actor(), team.uuid(), member); // asked again, Buildkite would answer 404
                }
                SyncRun done = pass.finish(runId, WORKER);

                assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
                List<String> published = changesOf(pass.events(), seen);
                assertEquals(List.of(), published, "the take-back begun is finished: " + String.join("\n", published));
                assertTrue(pass.snapshot().containsKey(membership), "the membership kept");

                int afterPass = pass.events().size();
                pass.sync(WORKER);
                List<String> found = changesOf(pass.events(), afterPass);
                if (leavesBeforeTheRetry) {
                    assertEquals(1, found.stream().filter(e -> e.startsWith(ChangeEvent.GROUP_USER_REMOVED)).count(),
                            "the leave published once, by the run that finds it: " + String.join("\n", found));
                    assertFalse(pass.snapshot().containsKey(membership), "the membership gone");
                } else {
                    assertEquals(List.of(), found, "nothing left for a full run to find");
                }
            }
        }
    }

    /**
     * A pass queued without its organizations (the account's differ from its last run's) asks which it
     * reaches as it starts, and stores that with its first save. Its first worker writes a subject of
     * an organization, and dies before any save; the token loses the organization before the retry,
     * which does not reach it: nothing the dead worker wrote of the organization is published.
     */
    @Test
    void aPassWhoseRetryNoLongerReachesAnOrganizationPublishesNothingOfIt() {
        try (Sandbox sandbox = Sandbox.builder().population(dev.kitebridge.sandbox.model.Population.of(30, 2).withOrganizations(2, 0))
                .limits(dev.kitebridge.sandbox.limits.RateLimits.BUILDKITE.withRest(100_000, 100_000).withGraphql(10_000_000, 10_000_000))
                .timeScale(60).start()) {
            HookedSnapshotStore snapshots = new HookedSnapshotStore();
            java.util.concurrent.atomic.AtomicBoolean dies = new java.util.concurrent.atomic.AtomicBoolean();
            List<SyncRun> killedAt = new ArrayList<>();
            SyncStore dying = new ForwardingSyncStore(new InMemorySyncStore()) {
                @Override
                public java.util.Optional<SyncRun> replaceRun(SyncRun changed) {
                    if (dies.getAndSet(false)) {
                        killedAt.add(store.run(changed.id()).orElseThrow());
                        throw new Killer.Killed(); // before the pass's first save lands
                    }
                    return store.replaceRun(changed);
                }
            };
            try (SyncFixture pass = new SyncFixture(sandbox, snapshots, dying, new InMemoryEventLog(), new InMemoryOrganizationDataStore())) {
                pass.sync(WORKER);
                var world = sandbox.world();
                Organization lost = world.organizations().get(1);
                String owner = pass.actor();
                Member promoted = world.members(lost.uuid()).stream()
                        .filter(m -> m.role() == Member.Role.MEMBER && !m.userUuid().equals(owner)).findFirst().orElseThrow();
                world.updateMember(lost, owner, promoted.userUuid(), Member.Role.ADMIN, null);
                String memberKey = SnapshotKeys.member(lost.uuid(), promoted.userUuid());
                java.util.Map<String, String> before = pass.snapshot();
                int seen = pass.events().size();
                // The account as linked with the first organization alone: its organizations differ from the last run's.
                dev.kitebridge.access.IntegratedAccount account = pass.accounts.find(SyncFixture.TENANT, SyncFixture.ACCOUNT).orElseThrow();
                pass.accounts.replace(account.withToken(account.scopes(), account.organizations().subList(0, 1), account.tokenExpiresAt(),
                        account.budgetKey())).orElseThrow();

                snapshots.once(memberKey::equals, () -> dies.set(true));
                SyncRun queued = pass.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit",
                        List.of(Subject.user(lost.uuid(), promoted.userUuid()))).run();
                assertTrue(queued.organizations().isEmpty(), "queued without its organizations");
                assertThrows(Killer.Killed.class, () -> pass.finish(queued.id(), WORKER));
                assertEquals(1, killedAt.size());
                assertEquals(SyncRun.Status.QUEUED, killedAt.get(0).status(), "nothing of the pass stored");

                world.leaveOrganization(lost.uuid(), owner); // the token no longer reaches it
                pass.access.forget(SyncFixture.ACCOUNT); // (nor does this process's worker remember it does)
                SyncRun done = pass.finish(queued.id(), WORKER);
                assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
                assertTrue(done.organizations().stream().noneMatch(o -> o.id().equals(lost.uuid())), "the retry does not reach it");
                List<String> published = changesOf(pass.events(), seen);
                assertEquals(List.of(), published, String.join("\n", published));
                assertEquals(before.get(memberKey), pass.snapshot().get(memberKey), "nothing of it written into the snapshot");
            }
        }
    }

    /**
     * A member named alone joined a team: the pass adds the team's count and reads it (it moves).
     * Its worker dies after that read's writes, before READ's end is stored, and the member leaves
     * the team before the retry. The retry does not read the member again, but the count the dead
     * worker read is still the pass's subject, read again with the membership the member's read
     * wrote: the pass publishes nothing, as a full run finds nothing, neither the count that the dead
     * worker read nor the membership.
     */
    @Test
    void aPassKilledAfterReadingATeamItAddedReadsItAgainThoughItsCauseIsGone() {
        try (Sandbox sandbox = SyncFixture.sandbox(60, 4)) {
            HookedSnapshotStore crashingSnapshots = new HookedSnapshotStore();
            java.util.concurrent.atomic.AtomicBoolean dies = new java.util.concurrent.atomic.AtomicBoolean();
            List<SyncRun> killedAt = new ArrayList<>();
            SyncStore dying = new ForwardingSyncStore(new InMemorySyncStore()) {
                @Override
                public java.util.Optional<SyncRun> replaceRun(SyncRun changed) {
                    if (dies.getAndSet(false)) {
                        killedAt.add(store.run(changed.id()).orElseThrow());
                        throw new Killer.Killed(); // before the save after the roster's writes lands
                    }
                    return store.replaceRun(changed);
                }
            };
            try (SyncFixture reference = new SyncFixture(sandbox, new InMemorySnapshotStore(), new InMemorySyncStore(),
                    new InMemoryEventLog(), new InMemoryOrganizationDataStore());
                 SyncFixture crashing = new SyncFixture(sandbox, crashingSnapshots, dying, new InMemoryEventLog(),
                         new InMemoryOrganizationDataStore())) {
                reference.sync(WORKER);
                crashing.sync(WORKER);
                int referenceSeen = reference.events().size();
                int crashingSeen = crashing.events().size();
                var world = sandbox.world();
                Organization org = reference.org();
                Team team = world.teams(org.uuid()).get(0);
                String member = world.members(org.uuid()).stream().map(Member::userUuid)
                        .filter(u -> !u.equals(reference.actor()) && world.teamMember(org.uuid(), team.uuid(), u).isEmpty())
                        .findFirst().orElseThrow();
                String summary = SnapshotKeys.group(org.uuid(), team.uuid()) + "/r";

                // The member joins the team; once the pass has written the team's roster, they leave it, and the worker dies.
                world.addTeamMember(org, reference.actor(), team.uuid(), member, TeamMember.Role.MEMBER);
                crashingSnapshots.once(summary::equals, () -> {
                    world.removeTeamMember(org, reference.actor(), team.uuid(), member);
                    dies.set(true);
                });
                String runId = crashing.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit",
                        List.of(Subject.user(org.uuid(), member))).run().id();
                assertThrows(Killer.Killed.class, () -> crashing.finish(runId, WORKER));
                assertEquals(1, killedAt.size(), "killed once, right after the roster's writes");
                assertEquals(SyncRun.Phase.READ, killedAt.get(0).phase());
                SyncRun done = crashing.finish(runId, WORKER);
                reference.sync(WORKER);

                assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
                assertEquals(List.of(), changesOf(reference.events(), referenceSeen), "Buildkite is as the first sync found it");
                assertEquals(changesOf(reference.events(), referenceSeen), changesOf(crashing.events(), crashingSeen),
                        "nothing invented");
                CountingSnapshots.assertSameItems(reference.snapshot(), crashing.snapshot(), "the snapshot a full run reads");
                CountingSnapshots.assertIndexExact(crashing.snapshot(), true);
                int seen = crashing.events().size();
                crashing.sync(WORKER);
                assertEquals(List.of(), changesOf(crashing.events(), seen), "nothing left for a full run to put right");
                assertTrue(done.subjects().contains(Subject.count(org.uuid(), team.uuid())), "the count stays its subject: "
                        + done.subjects());
            }
        }
    }

    /** A member named alone who moved teams, killed anywhere: the save of the rosters it adds is a kill point too. */
    @Test
    void aPassThatAddsSubjectsKilledAnywhereEndsAsAnUninterruptedOne() {
        try (SyncFixture reference = new SyncFixture(60, 4)) {
            Killer killer = new Killer();
            InMemorySyncStore runs = new InMemorySyncStore();
            try (SyncFixture crashing = killer.crashingBeside(reference, runs)) {
                reference.sync(WORKER);
                crashing.sync(WORKER);
                int referenceSeen = reference.events().size();
                int crashingSeen = crashing.events().size();
                var world = reference.sandbox.world();
                Organization org = reference.org();
                List<Team> teams = world.teams(org.uuid());
                TeamMember moving = world.teamMembers(org.uuid(), teams.get(0).uuid()).stream()
                        .filter(m -> !m.userUuid().equals(reference.actor())
                                && world.teamMember(org.uuid(), teams.get(1).uuid(), m.userUuid()).isEmpty())
                        .findFirst().orElseThrow();
                world.moveTeamMember(org, reference.actor(), teams.get(0).uuid(), teams.get(1).uuid(), moving.userUuid(),
                        TeamMember.Role.MEMBER);
                List<Subject> subjects = List.of(Subject.user(org.uuid(), moving.userUuid()));
                SyncRun pass = reference.finish(reference.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit",
                        subjects).run().id(), WORKER);
                assertEquals(SyncRun.Status.COMPLETED, pass.status(), pass.error());
                assertEquals(3, pass.subjects().size(), "the member and the two teams: " + pass.subjects());

                String runId = crashing.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit", subjects).run().id();
                List<SyncRun> killedAt = killer.finishKilled(crashing, runs, runId, WORKER, new Random(10), 6, 2_000);
                assertTrue(killedAt.stream().anyMatch(r -> r.phase() == SyncRun.Phase.READ && r.subjects().size() == 3),
                        "killed in READ with the rosters stored: " + killedAt.size() + " kills");
                SyncRun done = runs.run(runId).orElseThrow();
                assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
                assertEquals(pass.subjects(), done.subjects());
                assertEquals(changesOf(reference.events(), referenceSeen), changesOf(crashing.events(), crashingSeen));
                CountingSnapshots.assertSameItems(reference.snapshot(), crashing.snapshot(), "killed or not");
                CountingSnapshots.assertIndexExact(crashing.snapshot(), true);
                assertEquals(reference.kept(), crashing.kept());
            }
        }
    }

    /** Killed anywhere, the pass ends as an uninterrupted one: the same events, snapshot and kept data. */
    @Test
    void aPassKilledAnywhereEndsAsAnUninterruptedOne() {
        try (SyncFixture reference = new SyncFixture(80, 5)) {
            Killer killer = new Killer();
            InMemorySyncStore runs = new InMemorySyncStore();
            try (SyncFixture crashing = killer.crashingBeside(reference, runs)) {
                reference.sync(WORKER);
                crashing.sync(WORKER);
                int referenceSeen = reference.events().size();
                int crashingSeen = crashing.events().size();
                Changes changes = change(reference);
                SyncRun pass = reference.finish(reference.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit",
                        changes.subjects()).run().id(), WORKER);
                assertEquals(SyncRun.Status.COMPLETED, pass.status(), pass.error());

                String runId = crashing.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit", changes.subjects()).run().id();
                List<SyncRun> killedAt = killer.finishKilled(crashing, runs, runId, WORKER, new Random(10), 6, 2_000);
                int kills = killedAt.size();
                java.util.Set<SyncRun.Phase> killedIn = Killer.phases(killedAt);
                // (A pass's DIFF and VERIFY store their checkpoints, and their ends, with the save before its first write into the
                // snapshot: a kill in either leaves the pass as its last save stored it, in DIFF; here READ's end, as its DIFF ends
                // in the turn it begins.)
                assertTrue(killedIn.containsAll(List.of(SyncRun.Phase.READ, SyncRun.Phase.DIFF, SyncRun.Phase.PUBLISH)),
                        "killed in every phase that writes: " + killedIn + " (" + kills + " kills)");
                assertEquals(SyncRun.Status.COMPLETED, runs.run(runId).orElseThrow().status());
                assertEquals(changesOf(reference.events(), referenceSeen), changesOf(crashing.events(), crashingSeen));
                CountingSnapshots.assertSameItems(reference.snapshot(), crashing.snapshot(), "killed or not");
                CountingSnapshots.assertIndexExact(crashing.snapshot(), true);
                assertEquals(reference.kept(), crashing.kept());
            }
        }
    }

    /**
     * What the member list shows and counts cannot place: a member without teams who leaves, one
     * who joins, a promotion, a member with teams who leaves (their teams' counts move), among more
     * members than a page lists. Returns the members changed, as subjects.
     */
    private static java.util.Set<Subject> changeMembers(SyncFixture fixture) {
        var world = fixture.sandbox.world();
        Organization org = fixture.org();
        String actor = fixture.actor();
        List<Member> members = world.members(org.uuid()).stream().filter(m -> !m.userUuid().equals(actor)).toList();
        Member teamless = members.stream().filter(m -> world.teamMembershipsOf(org.uuid(), m.userUuid()).isEmpty()).findFirst()
                .orElseGet(() -> {
                    var invited = world.invite(org, actor, List.of("list-loner@example.com"), Member.Role.MEMBER, null, List.of());
                    return world.acceptInvitation(org.uuid(), invited.get(0).uuid(), "List Loner");
                });
        Member withTeams = members.stream().filter(m -> !world.teamMembershipsOf(org.uuid(), m.userUuid()).isEmpty()
                && m.role() == Member.Role.MEMBER).findFirst().orElseThrow();
        Member promoted = members.stream().filter(m -> m.role() == Member.Role.MEMBER && !m.userUuid().equals(withTeams.userUuid())
                && !m.userUuid().equals(teamless.userUuid())).findFirst().orElseThrow();
        world.removeMember(org, actor, teamless.userUuid());
        world.removeMember(org, actor, withTeams.userUuid());
        world.updateMember(org, actor, promoted.userUuid(), Member.Role.ADMIN, null);
        var invited = world.invite(org, actor, List.of("list-joiner@example.com"), Member.Role.MEMBER, null, List.of());
        Member joiner = world.acceptInvitation(org.uuid(), invited.get(0).uuid(), "List Joiner");
        return java.util.Set.of(Subject.user(org.uuid(), teamless.userUuid()), Subject.user(org.uuid(), withTeams.userUuid()),
                Subject.user(org.uuid(), promoted.userUuid()), Subject.user(org.uuid(), joiner.userUuid()));
    }

    private static java.util.Set<Subject> usersOf(SyncRun run) {
        return run.subjects().stream().filter(s -> s.kind() == Subject.Kind.USER).collect(java.util.stream.Collectors.toSet());
    }

    /**
     * A pass of the member list alone finds who joined, left or changed, reads them (and the teams
     * a leaver was in) as any pass, and publishes what a full run finds; it writes into the
     * snapshot only the changed items, and leaves no marker of the list behind.
     */
    @Test
    void aPassOfTheMemberListPublishesWhatAFullRunFinds() {
        try (SyncFixture full = new SyncFixture(240, 6)) {
            CountingSnapshots counted = new CountingSnapshots(new InMemorySnapshotStore());
            try (SyncFixture pass = new SyncFixture(full.sandbox, counted, new InMemorySyncStore(), new InMemoryEventLog(),
                    new InMemoryOrganizationDataStore())) {
                FullRunFinds seen = FullRunFinds.afterFirstSync(full, pass, WORKER);
                java.util.Map<String, String> before = pass.snapshot();
                java.util.Set<Subject> changed = changeMembers(full);

                counted.clear();
                SyncRun done = pass.finish(pass.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "counts",
                        List.of(Subject.members(full.org().uuid()))).run().id(), WORKER);
                full.sync(WORKER);

                assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
                assertTrue(done.counts().users() > 200, "the list was read through, page after page: " + done.counts());
                assertEquals(changed, usersOf(done), "the list names exactly the members who joined, left or changed");
                List<String> found = seen.passFound();
                assertEquals(2, found.stream().filter(e -> e.startsWith(ChangeEvent.USER_DELETED)).count(), String.join("\n", found));
                seen.assertSameEventsSnapshotAndKept();
                long current = pass.syncs.account(SyncFixture.ACCOUNT).orElseThrow().currentGeneration();
                assertEquals(CountingSnapshots.changedItems(before, pass.snapshot()), counted.writes(current),
                        "only the changed items are written into the snapshot");
            }
        }
    }

    @Test
    void aPassOfTheMemberListWithNothingChangedPublishesNothing() {
        try (SyncFixture fixture = new SyncFixture(150, 4)) {
            fixture.sync(WORKER);
            var before = fixture.snapshot();
            int seen = fixture.events().size();
            SyncRun run = fixture.finish(fixture.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "counts",
                    List.of(Subject.members(fixture.org().uuid()))).run().id(), WORKER);
            assertEquals(List.of(Subject.members(fixture.org().uuid())), run.subjects(), "nobody to read alone");
            assertEquals(List.of(ChangeEvent.SYNC_RUN_COMPLETED), fixture.events().subList(seen, fixture.events().size()).stream()
                    .map(ChangeEvent::event).toList());
            CountingSnapshots.assertSameItems(before, fixture.snapshot(), "nothing changed");
        }
    }

    /** Killed anywhere, mid-list too, a pass of the member list ends as a full run finds the changes. */
    @Test
    void aPassOfTheMemberListKilledAnywhereEndsAsAnUninterruptedOne() {
        try (SyncFixture reference = new SyncFixture(240, 6)) {
            Killer killer = new Killer();
            InMemorySyncStore runs = new InMemorySyncStore();
            try (SyncFixture crashing = killer.crashingBeside(reference, runs)) {
                reference.sync(WORKER);
                crashing.sync(WORKER);
                int referenceSeen = reference.events().size();
                int crashingSeen = crashing.events().size();
                java.util.Set<Subject> changed = changeMembers(reference);
                reference.sync(WORKER);

                String runId = crashing.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "counts",
                        List.of(Subject.members(reference.org().uuid()))).run().id();
                List<SyncRun> killedAt = killer.finishKilled(crashing, runs, runId, WORKER, new Random(23), 6, 2_000);
                int kills = killedAt.size();
                long killedMidList = killedAt.stream().filter(at -> at.phase() == SyncRun.Phase.READ && at.read().organization() == 0
                        && at.read().rest().next() != null).count();
                java.util.Set<SyncRun.Phase> killedIn = Killer.phases(killedAt);
                assertTrue(killedMidList > 0, "killed between two pages of the list (" + kills + " kills)");
                assertTrue(killedIn.containsAll(List.of(SyncRun.Phase.READ, SyncRun.Phase.PUBLISH)),
                        "killed in every phase that writes: " + killedIn + " (" + kills + " kills)");
                SyncRun done = runs.run(runId).orElseThrow();
                assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
                assertEquals(changed, usersOf(done), "a list resumed names whom an uninterrupted one does (its pages' markers kept)");
                assertEquals(changesOf(reference.events(), referenceSeen), changesOf(crashing.events(), crashingSeen));
                CountingSnapshots.assertSameItems(reference.snapshot(), crashing.snapshot(), "killed or not");
                assertEquals(reference.kept(), crashing.kept());
            }
        }
    }

    /**
     * A worker that dies once the account's published mark has passed its pass, before the pass's
     * own item says so, leaves it in PUBLISH, and the account free for its next run: the next pass
     * may publish first. The first pass's retry finds its changes out (the mark has passed it) and
     * does not write them again over the next pass's, in the snapshot nor in the kept data.
     */
    @Test
    void aPassRetriedAfterItsMarkWasWrittenDoesNotWriteOverTheNextPass() {
        java.util.concurrent.atomic.AtomicBoolean dieAfterMark = new java.util.concurrent.atomic.AtomicBoolean();
        InMemorySyncStore stored = new InMemorySyncStore();
        SyncStore dying = new ForwardingSyncStore(stored) {
            @Override
            public java.util.Optional<AccountSync> replaceAccount(AccountSync changed) {
                java.util.Optional<AccountSync> written = stored.replaceAccount(changed);
                if (written.isPresent() && changed.activeRunId() == null && dieAfterMark.getAndSet(false)) {
                    throw new Killer.Killed(); // the mark landed; the worker dies before it hears so
                }
                return written;
            }
        };
        try (SyncFixture full = new SyncFixture(40, 3);
             SyncFixture pass = new SyncFixture(full.sandbox, new InMemorySnapshotStore(), dying, new InMemoryEventLog())) {
            full.sync(WORKER);
            pass.sync(WORKER);
            var world = full.sandbox.world();
            Organization org = full.org();
            Member member = world.members(org.uuid()).stream()
                    .filter(m -> m.role() == Member.Role.MEMBER && !m.userUuid().equals(full.actor())).findFirst().orElseThrow();
            List<Subject> subjects = List.of(Subject.user(org.uuid(), member.userUuid()));

            world.updateMember(org, full.actor(), member.userUuid(), Member.Role.ADMIN, null);
            SyncRun first = pass.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit", subjects).run();
            dieAfterMark.set(true);
            assertThrows(Killer.Killed.class,
                    () -> pass.runner.work(first.id(), "worker-1", pass.time.now().plus(WORKER)));
            assertEquals(SyncRun.Phase.PUBLISH, stored.run(first.id()).orElseThrow().phase());

            world.updateMember(org, full.actor(), member.userUuid(), Member.Role.MEMBER, null);
            SyncService.Started next = pass.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit", subjects);
            assertTrue(next.created(), "the account is free: its mark has passed the first pass");
            assertEquals(SyncRun.Status.COMPLETED, pass.finish(next.run().id(), WORKER).status());
            assertEquals(SyncRun.Status.COMPLETED, pass.finish(first.id(), WORKER).status());

            full.sync(WORKER);
            CountingSnapshots.assertSameItems(full.snapshot(), pass.snapshot(), "the next pass's changes stand");
            assertEquals(full.kept(), pass.kept(), "in the kept data too");
        }
    }

    /**
     * An event log whose next put or delete, once armed, lands and then kills the worker (as a worker
     * that dies before it hears the call's answer).
     */
    private static final class DyingEventLog implements dev.kitebridge.events.EventLog {
        private final InMemoryEventLog events = new InMemoryEventLog();
        private final java.util.concurrent.atomic.AtomicBoolean dies = new java.util.concurrent.atomic.AtomicBoolean();
        private final java.util.concurrent.atomic.AtomicInteger kills = new java.util.concurrent.atomic.AtomicInteger();

        void dieAtTheNextCall() {
            dies.set(true);
        }

        int kills() {
            return kills.get();
        }

        @Override
        public void put(String accountId, List<ChangeEvent> written) {
            events.put(accountId, written);
            dieIfDue();
        }

        @Override
        public void delete(String accountId, List<String> positions) {
            events.delete(accountId, positions);
            dieIfDue();
        }

        private void dieIfDue() {
            if (dies.getAndSet(false)) {
                kills.incrementAndGet();
                throw new Killer.Killed();
            }
        }

        @Override
        public List<ChangeEvent> list(String accountId, String afterPosition, String beforePosition, int limit) {
            return events.list(accountId, afterPosition, beforePosition, limit);
        }
    }
}
