package dev.kitebridge.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;

import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.sandbox.model.Member;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.Team;
import dev.kitebridge.sandbox.model.TeamFields;
import dev.kitebridge.sandbox.model.TeamMember;
import dev.kitebridge.state.memory.InMemorySnapshotStore;

/**
 * What a pass of changes reads of the account's snapshot: what its subjects cover and what its
 * records need, not the organization's every team. Each item read is noted by key (DynamoDB
 * charges a Query for every item it reads), and what the pass publishes is checked against what a
 * full run finds.
 */
class PassReadsTest {

    private static final Duration WORKER = Duration.ofMinutes(10);

    /** A snapshot store that notes the keys of the items each read answered with, by generation. */
    private static final class KeysRead extends ForwardingSnapshotStore {
        final Map<Long, Set<String>> read = new ConcurrentHashMap<>();
        /** Keys looked up one by one, by generation, each time (DynamoDB charges each a unit, found or not). */
        final Map<Long, List<String>> lookedUp = new ConcurrentHashMap<>();
        /** Prefixes listed whole, by generation, each time. */
        final Map<Long, List<String>> listed = new ConcurrentHashMap<>();

        KeysRead(SnapshotStore kept) {
            super(kept);
        }

        Set<String> of(long generation) {
            return new TreeSet<>(read.getOrDefault(generation, Set.of()));
        }

        private List<Item> read(long generation, List<Item> items) {
            read.computeIfAbsent(generation, g -> ConcurrentHashMap.newKeySet()).addAll(items.stream().map(Item::key).toList());
            return items;
        }

        @Override
        public List<Item> list(String accountId, long generation, String afterKey, int limit) {
            return read(generation, store.list(accountId, generation, afterKey, limit));
        }

        @Override
        public List<Item> list(String accountId, long generation, String afterKey, String beforeKey, int limit) {
            return read(generation, store.list(accountId, generation, afterKey, beforeKey, limit));
        }

        @Override
        public List<Item> listSettled(String accountId, long generation, String afterKey, String beforeKey, java.time.Instant writtenBefore,
                                      int limit) {
            return read(generation, store.listSettled(accountId, generation, afterKey, beforeKey, writtenBefore, limit));
        }

        @Override
        public List<Item> prefixed(String accountId, long generation, String prefix) {
            listed.computeIfAbsent(generation, g -> java.util.Collections.synchronizedList(new java.util.ArrayList<>())).add(prefix);
            return super.prefixed(accountId, generation, prefix);
        }

        @Override
        public List<Item> get(String accountId, long generation, Collection<String> keys) {
            lookedUp.computeIfAbsent(generation, g -> java.util.Collections.synchronizedList(new java.util.ArrayList<>())).addAll(keys);
            return read(generation, store.get(accountId, generation, keys));
        }
    }

    /**
     * A member's role changed, named alone: the pass builds their record with the names of their own
     * teams, looked up by key; it reads no other team, nor any team's pipelines or roster summary
     * (reading them all cost a pass some 110 read units at 250 teams), and publishes what a full run finds.
     */
    @Test
    void aPassOverOneMemberReadsTheirTeamsNotTheOrganizations() {
        try (SyncFixture full = new SyncFixture(120, 12)) {
            KeysRead keys = new KeysRead(new InMemorySnapshotStore());
            try (SyncFixture pass = new SyncFixture(full.sandbox, keys)) {
                FullRunFinds seen = FullRunFinds.afterFirstSync(full, pass, WORKER);
                var world = full.sandbox.world();
                Organization org = full.org();
                Member promoted = world.members(org.uuid()).stream().filter(m -> !m.userUuid().equals(full.actor())
                        && m.role() == Member.Role.MEMBER && !world.teamMembershipsOf(org.uuid(), m.userUuid()).isEmpty())
                        .findFirst().orElseThrow();
                Set<String> theirTeams = new TreeSet<>(world.teamMembershipsOf(org.uuid(), promoted.userUuid()).stream()
                        .map(t -> t.teamUuid()).toList());
                assertTrue(theirTeams.size() < world.teams(org.uuid()).size(), "a member not in every team");
                world.updateMember(org, full.actor(), promoted.userUuid(), Member.Role.ADMIN, null);

                long current = pass.syncs.account(SyncFixture.ACCOUNT).orElseThrow().currentGeneration();
                keys.read.clear();
                SyncRun done = pass.finish(pass.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit",
                        List.of(Subject.user(org.uuid(), promoted.userUuid()))).run().id(), WORKER);
                List<String> teamsRead = keys.of(current).stream().filter(k -> SnapshotKeys.kind(k) == SnapshotKeys.Kind.GROUP).toList();
                full.sync(WORKER);

                assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
                List<String> found = seen.passFound();
                assertTrue(found.stream().anyMatch(e -> e.startsWith(ChangeEvent.USER_UPDATED)), String.join("\n", found));
                seen.assertSameEventsAndSnapshot();
                List<String> expected = theirTeams.stream().map(t -> SnapshotKeys.group(org.uuid(), t)).sorted().toList();
                assertEquals(expected, teamsRead, "of the teams, the pass reads the member's own, and only their own items");
            }
        }
    }

    /**
     * A team renamed whose members are more than {@link PassTeams#LOOKUPS}, named as the audit watch names it (the team):
     * the pass rebuilds each member's record, and lists the organization's teams once for their names rather than look
     * each up by key, and publishes what a full run finds.
     */
    @Test
    void aPassOverARenamedTeamOfManyMembersListsTheOrganizationsTeams() {
        try (SyncFixture full = new SyncFixture(120, 12)) {
            KeysRead keys = new KeysRead(new InMemorySnapshotStore());
            try (SyncFixture pass = new SyncFixture(full.sandbox, keys)) {
                FullRunFinds seen = FullRunFinds.afterFirstSync(full, pass, WORKER);
                var world = full.sandbox.world();
                Organization org = full.org();
                Team renamed = world.teams(org.uuid()).stream().max(java.util.Comparator.comparing(t -> world.teamMembers(org.uuid(),
                        t.uuid()).size())).orElseThrow();
                assertTrue(world.teamMembers(org.uuid(), renamed.uuid()).size() > PassTeams.LOOKUPS, "more members than lookups");
                world.updateTeam(org, full.actor(), renamed.uuid(), new TeamFields("Renamed " + renamed.name(), null, null, null, null,
                        null, null, null, null, null));

                long current = pass.syncs.account(SyncFixture.ACCOUNT).orElseThrow().currentGeneration();
                keys.lookedUp.clear();
                keys.listed.clear();
                SyncRun done = pass.finish(pass.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit",
                        List.of(Subject.group(org.uuid(), renamed.uuid()))).run().id(), WORKER);
                List<String> teamsLookedUp = keys.lookedUp.getOrDefault(current, List.of()).stream()
                        .filter(k -> k.startsWith(SnapshotKeys.groups(org.uuid())) && SnapshotKeys.partOf(k).isEmpty())
                        .filter(k -> !k.equals(SnapshotKeys.group(org.uuid(), renamed.uuid()))).toList(); // (the subject's own, read whole)
                List<String> listed = keys.listed.getOrDefault(current, List.of());
                full.sync(WORKER);

                assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
                List<String> found = seen.passFound();
                assertTrue(found.stream().filter(e -> e.startsWith(ChangeEvent.USER_UPDATED)).count() > PassTeams.LOOKUPS,
                        "each member's record names the team anew:\n" + String.join("\n", found));
                seen.assertSameEventsSnapshotAndKept();
                assertEquals(List.of(), teamsLookedUp, "no other team looked up by key: the organization's teams listed instead");
                assertTrue(listed.contains(SnapshotKeys.groups(org.uuid())), "the organization's teams listed: " + listed);
            }
        }
    }

    /**
     * A member moved into the largest team, named as its audit events name it (the member, each
     * team's count): the pass reads each team's count (a page of one member over GraphQL) and the
     * member's membership there alone, not the teams' rosters (a REST request a hundred members) nor
     * their whole index (the other members' entries), and publishes what a full run finds, the
     * teams' counts with it.
     */
    @Test
    void aMoveNamedAsItsAuditEventsNameItReadsTheTeamsCountsNotTheirRosters() {
        try (SyncFixture full = new SyncFixture(300, 6)) {
            KeysRead keys = new KeysRead(new InMemorySnapshotStore());
            try (SyncFixture pass = new SyncFixture(full.sandbox, keys)) {
                FullRunFinds seen = FullRunFinds.afterFirstSync(full, pass, WORKER);
                var world = full.sandbox.world();
                Organization org = full.org();
                Team to = world.teams(org.uuid()).stream().max(java.util.Comparator.comparing(t -> world.teamMembers(org.uuid(),
                        t.uuid()).size())).orElseThrow();
                assertTrue(world.teamMembers(org.uuid(), to.uuid()).size() > 100, "a team of more than a roster's page");
                Team from = world.teams(org.uuid()).stream().filter(t -> !t.uuid().equals(to.uuid())
                        && world.teamMembers(org.uuid(), t.uuid()).stream().anyMatch(m -> !m.userUuid().equals(full.actor())
                                && world.teamMember(org.uuid(), to.uuid(), m.userUuid()).isEmpty())).findFirst().orElseThrow();
                String mover = world.teamMembers(org.uuid(), from.uuid()).stream().map(TeamMember::userUuid)
                        .filter(u -> !u.equals(full.actor()) && world.teamMember(org.uuid(), to.uuid(), u).isEmpty()).findFirst().orElseThrow();
                world.moveTeamMember(org, full.actor(), from.uuid(), to.uuid(), mover, TeamMember.Role.MEMBER);

                long current = pass.syncs.account(SyncFixture.ACCOUNT).orElseThrow().currentGeneration();
                keys.read.clear();
                keys.lookedUp.clear();
                int journalSeen = full.sandbox.journal().entries().size();
                List<Subject> subjects = List.of(Subject.user(org.uuid(), mover), Subject.count(org.uuid(), from.uuid()),
                        Subject.count(org.uuid(), to.uuid()));
                SyncRun done = pass.finish(pass.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit", subjects).run().id(),
                        WORKER);
                Map<String, Long> spent = JournalSpent.since(full.sandbox, journalSeen);
                List<String> entriesRead = keys.of(current).stream().filter(TeamIndex::isEntry).toList();
                List<String> lookedUp = keys.lookedUp.getOrDefault(current, List.of());
                full.sync(WORKER);

                assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
                assertEquals(subjects, done.subjects(), "no roster nor team added");
                assertEquals(world.teamMembershipsOf(org.uuid(), mover).size() + 1, done.counts().memberships(),
                        "the mover's memberships, and the one the count of the team joined found again");
                assertEquals(null, spent.get("GET /v2/organizations/{org}/teams/{team}/members"), "no roster's pages: " + spent);
                assertEquals(3L, spent.get("GET /v2/organizations/{org}/teams/{team}/members/{user}"), "the membership in each team asked"
                        + " alone, and VERIFY's check of the one left: " + spent);
                assertEquals(List.of(), entriesRead, "nothing of the teams' index (the mover's entries follow from their memberships)");
                for (Team team : List.of(from, to)) {
                    String summary = SnapshotKeys.group(org.uuid(), team.uuid()) + "/r";
                    assertEquals(2, lookedUp.stream().filter(summary::equals).count(), "each team's summary looked up by its count"
                            + " and by the publish, once each (a unit a key): " + lookedUp);
                }
                List<String> found = seen.passFound();
                assertEquals(2, found.stream().filter(e -> e.startsWith(ChangeEvent.GROUP_UPDATED)).count(), String.join("\n", found));
                seen.assertSameEventsSnapshotAndKept();
                CountingSnapshots.assertIndexExact(pass.snapshot(), true);
            }
        }
    }

    /** A count of a team deleted since (no longer found by its slug) reads the team whole, which finds it gone. */
    @Test
    void aCountOfATeamDeletedSinceReadsTheTeamWhole() {
        try (SyncFixture full = new SyncFixture(60, 4);
             SyncFixture pass = new SyncFixture(full.sandbox, new InMemorySnapshotStore())) {
            FullRunFinds seen = FullRunFinds.afterFirstSync(full, pass, WORKER);
            var world = full.sandbox.world();
            Organization org = full.org();
            Team deleted = world.teams(org.uuid()).get(0);
            world.deleteTeam(org, full.actor(), deleted.uuid());

            SyncRun done = pass.finish(pass.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit",
                    List.of(Subject.count(org.uuid(), deleted.uuid()))).run().id(), WORKER);
            full.sync(WORKER);

            assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
            assertTrue(done.subjects().contains(Subject.group(org.uuid(), deleted.uuid())), "read whole: " + done.subjects());
            List<String> found = seen.passFound();
            assertTrue(found.stream().anyMatch(e -> e.startsWith(ChangeEvent.GROUP_DELETED)), String.join("\n", found));
            seen.assertSameEventsSnapshotAndKept();
        }
    }

    /**
     * A count of a team renamed since, whose old slug another team took: the count's query answers with that other team's
     * UUID, so the count is not taken for this team's; the team is read whole, and the pass publishes what a full run finds.
     */
    @Test
    void aCountWhoseSlugNamesAnotherTeamNowReadsTheTeamWhole() {
        try (SyncFixture full = new SyncFixture(60, 4);
             SyncFixture pass = new SyncFixture(full.sandbox, new InMemorySnapshotStore())) {
            FullRunFinds seen = FullRunFinds.afterFirstSync(full, pass, WORKER);
            var world = full.sandbox.world();
            Organization org = full.org();
            List<Team> teams = world.teams(org.uuid());
            Team renamed = teams.get(0);
            Team other = teams.stream().filter(t -> world.teamMembers(org.uuid(), t.uuid()).size()
                    != world.teamMembers(org.uuid(), renamed.uuid()).size()).findFirst().orElseThrow();
            world.updateTeam(org, full.actor(), renamed.uuid(), new TeamFields("Renamed team", null, null, null, null, null, null, null,
                    null, null));
            world.updateTeam(org, full.actor(), other.uuid(), new TeamFields(renamed.name(), null, null, null, null, null, null, null,
                    null, null));
            assertEquals(renamed.slug(), world.team(other.uuid()).orElseThrow().slug(), "the old slug is the other team's");

            List<Subject> subjects = List.of(Subject.count(org.uuid(), renamed.uuid()), Subject.group(org.uuid(), other.uuid()));
            SyncRun done = pass.finish(pass.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit", subjects).run().id(),
                    WORKER);
            full.sync(WORKER);

            assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
            assertTrue(done.subjects().contains(Subject.group(org.uuid(), renamed.uuid())), "read whole: " + done.subjects());
            seen.assertSameEventsAndSnapshot();
        }
    }

    /** A count of a team made since (the snapshot does not have it) reads the team whole at once. */
    @Test
    void aCountOfATeamMadeSinceReadsTheTeamWhole() {
        try (SyncFixture full = new SyncFixture(60, 4);
             SyncFixture pass = new SyncFixture(full.sandbox, new InMemorySnapshotStore())) {
            FullRunFinds seen = FullRunFinds.afterFirstSync(full, pass, WORKER);
            var world = full.sandbox.world();
            Organization org = full.org();
            Team made = world.createTeam(org, full.actor(), new TeamFields("Made since", null, null, null, null, null, null, null, null,
                    null));
            String joiner = world.members(org.uuid()).stream().map(Member::userUuid).filter(u -> !u.equals(full.actor())).findFirst()
                    .orElseThrow();
            world.addTeamMember(org, full.actor(), made.uuid(), joiner, TeamMember.Role.MEMBER);

            SyncRun done = pass.finish(pass.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit",
                    List.of(Subject.user(org.uuid(), joiner), Subject.count(org.uuid(), made.uuid()))).run().id(), WORKER);
            full.sync(WORKER);

            assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
            assertEquals(List.of(Subject.user(org.uuid(), joiner), Subject.count(org.uuid(), made.uuid()), Subject.group(org.uuid(),
                    made.uuid())), done.subjects(), "read whole, not its roster first");
            seen.assertSameEventsAndSnapshot();
        }
    }

    /** A count of a team whose roster summary the snapshot lacks reads the team's roster (there is no summary to write it into). */
    @Test
    void aCountWithoutItsSummaryReadsTheTeamsRoster() {
        SnapshotStore store = new InMemorySnapshotStore();
        try (SyncFixture full = new SyncFixture(60, 4);
             SyncFixture pass = new SyncFixture(full.sandbox, store)) {
            full.sync(WORKER);
            pass.sync(WORKER);
            var world = full.sandbox.world();
            Organization org = full.org();
            Team team = world.teams(org.uuid()).get(0);
            String joiner = world.members(org.uuid()).stream().map(Member::userUuid)
                    .filter(u -> !u.equals(full.actor()) && world.teamMember(org.uuid(), team.uuid(), u).isEmpty()).findFirst().orElseThrow();
            long current = pass.syncs.account(SyncFixture.ACCOUNT).orElseThrow().currentGeneration();
            store.delete(SyncFixture.ACCOUNT, current, List.of(SnapshotKeys.group(org.uuid(), team.uuid()) + "/r"));
            world.addTeamMember(org, full.actor(), team.uuid(), joiner, TeamMember.Role.MEMBER);

            SyncRun done = pass.finish(pass.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit",
                    List.of(Subject.user(org.uuid(), joiner), Subject.count(org.uuid(), team.uuid()))).run().id(), WORKER);
            full.sync(WORKER);

            assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
            assertTrue(done.subjects().contains(Subject.roster(org.uuid(), team.uuid())), "the roster read: " + done.subjects());
            CountingSnapshots.assertSameItems(full.snapshot(), pass.snapshot(), "the snapshot a full run reads");
        }
    }
}
