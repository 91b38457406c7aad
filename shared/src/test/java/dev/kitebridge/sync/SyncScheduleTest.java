package dev.kitebridge.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.kitebridge.VirtualTime;
import dev.kitebridge.buildkite.graphql.SignalsQueries.Signals;
import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.model.Member;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.Population;
import dev.kitebridge.sandbox.model.Team;
import dev.kitebridge.sandbox.model.TeamFields;
import dev.kitebridge.sandbox.model.TeamMember;

/**
 * The schedule's tick, on a clock the test moves: a first full run; then, where the organization
 * serves audit events, a poll that finds nothing when nothing changed and a pass of changes when
 * something did, publishing what a full run would; a daily full run as the safety net; and, where
 * audit events are not served, that remembered and full runs at their own cadence.
 */
class SyncScheduleTest {

    private static final Duration WORKER = Duration.ofMinutes(10);
    private static final SyncCadence CADENCE = new SyncCadence(Duration.ofMinutes(1), Duration.ofDays(1), Duration.ofMinutes(10),
            Duration.ofDays(1), Duration.ofDays(1));

    /** The account's schedule, the account registered with it as linking does. */
    private static SyncSchedule schedule(SyncFixture fixture, VirtualTime time) {
        return schedule(fixture, time, new LightWatch(fixture.access, fixture.directoryService));
    }

    private static SyncSchedule schedule(SyncFixture fixture, VirtualTime time, LightWatch light) {
        fixture.syncs.createAccount(AccountSync.first(SyncFixture.ACCOUNT, SyncFixture.TENANT));
        return new SyncSchedule(fixture.accounts, fixture.syncs, fixture.service, new AuditWatch(fixture.access, fixture.snapshots, time),
                light, CADENCE, time);
    }

    /** Works on the run the tick queued until it is done. */
    private static SyncRun finishQueued(SyncFixture fixture) {
        String runId = fixture.queued.remove(fixture.queued.size() - 1);
        return fixture.finish(runId, WORKER);
    }

    private static List<String> changesOf(List<ChangeEvent> events, int from) {
        return events.subList(from, events.size()).stream().filter(e -> !e.event().startsWith("sync_run."))
                .map(e -> e.event() + " " + e.data() + " " + e.previousAttributes()).toList();
    }

    @Test
    void auditEventsDriveAPassThatPublishesWhatAFullRunFinds() {
        VirtualTime time = new VirtualTime();
        try (Sandbox sandbox = time.sandbox().population(Population.of(80, 5).withEnterprise(1)).start();
             SyncFixture watched = new SyncFixture(sandbox, time);
             SyncFixture reference = new SyncFixture(sandbox, time)) {
            SyncSchedule schedule = schedule(watched, time);
            assertEquals(new SyncSchedule.Tick(0, 0, 0, 0), schedule.tick(time.now()), "a tick out of time looks at nothing");
            assertEquals(new SyncSchedule.Tick(1, 0, 0, 0), schedule.tick(), "an account never synced gets a full run");
            assertEquals(SyncRun.Status.COMPLETED, finishQueued(watched).status());
            reference.sync(WORKER);
            assertEquals(new SyncSchedule.Tick(0, 0, 1, 0), schedule.tick(), "a poll that finds nothing starts nothing");
            assertEquals(new SyncSchedule.Tick(0, 0, 0, 0), schedule.tick(), "and the next is a minute later");
            AuditCursor cursor = watched.syncs.account(SyncFixture.ACCOUNT).orElseThrow().audit(watched.org().uuid());
            assertNotNull(cursor.polledAt());
            assertTrue(cursor.unavailableSince() == null, "the organization serves audit events");

            // Changes as people make them in Buildkite's UI: each is an audit event.
            change(sandbox, watched);

            time.advance(Duration.ofMinutes(1));
            int watchedSeen = watched.events().size();
            int referenceSeen = reference.events().size();
            assertEquals(new SyncSchedule.Tick(0, 1, 1, 0), schedule.tick(), "the poll starts a pass of changes");
            SyncRun pass = finishQueued(watched);
            assertEquals(SyncRun.Status.COMPLETED, pass.status(), pass.error());
            assertFalse(pass.full());
            reference.sync(WORKER);
            List<String> found = changesOf(watched.events(), watchedSeen);
            assertFalse(found.isEmpty());
            assertEquals(changesOf(reference.events(), referenceSeen), found, "the pass publishes what a full run finds");

            time.advance(Duration.ofMinutes(1));
            assertEquals(new SyncSchedule.Tick(0, 0, 1, 0), schedule.tick(), "events already acted on are not acted on again");
            for (int minute = 0; minute < 3; minute++) {
                time.advance(Duration.ofMinutes(1));
                assertEquals(new SyncSchedule.Tick(0, 0, 1, 0), schedule.tick());
            }
            // Once past the overlap, a quiet organization's poll lists nothing: its last events are not paid for again every minute.
            var polls = sandbox.journal().entries().stream().filter(e -> "OrganizationAuditEvents".equals(e.operation())).toList();
            assertEquals(6, polls.get(polls.size() - 1).actualComplexity(),
                    "a poll that lists no event: organization, permissions, auditEventsView, auditEvents, pageInfo, edges");

            time.advance(Duration.ofDays(1));
            int beforeFull = watched.events().size();
            assertEquals(new SyncSchedule.Tick(1, 0, 0, 0), schedule.tick(), "a full run a day, the safety net");
            SyncRun full = finishQueued(watched);
            assertTrue(full.full());
            assertEquals(List.of(), changesOf(watched.events(), beforeFull), "and it finds nothing the pass left");
        }
    }

    /**
     * A move between teams, as its audit events name it, costs the poll and a pass that reads the
     * member and the two teams' counts: not the teams, their rosters' pages nor their pipelines (a membership changes
     * neither), nor which organizations the token reaches (the poll has just reached this one; the
     * pass takes it from the last run). A team renamed in the same minute as a member joins it is
     * read whole, once. Each pass publishes what a full run finds.
     */
    @Test
    void aMembershipsPassReadsTheRostersAloneAndNotTheOrganizations() {
        VirtualTime time = new VirtualTime();
        try (Sandbox sandbox = time.sandbox().population(Population.of(80, 5).withEnterprise(1)).start();
             SyncFixture watched = new SyncFixture(sandbox, time);
             SyncFixture reference = new SyncFixture(sandbox, time)) {
            SyncSchedule schedule = schedule(watched, time);
            schedule.tick();
            finishQueued(watched);
            reference.sync(WORKER);
            assertEquals(new SyncSchedule.Tick(0, 0, 1, 0), schedule.tick(), "the first poll places the cursor");
            var world = sandbox.world();
            Organization org = watched.org();
            List<Team> teams = world.teams(org.uuid());
            TeamMember moving = world.teamMembers(org.uuid(), teams.get(0).uuid()).stream()
                    .filter(m -> !m.userUuid().equals(watched.actor()) && world.teamMember(org.uuid(), teams.get(1).uuid(), m.userUuid()).isEmpty())
                    .findFirst().orElseThrow();
            world.moveTeamMember(org, watched.actor(), teams.get(0).uuid(), teams.get(1).uuid(), moving.userUuid(), TeamMember.Role.MEMBER);
            int teamsNow = world.teamMembershipsOf(org.uuid(), moving.userUuid()).size();
            time.advance(Duration.ofMinutes(10)); // past what a process keeps of the organizations the token reaches

            int watchedSeen = watched.events().size();
            int referenceSeen = reference.events().size();
            int journalSeen = sandbox.journal().entries().size();
            assertEquals(new SyncSchedule.Tick(0, 1, 1, 0), schedule.tick(), "the poll starts a pass");
            SyncRun pass = finishQueued(watched);
            java.util.Map<String, Long> spent = JournalSpent.since(sandbox, journalSeen);
            assertEquals(SyncRun.Status.COMPLETED, pass.status(), pass.error());
            assertEquals(java.util.Set.of(Subject.user(org.uuid(), moving.userUuid()), Subject.count(org.uuid(), teams.get(0).uuid()),
                    Subject.count(org.uuid(), teams.get(1).uuid())), java.util.Set.copyOf(pass.subjects()));
            long poll = spent.get("points OrganizationAuditEvents");
            // The member's one membership query (10 points, 2 a team), their membership, each team's count with its UUID (2 points)
            // and the membership there asked again, VERIFY's check of the one left: no roster's pages.
            assertEquals(java.util.Map.of(
                    "points OrganizationAuditEvents", poll,
                    "points MyMembership", 10L + 2L * teamsNow,
                    "points TeamCount", 2L * 2,
                    "GET /v2/organizations/{org}/members/{user}", 1L,
                    "GET /v2/organizations/{org}/teams/{team}/members/{user}", 3L), spent, "the poll's and the pass's cost in Buildkite's journal");
            reference.sync(WORKER);
            assertEquals(changesOf(reference.events(), referenceSeen), changesOf(watched.events(), watchedSeen),
                    "the pass publishes what a full run finds");

            String joiner = world.members(org.uuid()).stream().filter(m -> !m.userUuid().equals(watched.actor())
                    && world.teamMember(org.uuid(), teams.get(2).uuid(), m.userUuid()).isEmpty()).findFirst().orElseThrow().userUuid();
            world.addTeamMember(org, watched.actor(), teams.get(2).uuid(), joiner, TeamMember.Role.MAINTAINER);
            world.updateTeam(org, watched.actor(), teams.get(2).uuid(), new TeamFields("Renamed " + teams.get(2).name(), null, null, null,
                    null, null, null, null, null, null));
            time.advance(Duration.ofMinutes(1));
            watchedSeen = watched.events().size();
            referenceSeen = reference.events().size();
            journalSeen = sandbox.journal().entries().size();
            assertEquals(new SyncSchedule.Tick(0, 1, 1, 0), schedule.tick());
            pass = finishQueued(watched);
            spent = JournalSpent.since(sandbox, journalSeen);
            assertEquals(SyncRun.Status.COMPLETED, pass.status(), pass.error());
            assertTrue(pass.subjects().contains(Subject.group(org.uuid(), teams.get(2).uuid()))
                    && !pass.subjects().contains(Subject.roster(org.uuid(), teams.get(2).uuid()))
                    && !pass.subjects().contains(Subject.count(org.uuid(), teams.get(2).uuid())), "read whole: " + pass.subjects());
            assertEquals(1L, spent.get("GET /v2/organizations/{org}/teams/{team}"), "once: " + spent);
            assertEquals(1L, spent.get("GET /v2/organizations/{org}/teams/{team}/pipelines"), "once: " + spent);
            assertEquals(1L, spent.get("GET /v2/organizations/{org}/teams/{team}/members"), "once: " + spent);
            assertFalse(spent.containsKey("GET /v2/organizations"), "the organizations from the last run: " + spent);
            reference.sync(WORKER);
            assertEquals(changesOf(reference.events(), referenceSeen), changesOf(watched.events(), watchedSeen),
                    "the pass publishes what a full run finds");
        }
    }

    /**
     * A poll that finds nothing new writes nothing (the account's sync state keeps its revision), yet
     * the next poll still waits for the cadence; a schedule that never saw the account (a new
     * instance) polls it from the cursor as written and acts on no event twice; a change is found
     * and its cursor written.
     */
    @Test
    void aQuietPollWritesNothingAndTheCadenceHolds() {
        VirtualTime time = new VirtualTime();
        try (Sandbox sandbox = time.sandbox().population(Population.of(40, 3).withEnterprise(1)).start();
             SyncFixture watched = new SyncFixture(sandbox, time)) {
            SyncSchedule schedule = schedule(watched, time);
            schedule.tick();
            finishQueued(watched);
            assertEquals(new SyncSchedule.Tick(0, 0, 1, 0), schedule.tick(), "the first poll places the cursor");
            change(sandbox, watched);
            time.advance(Duration.ofMinutes(1));
            assertEquals(new SyncSchedule.Tick(0, 1, 1, 0), schedule.tick());
            finishQueued(watched);
            AccountSync acted = watched.syncs.account(SyncFixture.ACCOUNT).orElseThrow();

            for (int minute = 0; minute < 3; minute++) {
                time.advance(Duration.ofMinutes(1));
                assertEquals(new SyncSchedule.Tick(0, 0, 1, 0), schedule.tick(), "a poll that asks again for the events acted on");
                assertEquals(acted.revision(), watched.syncs.account(SyncFixture.ACCOUNT).orElseThrow().revision(), "writes nothing");
                assertEquals(new SyncSchedule.Tick(0, 0, 0, 0), schedule.tick(), "and the next is still a minute later");
            }
            SyncSchedule another = schedule(watched, time);
            assertEquals(new SyncSchedule.Tick(0, 0, 1, 0), another.tick(), "a new instance polls once, from the cursor as written");
            assertEquals(acted.revision(), watched.syncs.account(SyncFixture.ACCOUNT).orElseThrow().revision());

            var world = sandbox.world();
            Member renamed = world.members(watched.org().uuid()).stream().filter(m -> !m.userUuid().equals(watched.actor()))
                    .findFirst().orElseThrow();
            world.updateMember(watched.org(), watched.actor(), renamed.userUuid(), Member.Role.ADMIN, null);
            time.advance(Duration.ofMinutes(1));
            assertEquals(new SyncSchedule.Tick(0, 1, 1, 0), schedule.tick(), "a new event is found and acted on");
            assertTrue(watched.syncs.account(SyncFixture.ACCOUNT).orElseThrow().revision() > acted.revision(), "its cursor written");
        }
    }

    /**
     * The listing a tick reads may lag a write by a moment (it is read eventually consistent): the
     * daily full run that ended just now still looks due in it. It is not started again: a full run
     * is started on the account's state as it is.
     */
    @Test
    void aFullRunThatEndedJustNowIsNotStartedAgainFromALaggingListing() {
        VirtualTime time = new VirtualTime();
        try (Sandbox sandbox = time.sandbox().population(Population.of(20, 2).withEnterprise(1)).start();
             SyncFixture fixture = new SyncFixture(sandbox, time)) {
            fixture.syncs.createAccount(AccountSync.first(SyncFixture.ACCOUNT, SyncFixture.TENANT));
            Lagging listing = new Lagging(fixture.syncs);
            SyncSchedule schedule = new SyncSchedule(fixture.accounts, listing, fixture.service,
                    new AuditWatch(fixture.access, fixture.snapshots, time), new LightWatch(fixture.access, fixture.directoryService), CADENCE, time);
            schedule.tick();
            finishQueued(fixture);
            time.advance(Duration.ofDays(1));
            listing.frozen = fixture.syncs.accounts();
            assertEquals(new SyncSchedule.Tick(1, 0, 0, 0), schedule.tick(), "the daily full run");
            assertTrue(finishQueued(fixture).full());
            time.advance(Duration.ofMinutes(1));
            assertEquals(new SyncSchedule.Tick(0, 0, 1, 0), schedule.tick(), "the listing from before it ended: a poll, no second full run");
        }
    }

    /**
     * An account whose run the schedule cannot read (stored by a newer release, whose subject kinds this one does not know)
     * waits, and the tick goes on with the others: it threw, and no account was looked at while the run stayed.
     */
    @Test
    void aRunTheScheduleCannotReadLeavesItsAccountWaitingNotTheTickFailing() {
        VirtualTime time = new VirtualTime();
        try (Sandbox sandbox = time.sandbox().population(Population.of(20, 2)).start();
             SyncFixture fixture = new SyncFixture(sandbox, time)) {
            Unreadable runs = new Unreadable(fixture.syncs);
            fixture.syncs.createAccount(AccountSync.first(SyncFixture.ACCOUNT, SyncFixture.TENANT));
            SyncSchedule schedule = new SyncSchedule(fixture.accounts, runs, fixture.service,
                    new AuditWatch(fixture.access, fixture.snapshots, time), new LightWatch(fixture.access, fixture.directoryService), CADENCE, time);
            assertEquals(new SyncSchedule.Tick(1, 0, 0, 0), schedule.tick(), "the first full run, queued");
            runs.unreadable = true;
            time.advance(Duration.ofMinutes(1));
            assertEquals(new SyncSchedule.Tick(0, 0, 0, 0), schedule.tick(), "its account waits; the tick does not fail");
        }
    }

    /** The sync states, with runs that cannot be read once {@link #unreadable}. */
    private static final class Unreadable extends ForwardingSyncStore {
        volatile boolean unreadable;

        Unreadable(SyncStore store) {
            super(store);
        }

        @Override
        public java.util.Optional<SyncRun> run(String runId) {
            if (unreadable) {
                throw new IllegalStateException("cannot read run " + runId + ": unknown subject kind");
            }
            return store.run(runId);
        }
    }

    /** The sync states, with a listing that lags: as it was when {@link #frozen} was taken. */
    private static final class Lagging extends ForwardingSyncStore {
        List<AccountSync> frozen;

        Lagging(SyncStore store) {
            super(store);
        }

        @Override
        public List<AccountSync> accounts() {
            return frozen != null ? frozen : store.accounts();
        }
    }

    /** The changes of {@link #auditEventsDriveAPassThatPublishesWhatAFullRunFinds}, and a join, as people make them in Buildkite. */
    private static void change(Sandbox sandbox, SyncFixture fixture) {
        var world = sandbox.world();
        Organization org = fixture.org();
        String actor = fixture.actor();
        List<Team> teams = world.teams(org.uuid());
        TeamMember moving = world.teamMembers(org.uuid(), teams.get(0).uuid()).stream()
                .filter(m -> !m.userUuid().equals(actor) && world.teamMember(org.uuid(), teams.get(1).uuid(), m.userUuid()).isEmpty())
                .findFirst().orElseThrow();
        world.moveTeamMember(org, actor, teams.get(0).uuid(), teams.get(1).uuid(), moving.userUuid(), TeamMember.Role.MEMBER);
        world.updateTeam(org, actor, teams.get(2).uuid(), new TeamFields("Renamed " + teams.get(2).name(), null, null, null, null, null,
                null, null, null, null));
        Member promoted = world.members(org.uuid()).stream().filter(m -> m.role() == Member.Role.MEMBER
                && !m.userUuid().equals(moving.userUuid())).findFirst().orElseThrow();
        world.updateMember(org, actor, promoted.userUuid(), Member.Role.ADMIN, null);
        Member leaving = world.members(org.uuid()).stream().filter(m -> m.role() == Member.Role.MEMBER
                && !m.userUuid().equals(moving.userUuid()) && !world.teamMembershipsOf(org.uuid(), m.userUuid()).isEmpty())
                .findFirst().orElseThrow();
        world.removeMember(org, actor, leaving.userUuid());
        world.setTwoFactor(world.members(org.uuid()).stream().filter(m -> !m.userUuid().equals(actor)
                && !m.userUuid().equals(promoted.userUuid())).toList().get(3).userUuid(), true);
        var invited = world.invite(org, actor, List.of("joiner@example.com", "pending@example.com"), Member.Role.MEMBER, null, List.of());
        world.acceptInvitation(org.uuid(), invited.get(0).uuid(), "Joan Joiner");
    }

    @Test
    void withoutAuditEventsCountsDriveAPassThatPublishesWhatAFullRunFinds() {
        VirtualTime time = new VirtualTime();
        try (Sandbox sandbox = time.sandbox().population(Population.of(80, 5)).start();
             SyncFixture watched = new SyncFixture(sandbox, time);
             SyncFixture reference = new SyncFixture(sandbox, time)) {
            SyncSchedule schedule = schedule(watched, time);
            schedule.tick();
            finishQueued(watched);
            reference.sync(WORKER);
            assertEquals(new SyncSchedule.Tick(0, 0, 1, 0), schedule.tick(), "audit events asked for once");
            assertNotNull(watched.syncs.account(SyncFixture.ACCOUNT).orElseThrow().audit(watched.org().uuid()).unavailableSince(),
                    "not on Enterprise: remembered");
            assertEquals(new SyncSchedule.Tick(0, 1, 0, 1), schedule.tick(),
                    "the first look compares with the kept data, which has no invitations: they are read once");
            finishQueued(watched);
            time.advance(Duration.ofMinutes(10));
            assertEquals(new SyncSchedule.Tick(0, 0, 0, 1), schedule.tick(), "a look at unchanged counts starts nothing");

            change(sandbox, watched);
            time.advance(Duration.ofMinutes(10));
            int watchedSeen = watched.events().size();
            int referenceSeen = reference.events().size();
            assertEquals(new SyncSchedule.Tick(0, 1, 0, 1), schedule.tick(), "the counts moved: a pass");
            SyncRun pass = finishQueued(watched);
            assertEquals(SyncRun.Status.COMPLETED, pass.status(), pass.error());
            reference.sync(WORKER);
            assertEquals(changesOf(reference.events(), referenceSeen), changesOf(watched.events(), watchedSeen),
                    "the pass publishes what a full run finds");

            time.advance(Duration.ofMinutes(10));
            assertEquals(new SyncSchedule.Tick(0, 0, 0, 1), schedule.tick(), "counts already acted on start nothing");
            time.advance(Duration.ofDays(1));
            int beforeFull = watched.events().size();
            assertEquals(new SyncSchedule.Tick(1, 0, 0, 0), schedule.tick(), "a full run a day without audit events too");
            finishQueued(watched);
            assertEquals(List.of(), changesOf(watched.events(), beforeFull), "and it finds nothing the pass left");
        }
    }

    /**
     * A move made through Kitebridge (POST /groups/add-user, then remove-user) updates the directory's kept rosters at once,
     * ahead of the account's snapshot: the look that finds the two teams' counts moved names the teams, and the pass
     * publishes what a full run finds (a look that compared Buildkite's roster with the kept one named no one and lost the
     * move's events).
     */
    @Test
    void aMoveTheKeptRostersHaveAlreadyIsPublishedAsAFullRunFindsIt() {
        VirtualTime time = new VirtualTime();
        try (Sandbox sandbox = time.sandbox().population(Population.of(80, 5)).start();
             SyncFixture watched = new SyncFixture(sandbox, time);
             SyncFixture reference = new SyncFixture(sandbox, time)) {
            SyncSchedule schedule = settled(watched, time);
            reference.sync(WORKER);
            var world = sandbox.world();
            Organization org = watched.org();
            List<Team> teams = world.teams(org.uuid());
            TeamMember moving = world.teamMembers(org.uuid(), teams.get(0).uuid()).stream()
                    .filter(m -> !m.userUuid().equals(watched.actor()) && world.teamMember(org.uuid(), teams.get(1).uuid(), m.userUuid()).isEmpty())
                    .findFirst().orElseThrow();
            world.moveTeamMember(org, watched.actor(), teams.get(0).uuid(), teams.get(1).uuid(), moving.userUuid(), TeamMember.Role.MEMBER);
            // As GroupWrites keeps it after the two writes.
            watched.directoryService.revised(SyncFixture.DATA_KEY, org.slug(), kept -> {
                kept.teamMemberSet(teams.get(1).uuid(), moving.userUuid(), dev.kitebridge.buildkite.TeamRole.MEMBER);
                kept.teamMemberRemoved(teams.get(0).uuid(), moving.userUuid());
            }, time.now());
            time.advance(Duration.ofMinutes(10));
            int watchedSeen = watched.events().size();
            int referenceSeen = reference.events().size();

            assertEquals(new SyncSchedule.Tick(0, 1, 0, 1), schedule.tick(), "the counts moved: a pass");
            SyncRun pass = finishQueued(watched);
            reference.sync(WORKER);

            assertEquals(SyncRun.Status.COMPLETED, pass.status(), pass.error());
            List<String> found = changesOf(watched.events(), watchedSeen);
            assertTrue(found.stream().anyMatch(e -> e.startsWith(ChangeEvent.GROUP_USER_ADDED)), String.join("\n", found));
            assertEquals(changesOf(reference.events(), referenceSeen), found, "what a full run finds");
        }
    }

    /**
     * Many members joined one team, named as a look names them (each member, then the team's count): past {@link
     * SubjectReader#COUNT_ASKS} memberships the count reads the team's roster instead (paced, read on where a spent budget
     * stops it), not each membership alone in one go (a REST request each: some 50 spend a minute's budget, the count began
     * again every turn, and the run failed), and the pass publishes what a full run finds.
     */
    @Test
    void aCountOfManyJoinersReadsTheTeamsRosterAndCompletes() {
        VirtualTime time = new VirtualTime();
        try (Sandbox sandbox = time.sandbox().population(Population.of(200, 3)).start();
             SyncFixture watched = new SyncFixture(sandbox, time);
             SyncFixture reference = new SyncFixture(sandbox, time)) {
            watched.sync(WORKER);
            reference.sync(WORKER);
            var world = sandbox.world();
            Organization org = watched.org();
            Team team = world.teams(org.uuid()).get(0);
            List<String> joiners = world.members(org.uuid()).stream().map(Member::userUuid)
                    .filter(u -> !u.equals(watched.actor()) && world.teamMember(org.uuid(), team.uuid(), u).isEmpty()).limit(70).toList();
            assertEquals(70, joiners.size());
            joiners.forEach(u -> world.addTeamMember(org, watched.actor(), team.uuid(), u, TeamMember.Role.MEMBER));
            List<Subject> subjects = new java.util.ArrayList<>();
            joiners.forEach(u -> subjects.add(Subject.user(org.uuid(), u)));
            subjects.add(Subject.count(org.uuid(), team.uuid()));
            int watchedSeen = watched.events().size();
            int referenceSeen = reference.events().size();

            SyncRun pass = watched.finish(watched.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "counts", subjects).run().id(),
                    WORKER);
            reference.sync(WORKER);

            assertEquals(SyncRun.Status.COMPLETED, pass.status(), pass.error());
            assertTrue(pass.subjects().contains(Subject.roster(org.uuid(), team.uuid())), "the team's roster read");
            assertEquals(changesOf(reference.events(), referenceSeen), changesOf(watched.events(), watchedSeen), "what a full run finds");
        }
    }

    /** A member who joins without a team (an invitation accepted): they move no team's count. */
    private static Member teamless(Sandbox sandbox, SyncFixture fixture, String email, String name) {
        var world = sandbox.world();
        var invited = world.invite(fixture.org(), fixture.actor(), List.of(email), Member.Role.MEMBER, null, List.of());
        return world.acceptInvitation(fixture.org().uuid(), invited.get(0).uuid(), name);
    }

    /** The first full run, audit events asked for (not served), the first look and its pass, a quiet look. */
    private static SyncSchedule settled(SyncFixture fixture, VirtualTime time) {
        return settled(fixture, time, new LightWatch(fixture.access, fixture.directoryService));
    }

    private static SyncSchedule settled(SyncFixture fixture, VirtualTime time, LightWatch light) {
        SyncSchedule schedule = schedule(fixture, time, light);
        schedule.tick();
        finishQueued(fixture);
        schedule.tick(); // audit events asked for: not served
        schedule.tick(); // the first look (the invitations read once)
        finishQueued(fixture);
        time.advance(Duration.ofMinutes(10));
        assertEquals(new SyncSchedule.Tick(0, 0, 0, 1), schedule.tick(), "nothing moved");
        return schedule;
    }

    private static List<String> sorted(List<String> changes) {
        return changes.stream().sorted().toList();
    }

    /**
     * A member without teams who leaves moves no team's count, and a join in the same interval
     * leaves the member count as it was: the look finds the joiner but cannot place the leave; the
     * same look's pass reads the member list, which says who, and publishes what a full run finds.
     */
    @Test
    void aLeaveTheCountsCannotPlaceIsFoundByTheMemberListNotAFullRun() {
        VirtualTime time = new VirtualTime();
        CountingSnapshots counted = new CountingSnapshots(new dev.kitebridge.state.memory.InMemorySnapshotStore(time));
        try (Sandbox sandbox = time.sandbox().population(Population.of(30, 3)).start();
             SyncFixture watched = new SyncFixture(sandbox, time, counted);
             SyncFixture reference = new SyncFixture(sandbox, time)) {
            Organization org = watched.org();
            Member loner = teamless(sandbox, watched, "loner@example.com", "Lone Member");
            SyncSchedule schedule = settled(watched, time);
            reference.sync(WORKER);
            int watchedSeen = watched.events().size();
            int referenceSeen = reference.events().size();

            sandbox.world().removeMember(org, watched.actor(), loner.userUuid());
            Member joiner = teamless(sandbox, watched, "newcomer@example.com", "New Comer");
            time.advance(Duration.ofMinutes(10));
            assertEquals(new SyncSchedule.Tick(0, 1, 0, 1), schedule.tick(),
                    "the joiner is among the newest, the count cannot place the leave: a pass that reads the member list, not a full run");
            SyncRun listed = finishQueued(watched);
            assertEquals(SyncRun.Status.COMPLETED, listed.status(), listed.error());
            assertFalse(listed.full());
            assertEquals(List.of(Subject.user(org.uuid(), joiner.userUuid()), Subject.members(org.uuid()),
                    Subject.user(org.uuid(), loner.userUuid())), listed.subjects(), "the joiner, and the list names the leaver, nobody else");

            reference.sync(WORKER);
            List<String> found = sorted(changesOf(watched.events(), watchedSeen));
            assertEquals(2, found.size(), String.join("\n", found));
            assertTrue(found.stream().anyMatch(e -> e.startsWith(ChangeEvent.USER_DELETED)), String.join("\n", found));
            assertEquals(sorted(changesOf(reference.events(), referenceSeen)), found, "the passes publish what a full run finds");
            CountingSnapshots.assertSameItems(reference.snapshot(), watched.snapshot(), "and leave the snapshot it reads");
            assertEquals(reference.kept(), watched.kept(), "and the directory's kept data");
            // The list's markers are left in the pass's generation, to expire with it (TTL deletes them).
            assertTrue(watched.snapshots.list(SyncFixture.ACCOUNT, listed.generation(), null, 500).stream()
                    .anyMatch(i -> i.key().startsWith(MemberListReader.LISTED)));
            counted.assertEveryItemExpiresAt(SyncFixture.ACCOUNT, listed.generation(), listed.scratchExpiresAt());

            time.advance(Duration.ofMinutes(10));
            assertEquals(new SyncSchedule.Tick(0, 0, 0, 1), schedule.tick(), "the list settled the count: nothing more");
            CountsSeen counts = watched.syncs.account(SyncFixture.ACCOUNT).orElseThrow().counts();
            assertEquals(List.of(), List.copyOf(counts.doubted()));
            assertEquals(List.of(), List.copyOf(counts.listed()));
            time.advance(Duration.ofDays(1));
            int beforeFull = watched.events().size();
            assertEquals(new SyncSchedule.Tick(1, 0, 0, 0), schedule.tick());
            finishQueued(watched);
            assertEquals(List.of(), changesOf(watched.events(), beforeFull), "the daily full run finds nothing the list pass left");
        }
    }

    /**
     * Where the member list's pass leaves a member count Buildkite's does not match (here: the
     * kept data lost a long-standing member the snapshot still has, which the list, compared with
     * the snapshot, cannot mend), the look after it reads the list once more, and the next, still
     * unable to explain the count, starts a full run, which settles it.
     */
    @Test
    void aCountTheMemberListDoesNotSettleStartsAFullRun() {
        VirtualTime time = new VirtualTime();
        try (Sandbox sandbox = time.sandbox().population(Population.of(30, 3)).start();
             SyncFixture fixture = new SyncFixture(sandbox, time)) {
            Organization org = fixture.org();
            Member loner = teamless(sandbox, fixture, "loner@example.com", "Lone Member");
            // One of the first members: not among the newest a look checks.
            Member other = sandbox.world().members(org.uuid()).stream().filter(m -> !m.userUuid().equals(fixture.actor()))
                    .findFirst().orElseThrow();
            SyncSchedule schedule = settled(fixture, time);

            sandbox.world().removeMember(org, fixture.actor(), loner.userUuid());
            time.advance(Duration.ofMinutes(10));
            assertEquals(new SyncSchedule.Tick(0, 1, 0, 1), schedule.tick(), "one member fewer, no team short of one: the member list");
            SyncRun listed = finishQueued(fixture);
            assertEquals(List.of(Subject.members(org.uuid()), Subject.user(org.uuid(), loner.userUuid())), listed.subjects());

            fixture.directoryService.revised(SyncFixture.DATA_KEY, org.slug(), data -> data.memberRemoved(other.userUuid()), time.now());
            time.advance(Duration.ofMinutes(10));
            assertEquals(new SyncSchedule.Tick(0, 1, 0, 1), schedule.tick(),
                    "the kept count is one short of Buildkite's: the list once more (someone may have come or gone since)");
            assertEquals(List.of(Subject.members(org.uuid())), finishQueued(fixture).subjects(), "which finds nobody to re-read");
            time.advance(Duration.ofMinutes(10));
            int seen = fixture.events().size();
            assertEquals(new SyncSchedule.Tick(1, 0, 0, 1), schedule.tick(), "still unexplained after two lists: a full run");
            SyncRun full = finishQueued(fixture);
            assertTrue(full.full());
            assertEquals(SyncRun.Status.COMPLETED, full.status(), full.error());
            assertTrue(fixture.kept().contains(other.userUuid()), "the full run keeps the member again");
            time.advance(Duration.ofMinutes(10));
            assertEquals(new SyncSchedule.Tick(0, 1, 0, 1), schedule.tick(), "the next look compares with what the full run kept");
            assertEquals(List.of(Subject.invitations(org.uuid())), finishQueued(fixture).subjects(),
                    "the count explained: only the invitations, read once after a full run");
            assertTrue(fixture.events().size() > seen);
        }
    }

    /**
     * A false doubt: a member joins between the look's count and its look at the newest members,
     * so the count says one fewer than the joiners found account for (here the kept count seen is
     * set one short, which gives the look the same figures). The look reads the member list at
     * once; the list finds nobody else, the pass publishes the join as a full run would, and the
     * next look is quiet: the doubt cost the list's pass, no full run.
     */
    @Test
    void aFalseDoubtCostsOnlyTheMemberListsPass() {
        VirtualTime time = new VirtualTime();
        try (Sandbox sandbox = time.sandbox().population(Population.of(30, 3)).start();
             SyncFixture watched = new SyncFixture(sandbox, time);
             SyncFixture reference = new SyncFixture(sandbox, time)) {
            Organization org = watched.org();
            SyncSchedule schedule = settled(watched, time);
            reference.sync(WORKER);
            int watchedSeen = watched.events().size();
            int referenceSeen = reference.events().size();

            Member joiner = teamless(sandbox, watched, "newcomer@example.com", "New Comer");
            AccountSync state = watched.syncs.account(SyncFixture.ACCOUNT).orElseThrow();
            Signals seen = state.counts().byOrganization().get(org.uuid());
            watched.syncs.replaceAccount(state.withCounts(new CountsSeen(state.counts().at(), java.util.Map.of(org.uuid(),
                    new Signals(seen.members() - 1, seen.admins(), seen.twoFactor(), seen.invitations(), seen.teams())),
                    java.util.Set.of(), java.util.Set.of(), state.counts().twoFactorByTeam())));
            time.advance(Duration.ofMinutes(10));
            assertEquals(new SyncSchedule.Tick(0, 1, 0, 1), schedule.tick(), "doubted: the member list at once");
            SyncRun listed = finishQueued(watched);
            assertEquals(SyncRun.Status.COMPLETED, listed.status(), listed.error());
            assertEquals(List.of(Subject.user(org.uuid(), joiner.userUuid()), Subject.members(org.uuid())), listed.subjects(),
                    "the joiner, and the list finds nobody else");
            reference.sync(WORKER);
            assertEquals(changesOf(reference.events(), referenceSeen), changesOf(watched.events(), watchedSeen),
                    "the pass publishes what a full run finds");

            for (int look = 0; look < 2; look++) {
                time.advance(Duration.ofMinutes(10));
                assertEquals(new SyncSchedule.Tick(0, 0, 0, 1), schedule.tick(), "the list settled it: no more lists, no full run");
            }
            CountsSeen counts = watched.syncs.account(SyncFixture.ACCOUNT).orElseThrow().counts();
            assertEquals(List.of(), List.copyOf(counts.doubted()));
            assertEquals(List.of(), List.copyOf(counts.listed()));
        }
    }

    // ---------------------------------------------------------------- 2FA where both sides are too many to list

    /** A look that lists at most {@code listPoints} of teams' 2FA sides, where both sides of the organization's count are larger than allowed. */
    private static LightWatch bothSidesTooLarge(SyncFixture fixture, long listPoints) {
        var world = fixture.sandbox.world();
        List<Member> members = world.members(fixture.org().uuid());
        long on = members.stream().filter(m -> world.requireUser(m.userUuid()).twoFactorEnabled()).count();
        int limit = (int) Math.min(on, members.size() - on) - 3; // both sides over it, before the changes and after
        assertTrue(limit >= 1, on + " of " + members.size() + " with 2FA on");
        return new LightWatch(fixture.access, fixture.directoryService, limit, listPoints);
    }

    /** How many pages of teams' 2FA sides the sandbox answered. */
    private static long sidesListed(Sandbox sandbox) {
        return sandbox.journal().count(e -> "TwoFactorSide".equals(e.operation()));
    }

    /**
     * The 10,000-member case in small: both sides of the organization's 2FA count are too many to
     * list. A member in several teams turns 2FA on: each of their teams' counts of members with 2FA
     * on moves; the look lists the smallest of those teams' smaller side, finds the member, and their
     * other teams' moves are explained by the kept rosters (one list, not one a team). The pass
     * publishes what a full run finds; the next look is quiet.
     */
    @Test
    void aTwoFactorChangeBothSidesTooLargeToListIsFoundThroughOneOfItsTeams() {
        VirtualTime time = new VirtualTime();
        try (Sandbox sandbox = time.sandbox().population(Population.of(200, 8)).start();
             SyncFixture watched = new SyncFixture(sandbox, time);
             SyncFixture reference = new SyncFixture(sandbox, time)) {
            Organization org = watched.org();
            var world = sandbox.world();
            Member member = world.members(org.uuid()).stream().filter(m -> m.role() == Member.Role.MEMBER
                    && !world.requireUser(m.userUuid()).twoFactorEnabled()
                    && world.teamMembershipsOf(org.uuid(), m.userUuid()).size() >= 3).findFirst().orElseThrow();
            SyncSchedule schedule = settled(watched, time, bothSidesTooLarge(watched, TwoFactorByTeam.LIST_POINTS));
            reference.sync(WORKER);
            int watchedSeen = watched.events().size();
            int referenceSeen = reference.events().size();
            long listedBefore = sidesListed(sandbox);

            world.setTwoFactor(member.userUuid(), true);
            time.advance(Duration.ofMinutes(10));
            assertEquals(new SyncSchedule.Tick(0, 1, 0, 1), schedule.tick(), "the member's teams' 2FA counts moved: a pass");
            assertEquals(1, sidesListed(sandbox) - listedBefore, "one team listed: the member found explains their other teams");
            SyncRun pass = finishQueued(watched);
            assertEquals(SyncRun.Status.COMPLETED, pass.status(), pass.error());
            assertEquals(List.of(Subject.user(org.uuid(), member.userUuid())), pass.subjects(), "the member, nobody else");

            reference.sync(WORKER);
            List<String> found = changesOf(watched.events(), watchedSeen);
            assertEquals(1, found.size(), String.join("\n", found));
            assertTrue(found.get(0).startsWith(ChangeEvent.USER_UPDATED) && found.get(0).contains("\"is_2fa_enabled\":true"), found.get(0));
            assertEquals(changesOf(reference.events(), referenceSeen), found, "the pass publishes what a full run finds");

            time.advance(Duration.ofMinutes(10));
            long listedAfter = sidesListed(sandbox);
            assertEquals(new SyncSchedule.Tick(0, 0, 0, 1), schedule.tick(), "the teams' counts as the look left them: nothing");
            assertEquals(listedAfter, sidesListed(sandbox), "and nothing listed");
        }
    }

    /**
     * A member with 2FA on leaves the organization: their teams' member counts and 2FA counts move.
     * The look finds them gone from those teams, and their 2FA as kept explains the 2FA moves: no
     * team's side is listed for it.
     */
    @Test
    void aLeaverWithTwoFactorOnMovesTheTeamsCountsWithoutAList() {
        VirtualTime time = new VirtualTime();
        try (Sandbox sandbox = time.sandbox().population(Population.of(200, 8)).start();
             SyncFixture watched = new SyncFixture(sandbox, time)) {
            Organization org = watched.org();
            var world = sandbox.world();
            Member leaver = world.members(org.uuid()).stream().filter(m -> m.role() == Member.Role.MEMBER
                    && world.requireUser(m.userUuid()).twoFactorEnabled()
                    && world.teamMembershipsOf(org.uuid(), m.userUuid()).size() >= 2).findFirst().orElseThrow();
            SyncSchedule schedule = settled(watched, time, bothSidesTooLarge(watched, TwoFactorByTeam.LIST_POINTS));
            int seen = watched.events().size();
            long listedBefore = sidesListed(sandbox);

            world.removeMember(org, watched.actor(), leaver.userUuid());
            time.advance(Duration.ofMinutes(10));
            assertEquals(new SyncSchedule.Tick(0, 1, 0, 1), schedule.tick(), "the leaver's teams moved: a pass");
            assertEquals(listedBefore, sidesListed(sandbox), "the 2FA moves are the leaver's: no side listed");
            assertEquals(SyncRun.Status.COMPLETED, finishQueued(watched).status());
            assertTrue(changesOf(watched.events(), seen).stream().anyMatch(e -> e.startsWith(ChangeEvent.USER_DELETED)
                    && e.contains(leaver.userUuid())), "the leave is published");
        }
    }

    /**
     * Two members in different teams turn 2FA on, and a look may list only one of those teams: it
     * lists the cheaper, and keeps the other team's 2FA count as it was, so the next look sees it
     * moved still and lists it. Both are published, one look apart.
     */
    @Test
    void aTeamBeyondALooksPointsIsListedByTheNextLook() {
        VirtualTime time = new VirtualTime();
        try (Sandbox sandbox = time.sandbox().population(Population.of(200, 8)).start();
             SyncFixture watched = new SyncFixture(sandbox, time)) {
            Organization org = watched.org();
            var world = sandbox.world();
            List<Member> alone = world.members(org.uuid()).stream().filter(m -> m.role() == Member.Role.MEMBER
                    && !world.requireUser(m.userUuid()).twoFactorEnabled() && world.teamMembershipsOf(org.uuid(), m.userUuid()).size() == 1)
                    .toList();
            Member first = alone.get(0);
            String firstTeam = world.teamMembershipsOf(org.uuid(), first.userUuid()).get(0).teamUuid();
            Member second = alone.stream().filter(m -> !world.teamMembershipsOf(org.uuid(), m.userUuid()).get(0).teamUuid().equals(firstTeam))
                    .findFirst().orElseThrow();
            String secondTeam = world.teamMembershipsOf(org.uuid(), second.userUuid()).get(0).teamUuid();
            // Each side's list alone fits the look's points; both do not.
            long points = Math.max(listCost(world, org, firstTeam), listCost(world, org, secondTeam)) + 1;
            SyncSchedule schedule = settled(watched, time, bothSidesTooLarge(watched, points));
            int seen = watched.events().size();

            world.setTwoFactor(first.userUuid(), true);
            world.setTwoFactor(second.userUuid(), true);
            time.advance(Duration.ofMinutes(10));
            assertEquals(new SyncSchedule.Tick(0, 1, 0, 1), schedule.tick());
            List<Subject> one = finishQueued(watched).subjects();
            assertEquals(1, one.size(), one.toString());
            time.advance(Duration.ofMinutes(10));
            assertEquals(new SyncSchedule.Tick(0, 1, 0, 1), schedule.tick(), "the team left unlisted still shows moved: a pass");
            List<Subject> other = finishQueued(watched).subjects();
            assertEquals(java.util.Set.of(Subject.user(org.uuid(), first.userUuid()), Subject.user(org.uuid(), second.userUuid())),
                    java.util.Set.of(one.get(0), other.get(0)), "each member once");
            List<String> published = changesOf(watched.events(), seen);
            assertEquals(2, published.size(), String.join("\n", published));
            time.advance(Duration.ofMinutes(10));
            assertEquals(new SyncSchedule.Tick(0, 0, 0, 1), schedule.tick(), "then quiet");
        }
    }

    /**
     * A member in no team turns 2FA on: no team's count moves, only the organization's, by one more
     * than the teams explain. The kept directory knows who is in no team: each of them with 2FA off
     * is asked (2 points a member), the member found, and the pass publishes what a full run finds.
     */
    @Test
    void aTwoFactorChangeOfAMemberInNoTeamIsFoundAmongTheKeptMembersInNoTeam() {
        VirtualTime time = new VirtualTime();
        try (Sandbox sandbox = time.sandbox().population(Population.of(200, 8)).start();
             SyncFixture watched = new SyncFixture(sandbox, time);
             SyncFixture reference = new SyncFixture(sandbox, time)) {
            Organization org = watched.org();
            var world = sandbox.world();
            Member loner = world.members(org.uuid()).stream().filter(m -> m.role() == Member.Role.MEMBER
                    && !world.requireUser(m.userUuid()).twoFactorEnabled() && world.teamMembershipsOf(org.uuid(), m.userUuid()).isEmpty())
                    .findFirst().orElseThrow();
            SyncSchedule schedule = settled(watched, time, bothSidesTooLarge(watched, TwoFactorByTeam.LIST_POINTS));
            reference.sync(WORKER);
            int watchedSeen = watched.events().size();
            int referenceSeen = reference.events().size();
            long listedBefore = sidesListed(sandbox);

            world.setTwoFactor(loner.userUuid(), true);
            time.advance(Duration.ofMinutes(10));
            assertEquals(new SyncSchedule.Tick(0, 1, 0, 1), schedule.tick(), "the organization's 2FA count moved, no team's: a pass");
            assertEquals(listedBefore, sidesListed(sandbox), "no team's side listed");
            SyncRun pass = finishQueued(watched);
            assertEquals(SyncRun.Status.COMPLETED, pass.status(), pass.error());
            assertEquals(List.of(Subject.user(org.uuid(), loner.userUuid())), pass.subjects(), "the member, nobody else");
            reference.sync(WORKER);
            assertEquals(changesOf(reference.events(), referenceSeen), changesOf(watched.events(), watchedSeen),
                    "the pass publishes what a full run finds");
            time.advance(Duration.ofMinutes(10));
            assertEquals(new SyncSchedule.Tick(0, 0, 0, 1), schedule.tick(), "then quiet");
        }
    }

    /** What listing a team's smaller side of 2FA reserves, one page: 4 points and 1 a member asked for (the side and 5 more). */
    private static long listCost(dev.kitebridge.sandbox.model.World world, Organization org, String team) {
        var members = world.teamMembers(org.uuid(), team);
        long on = members.stream().filter(m -> world.requireUser(m.userUuid()).twoFactorEnabled()).count();
        return 4 + Math.min(on + 1, members.size() - on) + 5; // the side after the change: one more on
    }
}
