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
        return new SnapshotStore.Item(SnapshotKeys.group(ORG, TEAM) + "/r", SnapshotParts.write(new SnapshotParts.RosterSummary(members, true)));
    }

    private static SnapshotStore.Item team(String name) {
        var data = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("id", TEAM).put("name", name).put("slug", "t");
        return new SnapshotStore.Item(SnapshotKeys.group(ORG, TEAM), data);
    }

    /** The snapshot: the team, three members listed beside it. */
    private static SnapshotStore snapshot() {
        SnapshotStore snapshots = new InMemorySnapshotStore();
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
        assertEquals(new java.util.TreeSet<>(List.of(SnapshotKeys.membership(ORG, "u2", TEAM), SnapshotKeys.membership(ORG, "u3", TEAM),
                SnapshotKeys.membership(ORG, "u4", TEAM), SnapshotKeys.rosterEntry(ORG, TEAM, "u4"))), expected.keySet(),
                "what differs: a role changed, a tombstone, a membership and its entry new; nothing of u1, the team or its summary");
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
}
