package dev.kitebridge.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import dev.kitebridge.buildkite.TeamRole;
import dev.kitebridge.state.memory.InMemorySnapshotStore;

/**
 * A subject's read written into a pass's generation as what differs from the snapshot: read
 * whole in one turn, or stopped part-way (its marker naming what it read) and read on in another
 * turn by another worker, the generation ends the same.
 */
class SubjectReadTest {

    private static final String ACCOUNT = "acct_1";
    private static final String ORG = "org-1";
    private static final String TEAM = "team-1";
    private static final long BASE = 3;

    private static SnapshotStore.Item membership(String user, TeamRole role) {
        return new SnapshotStore.Item(SnapshotKeys.membership(ORG, user, TEAM), SnapshotParts.write(new SnapshotParts.Membership(role)));
    }

    private static SnapshotStore.Item summary(long members) {
        return new SnapshotStore.Item(SnapshotKeys.group(ORG, TEAM) + "/r", SnapshotParts.write(new SnapshotParts.RosterSummary(members, true, true)));
    }

    private static SnapshotStore.Item team(String name) {
        var data = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("id", TEAM).put("name", name).put("slug", "t");
        return new SnapshotStore.Item(SnapshotKeys.group(ORG, TEAM), data);
    }

    /** The snapshot: the team, three members listed beside it. */
    private static SnapshotStore snapshot() {
        // On the runs' clock (made at the epoch): their scratch expires two days after it.
        SnapshotStore snapshots = new InMemorySnapshotStore(dev.kitebridge.time.TimeSource.fixed(Instant.EPOCH));
        List<SnapshotStore.Item> items = new ArrayList<>(List.of(team("Team"), summary(3)));
        items.addAll(TeamIndex.withEntries(List.of(membership("u1", TeamRole.MEMBER), membership("u2", TeamRole.MEMBER),
                membership("u3", TeamRole.MEMBER))));
        snapshots.put(ACCOUNT, BASE, items);
        return snapshots;
    }

    private static SyncRun pass() {
        return SyncRun.queued("run_1", "tenant", ACCOUNT, 7, "audit", List.of(Subject.group(ORG, TEAM)), false, Instant.EPOCH, BASE);
    }

    /** What the team reads now: u1 as it was, u2 a maintainer, u3 gone, u4 joined. */
    private static List<List<SnapshotStore.Item>> pages() {
        return List.of(List.of(team("Team")),
                TeamIndex.withEntries(List.of(membership("u1", TeamRole.MEMBER), membership("u2", TeamRole.MAINTAINER))),
                TeamIndex.withEntries(List.of(membership("u4", TeamRole.MEMBER))),
                List.of(summary(3)));
    }

    private static Map<String, String> generation(SnapshotStore snapshots, long generation, boolean markers) {
        Map<String, String> items = new TreeMap<>();
        snapshots.list(ACCOUNT, generation, null, 500).stream().filter(i -> markers || !InPlace.isMarker(i.key()))
                .forEach(i -> items.put(i.key(), i.data().toString()));
        return items;
    }

    @Test
    void aSubjectStoppedPartWayAndReadOnElsewhereWritesWhatOneReadWrites() {
        SyncRun run = pass();
        Subject subject = run.subjects().get(0);

        SnapshotStore whole = snapshot();
        SubjectRead once = new SubjectRead(whole, run, subject, 0, new PassItems(whole, run));
        pages().forEach(once::add);
        once.finish();
        Map<String, String> expected = generation(whole, run.generation(), true);
        assertEquals(new java.util.TreeSet<>(List.of(SnapshotKeys.membership(ORG, "u2", TEAM), SnapshotKeys.rosterEntry(ORG, TEAM, "u2"),
                SnapshotKeys.membership(ORG, "u3", TEAM), SnapshotKeys.membership(ORG, "u4", TEAM), SnapshotKeys.rosterEntry(ORG, TEAM, "u4"))),
                expected.keySet(), "what differs: a role changed (and its entry, which carries it), a tombstone, a membership and its entry"
                        + " new; nothing of u1, the team or its summary");
        assertTrue(expected.get(SnapshotKeys.membership(ORG, "u3", TEAM)).contains("~gone"));

        SnapshotStore split = snapshot();
        SubjectRead first = new SubjectRead(split, run, subject, 0, new PassItems(split, run));
        first.add(pages().get(0));
        first.add(pages().get(1));
        first.flush(); // time up: what it read so far, and a marker naming it
        assertTrue(generation(split, run.generation(), true).keySet().stream().anyMatch(InPlace::isMarker), "a marker of what was read");
        SubjectRead second = new SubjectRead(split, run, subject, 0, new PassItems(split, run)); // another worker, the next turn
        second.add(pages().get(2));
        second.add(pages().get(3));
        second.finish();
        assertEquals(expected, generation(split, run.generation(), false), "u1, read before the stop, is not taken for gone");

        // Finishing again (a worker that died before it stored that the subject was read) writes nothing new.
        SubjectRead again = new SubjectRead(split, run, subject, 0, new PassItems(split, run));
        again.add(pages().get(2));
        again.add(pages().get(3));
        again.finish();
        assertEquals(expected, generation(split, run.generation(), false));
    }

    private static SyncRun pass(Subject... subjects) {
        return SyncRun.queued("run_1", "tenant", ACCOUNT, 7, "audit", List.of(subjects), false, Instant.EPOCH, BASE);
    }

    /** One subject read whole: finished in one turn. */
    private static void readWhole(SnapshotStore snapshots, SyncRun run, int index, List<List<SnapshotStore.Item>> pages) {
        SubjectRead read = new SubjectRead(snapshots, run, run.subjects().get(index), index, new PassItems(snapshots, run));
        pages.forEach(read::add);
        read.finish();
    }

    @Test
    void aSubjectStoppedPartWayReplacesWhatAnEarlierSubjectWroteAsAStraightReadDoes() {
        // u1's own read finds them a maintainer of the team; the team's roster, read after, finds them a member (as the snapshot has it).
        SyncRun run = pass(Subject.user(ORG, "u1"), Subject.roster(ORG, TEAM));
        List<List<SnapshotStore.Item>> user = List.of(List.of(membership("u1", TeamRole.MAINTAINER)));
        List<List<SnapshotStore.Item>> roster = List.of(TeamIndex.withEntries(List.of(membership("u1", TeamRole.MEMBER))),
                TeamIndex.withEntries(List.of(membership("u2", TeamRole.MEMBER), membership("u3", TeamRole.MEMBER))), List.of(summary(3)));

        SnapshotStore whole = snapshot();
        readWhole(whole, run, 0, user);
        assertEquals(generation(whole, run.generation(), false).get(SnapshotKeys.membership(ORG, "u1", TEAM)),
                membership("u1", TeamRole.MAINTAINER).data().toString(),
                "the earlier subject's value is in the generation");
        readWhole(whole, run, 1, roster);
        Map<String, String> expected = generation(whole, run.generation(), false);
        assertEquals(Map.of(), expected, "the later read is the word: u1 a member, as the snapshot has them");

        SnapshotStore split = snapshot();
        readWhole(split, run, 0, user);
        SubjectRead first = new SubjectRead(split, run, run.subjects().get(1), 1, new PassItems(split, run));
        first.add(roster.get(0));
        first.flush(); // time up after the page that names u1
        SubjectRead second = new SubjectRead(split, run, run.subjects().get(1), 1, new PassItems(split, run));
        second.add(roster.get(1));
        second.add(roster.get(2));
        second.finish();
        assertEquals(expected, generation(split, run.generation(), false), "stopped and read on, the roster's read replaces the user's too");
    }

    @Test
    void aMembersReadThatDoesNotListATeamLeavesNoEntryOfItsMembershipThere() {
        // Between the two reads u4 joins the team and leaves it: the roster lists them, their own read (after) does not.
        SyncRun run = pass(Subject.roster(ORG, TEAM), Subject.user(ORG, "u4"));
        SnapshotStore.Item u4 = new SnapshotStore.Item(SnapshotKeys.member(ORG, "u4"),
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("id", "u4").put("name", "Four"));
        SnapshotStore snapshots = snapshot();
        readWhole(snapshots, run, 0, List.of(TeamIndex.withEntries(List.of(membership("u1", TeamRole.MEMBER), membership("u2", TeamRole.MEMBER),
                membership("u3", TeamRole.MEMBER), membership("u4", TeamRole.MEMBER))), List.of(summary(3))));
        assertTrue(generation(snapshots, run.generation(), false).containsKey(SnapshotKeys.rosterEntry(ORG, TEAM, "u4")));
        readWhole(snapshots, run, 1, List.of(List.of(u4)));

        assertEquals(Map.of(u4.key(), u4.data().toString()), generation(snapshots, run.generation(), false),
                "what differs: u4 a member of the organization, in no team");
        Overlay overlay = new Overlay(snapshots, run);
        assertEquals(List.of(SnapshotKeys.user(ORG, "u1"), SnapshotKeys.user(ORG, "u2"), SnapshotKeys.user(ORG, "u3")), overlay.membersIn(ORG, TEAM));
        overlay.publish(() -> { });

        // What a full run finds: the snapshot as it was, with u4 a member in no team (nor in the team's index).
        SnapshotStore full = snapshot();
        full.put(ACCOUNT, BASE, List.of(u4));
        assertEquals(generation(full, BASE, true), generation(snapshots, BASE, true));
    }
}
