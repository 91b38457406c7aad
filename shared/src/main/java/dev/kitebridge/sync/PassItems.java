package dev.kitebridge.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * A pass of changes' own generation, as it holds only what differs from the account's current one:
 * an item the pass read otherwise (new or changed), or a tombstone ({@link #GONE}) at the key of an
 * item its subjects cover that it did not read (gone from Buildkite). An item of the current
 * generation the pass read alike, or does not cover, is not there: an unchanged subject writes
 * nothing. Beside them, under {@code ~}, markers: a subject stopped part-way names what it read so
 * far ({@link #READ}), the member list its pages ({@link MemberListReader#LISTED}).
 *
 * <p>Listed once per use (what a pass changes is small) and kept in step with what is written
 * through it: a pass is its generation's only writer. The member list's markers are not listed
 * (nothing here reads them): they stay in the pass's generation until it expires, some 4 KB a page
 * of 100 members (400 KB at 10,000), which every listing of a pass with a member list would read
 * again (some 100 read units each). Listed around, they cost that pass one Query more a listing;
 * dropped at the list's end, they would cost a write unit a kilobyte (some 400 at 10,000 members).
 */
final class PassItems {

    /** A tombstone's data: no part of a record has this field. */
    static final JsonNode GONE = JsonNodeFactory.instance.objectNode().put("~gone", true);
    /** Where a subject's read markers begin: {@code ~read/INDEX/...}, after every record's key. */
    static final String READ = "~read/";

    private final SnapshotStore snapshots;
    private final String accountId;
    private final long generation;
    /** The pass's scratch expiry, which every item written through here carries (see {@link SyncRun#scratchExpiresAt}). */
    private final java.time.Instant expiresAt;
    /** Whether the pass reads a member list: its generation holds the list's markers, which are listed around. */
    private final boolean listsMembers;
    private TreeMap<String, JsonNode> items;

    PassItems(SnapshotStore snapshots, SyncRun run) {
        this.snapshots = snapshots;
        this.accountId = run.accountId();
        this.generation = run.generation();
        this.expiresAt = run.scratchExpiresAt();
        this.listsMembers = run.subjects() != null && run.subjects().stream().anyMatch(s -> s.kind() == Subject.Kind.MEMBERS);
    }

    static boolean gone(JsonNode data) {
        return data != null && data.has("~gone");
    }

    /** Every item of the generation, markers too (but the member list's: see above), by key. */
    TreeMap<String, JsonNode> all() {
        if (items == null) {
            TreeMap<String, JsonNode> listed = new TreeMap<>();
            if (listsMembers) {
                listInto(listed, null, MemberListReader.LISTED);
                listInto(listed, MemberListReader.LISTED + Character.MAX_VALUE, null);
            } else {
                listInto(listed, null, null);
            }
            items = listed;
        }
        return items;
    }

    /** The generation's items after {@code after} and before {@code before} (null: from the first, to the last). */
    private void listInto(TreeMap<String, JsonNode> listed, String after, String before) {
        snapshots.between(accountId, generation, after, before).forEach(i -> listed.put(i.key(), i.data()));
    }

    /** The items and tombstones (not the markers), by key. */
    Map<String, JsonNode> records() {
        return all().headMap(InPlace.MARKERS);
    }

    /** The items and tombstones of one record (its own key and its parts). */
    Map<String, JsonNode> record(String recordKey) {
        Map<String, JsonNode> found = new TreeMap<>();
        all().subMap(recordKey, true, recordKey + "/~", true).forEach((k, v) -> {
            if (SnapshotKeys.record(k).equals(recordKey)) {
                found.put(k, v);
            }
        });
        return found;
    }

    void put(List<SnapshotStore.Item> written) {
        if (!written.isEmpty()) {
            snapshots.put(accountId, generation, written, expiresAt);
            written.forEach(i -> all().put(i.key(), i.data()));
        }
    }

    void delete(List<String> keys) {
        if (!keys.isEmpty()) {
            snapshots.delete(accountId, generation, keys);
            keys.forEach(all()::remove);
        }
    }

    /** The keys a subject's read markers name (what it read before it stopped part-way). */
    List<String> readBy(int subject) {
        List<String> keys = new ArrayList<>();
        all().subMap(READ + subject + "/", READ + subject + "/~").values().forEach(m -> m.path("keys").forEach(k -> keys.add(k.asText())));
        return keys;
    }

    /** Drops a subject's read markers (left by an attempt that stopped part-way, or by a team found gone since). */
    void dropReadBy(int subject) {
        delete(List.copyOf(all().subMap(READ + subject + "/", READ + subject + "/~").keySet()));
    }

    /** Drops the items and tombstones the generation holds of an organization (one the pass does not reach). */
    void dropOrganization(String orgId) {
        String prefix = SnapshotKeys.organization(orgId);
        delete(records().keySet().stream().filter(k -> k.startsWith(prefix)).toList());
    }

    /** Markers naming what a subject stopped part-way has read, each of at most a thousand keys (an item holds 400 KB). */
    static List<SnapshotStore.Item> readMarkers(int subject, List<String> keys) {
        List<SnapshotStore.Item> markers = new ArrayList<>();
        for (int i = 0; i < keys.size(); i += 1000) {
            var data = JsonNodeFactory.instance.objectNode();
            var listed = data.putArray("keys");
            keys.subList(i, Math.min(keys.size(), i + 1000)).forEach(listed::add);
            markers.add(new SnapshotStore.Item(READ + subject + "/" + SnapshotDiff.sha256(data.toString()).substring(0, 20), data));
        }
        return markers;
    }
}
