package dev.kitebridge.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.kitebridge.state.memory.InMemorySnapshotStore;

/**
 * A pass's own generation as {@link PassItems} lists it: a pass with a member list leaves the list's
 * markers there until its scratch expires, and its listings read around them (nothing of a pass
 * reads them through here), not some 4 KB a page of members each time.
 */
class PassItemsTest {

    private static final Instant T0 = Instant.parse("2026-06-01T00:00:00Z");

    @Test
    void aPassWithAMemberListListsItsGenerationAroundTheListsMarkers() {
        CountingSnapshots snapshots = new CountingSnapshots(new InMemorySnapshotStore());
        SyncRun pass = SyncRun.queued("run-2", "tenant-1", "acct-1", 2, "audit",
                List.of(Subject.members("org-1"), Subject.user("org-1", "user-1")), false, T0, 1);
        var data = JsonNodeFactory.instance.objectNode().put("name", "Ada");
        var page = JsonNodeFactory.instance.objectNode();
        page.putArray("ids").add("user-1");
        var read = JsonNodeFactory.instance.objectNode();
        read.putArray("keys").add("o/org-1/u/user-1/g");
        List<SnapshotStore.Item> items = List.of(new SnapshotStore.Item("o/org-1/u/user-1/m", data),
                new SnapshotStore.Item(MemberListReader.LISTED + "org-1/00000001", page),
                new SnapshotStore.Item(MemberListReader.LISTED + "org-1/00000002", JsonNodeFactory.instance.objectNode()),
                new SnapshotStore.Item(PassItems.READ + "0/abc", read));
        snapshots.put("acct-1", pass.generation(), items, null);

        PassItems listed = new PassItems(snapshots, pass);
        assertEquals(List.of("o/org-1/u/user-1/m", PassItems.READ + "0/abc"), List.copyOf(listed.all().keySet()));
        assertEquals(List.of("o/org-1/u/user-1/g"), listed.readBy(0));
        assertEquals(2, snapshots.reads(pass.generation()), "the list's markers are not read");
    }
}
