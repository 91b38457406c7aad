package dev.kitebridge.sync;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kitebridge.buildkite.rest.Team;
import dev.kitebridge.directory.orgdata.MemberProfile;

/**
 * A full run in place (see {@link SyncRun#inPlace}): its own generation N holds only the items it
 * read that are new or differ from the account's current generation L, and for each page it read a
 * small "seen" marker naming the records the page listed (by id and part, under {@code ~seen/}, a
 * prefix that sorts after every record's {@code o/}). A team deleted while it was read leaves a
 * "gone" marker ({@code ~gone/}) that takes it back out of what was seen.
 *
 * <p>The run's after-state, item by item: N's item where N has one; else L's where the run saw it;
 * else nothing (gone from Buildkite). DIFF compares L with it record by record, take-backs put L's
 * items into N (so they are there), and PUBLISH makes L the after-state in place: it writes N's
 * items that differ from L's and deletes L's items the run did not see. An unchanged directory
 * costs its markers, and no write into L.
 */
final class InPlace {

    /** Where markers begin: after every record's key ({@code o/...}). */
    static final String MARKERS = "~";
    private static final String SEEN = "~seen/";
    private static final String GONE = "~gone/";
    private static final int PAGE = 500;

    /** What a page of a full run reads, by part: a marker's {@code p}. */
    enum Part {
        PROFILES("g"), MEMBERS("m"), INVITATIONS("i"), TEAMS("team"), ROSTER("t"), PIPELINES("p");

        final String tag;

        Part(String tag) {
            this.tag = tag;
        }

        static Part of(String tag) {
            for (Part part : values()) {
                if (part.tag.equals(tag)) {
                    return part;
                }
            }
            throw new IllegalArgumentException("not a marker's part: " + tag);
        }
    }

    private final SnapshotStore snapshots;
    private final SyncRun run;
    /** Every item key the run saw (its markers, read once): about 51,000 keys at 10,000 members. */
    private final Set<String> seen;

    /** The last seen the run's profiles' pages read, by organization and user (see {@link LastSeen}). */
    private final Map<String, Map<String, Long>> lastSeen;

    private InPlace(SnapshotStore snapshots, SyncRun run, Set<String> seen, Map<String, Map<String, Long>> lastSeen) {
        this.snapshots = snapshots;
        this.run = run;
        this.seen = seen;
        this.lastSeen = lastSeen;
    }

    /** The run's after-state, its markers read (once READ is done: they do not change after it). */
    static InPlace of(SnapshotStore snapshots, SyncRun run) {
        if (!run.inPlace()) {
            throw new IllegalArgumentException("run " + run.id() + " is not in place");
        }
        Map<String, Map<String, Long>> lastSeen = new HashMap<>();
        Set<String> seen = seen(snapshots, run.accountId(), run.generation(), lastSeen);
        return new InPlace(snapshots, run, seen, lastSeen);
    }

    SyncRun run() {
        return run;
    }

    // ---------------------------------------------------------------- markers

    /** A page's marker: which records' parts it read. Its key is the same however often the page is read alike. */
    static SnapshotStore.Item seenMarker(String org, Part part, String team, List<String> ids) {
        return seenMarker(org, part, team, ids, null);
    }

    /**
     * A page's marker, a profiles' page's with the last seen it read of each id ({@code lastSeen}, in
     * milliseconds, 0 for none; null: none given), packed beside the ids (see {@link LastSeen}).
     */
    static SnapshotStore.Item seenMarker(String org, Part part, String team, List<String> ids, long[] lastSeen) {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("o", org).put("p", part.tag);
        if (team != null) {
            data.put("t", team);
        }
        putIds(data, ids);
        if (lastSeen != null) {
            data.put("s", LastSeen.packed(lastSeen));
        }
        String hash = SnapshotDiff.sha256(data.toString()).substring(0, 20);
        return new SnapshotStore.Item(SEEN + org + "/" + part.tag + "/" + (team == null ? "-" : team) + "/" + hash, data);
    }

    /** Ids into a marker's (or a packed item's) data: packed where they can be, else listed. */
    static void putIds(ObjectNode data, List<String> ids) {
        byte[] packed = packed(ids);
        if (packed != null) {
            data.put("u", packed);
        } else {
            ArrayNode listed = data.putArray("ids");
            ids.forEach(listed::add);
        }
    }

    /**
     * Ids that are all UUIDs as Buildkite writes them (lowercase), as their 16 bytes each, a binary
     * field (stored as bytes: see {@link SnapshotStore.Item}): 16 bytes an id where a JSON list takes
     * 39 and Base64 text 22, so a page of 100 takes 2 write units, not 4 (or 3 in Base64), and its
     * reads and the marker's later reading with them; null for any other id.
     */
    private static byte[] packed(List<String> ids) {
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(16 * ids.size());
        for (String id : ids) {
            if (!UUID_TEXT.matcher(id).matches()) {
                return null;
            }
            java.util.UUID uuid = java.util.UUID.fromString(id);
            bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        }
        return bytes.array();
    }

    private static final java.util.regex.Pattern UUID_TEXT =
            java.util.regex.Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    /** A packed field's bytes: binary, or Base64 text as an earlier version (and a store that answers text) keeps it. */
    static byte[] bytesOf(JsonNode field, String what) {
        try {
            return field.isBinary() ? field.binaryValue() : java.util.Base64.getDecoder().decode(field.asText());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(what + " unread", e);
        }
    }

    /** The ids a seen marker names, packed (as bytes, or in Base64 by an earlier version) or listed. */
    static List<String> idsOf(JsonNode data) {
        List<String> ids = new ArrayList<>();
        if (data.has("u")) {
            java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(bytesOf(data.get("u"), "a marker's packed ids"));
            while (bytes.remaining() >= 16) {
                ids.add(new java.util.UUID(bytes.getLong(), bytes.getLong()).toString());
            }
        } else {
            data.path("ids").forEach(id -> ids.add(id.asText()));
        }
        return ids;
    }

    /** A team deleted while it was read: it was not seen (its memberships and pipelines read before count for nothing). */
    static SnapshotStore.Item goneMarker(String org, String team) {
        return new SnapshotStore.Item(GONE + org + "/" + team, JsonNodeFactory.instance.objectNode().put("o", org).put("t", team));
    }

    static boolean isMarker(String key) {
        return key.startsWith(MARKERS);
    }

    /** The item keys a seen marker names (a team's own item and its roster summary for a team). */
    static List<String> keysOf(SnapshotStore.Item marker) {
        JsonNode data = marker.data();
        if (!marker.key().startsWith(SEEN)) {
            return List.of();
        }
        String org = data.get("o").asText();
        String team = data.path("t").asText(null);
        Part part = Part.of(data.get("p").asText());
        List<String> keys = new ArrayList<>();
        for (String i : idsOf(data)) {
            switch (part) {
                case PROFILES -> keys.add(SnapshotKeys.profile(org, i));
                case MEMBERS -> keys.add(SnapshotKeys.member(org, i));
                case INVITATIONS -> keys.add(SnapshotKeys.invitation(org, i));
                case TEAMS -> {
                    keys.add(SnapshotKeys.group(org, i));
                    keys.add(SnapshotKeys.group(org, i) + "/r"); // read with its roster, which every team listed has read through
                }
                case ROSTER -> {
                    keys.add(SnapshotKeys.membership(org, i, team));
                    keys.add(SnapshotKeys.rosterEntry(org, team, i)); // its entry in the team's index, written with it
                }
                case PIPELINES -> keys.add(SnapshotKeys.group(org, team) + "/p/" + i);
            }
        }
        return keys;
    }

    /** Every key a generation's markers say was seen, less the teams gone; the last seen they read into {@code lastSeen}. */
    private static Set<String> seen(SnapshotStore snapshots, String accountId, long generation, Map<String, Map<String, Long>> lastSeen) {
        Set<String> seen = new HashSet<>();
        List<String> gone = new ArrayList<>();
        String after = MARKERS;
        while (true) {
            List<SnapshotStore.Item> page = snapshots.list(accountId, generation, after, PAGE);
            for (SnapshotStore.Item marker : page) {
                if (marker.key().startsWith(GONE)) {
                    String team = SnapshotKeys.group(marker.data().get("o").asText(), marker.data().get("t").asText());
                    gone.add(team);
                    gone.add(team + "/r");
                } else {
                    seen.addAll(keysOf(marker));
                    if (marker.key().startsWith(SEEN)) {
                        LastSeen.unpack(marker.data(), lastSeen.computeIfAbsent(marker.data().get("o").asText(), o -> new HashMap<>()));
                    }
                }
            }
            if (page.size() < PAGE) {
                break;
            }
            after = page.get(page.size() - 1).key();
        }
        gone.forEach(seen::remove);
        return seen;
    }

    /**
     * The teams of an organization a READ has listed and not found gone, by id, in order: those its
     * team markers name and those it wrote, less the gone (a roster is read for each of them).
     */
    static TreeSet<String> teamsListed(SnapshotStore snapshots, SyncRun run, String org) {
        TreeSet<String> teams = new TreeSet<>();
        for (SnapshotStore.Item marker : under(snapshots, run.accountId(), run.generation(), SEEN + org + "/" + Part.TEAMS.tag + "/")) {
            teams.addAll(idsOf(marker.data()));
        }
        for (SnapshotStore.Item item : under(snapshots, run.accountId(), run.generation(), SnapshotKeys.groups(org))) {
            if (SnapshotKeys.partOf(item.key()).isEmpty()) {
                teams.add(SnapshotKeys.idOf(item.key()));
            }
        }
        for (SnapshotStore.Item marker : under(snapshots, run.accountId(), run.generation(), GONE + org + "/")) {
            teams.remove(marker.data().get("t").asText());
        }
        return teams;
    }

    /** The keys of a generation's record items under an organization (what a READ has written there). */
    static Set<String> written(SnapshotStore snapshots, SyncRun run, String org) {
        Set<String> keys = java.util.concurrent.ConcurrentHashMap.newKeySet();
        under(snapshots, run.accountId(), run.generation(), SnapshotKeys.organization(org)).forEach(i -> keys.add(i.key()));
        return keys;
    }

    private static List<SnapshotStore.Item> under(SnapshotStore snapshots, String accountId, long generation, String prefix) {
        return snapshots.prefixed(accountId, generation, prefix);
    }

    /** Whether two items' data are the same JSON (however each was made: read back from text or built). */
    static boolean same(JsonNode a, JsonNode b) {
        return a != null && b != null && a.toString().equals(b.toString());
    }

    // ---------------------------------------------------------------- the after-state

    /** Whether the run saw this item key (and its team was not gone). */
    boolean seen(String itemKey) {
        return seen.contains(itemKey);
    }

    /**
     * The last seen of the organization's members after the run: the later of what its profiles'
     * pages read of each and what the account keeps beside them. Last seen only moves on: an older
     * or missing answer (a token no longer an administrator's reads none) does not take it back; a
     * member who rejoined is not given the earlier membership's (see {@link LastSeen.Of#over}).
     */
    LastSeen.Of lastSeen(String org) {
        return ofOrganization.computeIfAbsent(org, o -> {
            Map<String, Long> read = lastSeen.getOrDefault(o, Map.of());
            LastSeen.Of kept = LastSeen.read(snapshots, run.accountId(), run.baseGeneration(), o);
            return LastSeen.Of.of(id -> later(read.get(id), kept.millisOf(id)));
        });
    }

    private static Long later(Long a, Long b) {
        return a == null ? b : b == null ? a : Long.valueOf(Math.max(a, b));
    }

    private final Map<String, LastSeen.Of> ofOrganization = new ConcurrentHashMap<>();

    /** A record's items after the run, from its items in L and in N. */
    List<SnapshotStore.Item> after(List<SnapshotStore.Item> base, List<SnapshotStore.Item> mine) {
        Map<String, SnapshotStore.Item> items = new TreeMap<>();
        base.stream().filter(i -> seen.contains(i.key())).forEach(i -> items.put(i.key(), i));
        mine.forEach(i -> items.put(i.key(), i));
        return List.copyOf(items.values());
    }

    /** A record's items after the run. */
    List<SnapshotStore.Item> record(String recordKey) {
        return after(snapshots.record(run.accountId(), run.baseGeneration(), recordKey),
                snapshots.record(run.accountId(), run.generation(), recordKey));
    }

    /** An organization's teams after the run, by id, with their names. */
    Map<String, String> teamNames(String org) {
        Map<String, String> names = new java.util.HashMap<>();
        for (SnapshotStore.Item item : under(snapshots, run.accountId(), run.baseGeneration(), SnapshotKeys.groups(org))) {
            if (SnapshotKeys.partOf(item.key()).isEmpty() && seen.contains(item.key())) {
                names.put(SnapshotKeys.idOf(item.key()), SnapshotParts.read(item.data(), Team.class).name());
            }
        }
        for (SnapshotStore.Item item : under(snapshots, run.accountId(), run.generation(), SnapshotKeys.groups(org))) {
            if (SnapshotKeys.partOf(item.key()).isEmpty()) {
                names.put(SnapshotKeys.idOf(item.key()), SnapshotParts.read(item.data(), Team.class).name());
            }
        }
        return names;
    }

    /**
     * The users the team's index lists after the run: the entries of the account's generation the run
     * saw, and its own (two Queries of the team's entries; every membership is written with its entry).
     */
    List<String> listedIn(String org, String team) {
        TreeSet<String> members = new TreeSet<>();
        for (SnapshotStore.Item entry : under(snapshots, run.accountId(), run.baseGeneration(), SnapshotKeys.roster(org, team))) {
            if (seen.contains(entry.key())) {
                members.add(SnapshotKeys.record(TeamIndex.membershipOf(entry.key())));
            }
        }
        under(snapshots, run.accountId(), run.generation(), SnapshotKeys.roster(org, team))
                .forEach(entry -> members.add(SnapshotKeys.record(TeamIndex.membershipOf(entry.key()))));
        return List.copyOf(members);
    }

    /** The users with a membership in the team after the run (a walk over the organization's users: a team taken back is rare). */
    List<String> membersIn(String org, String team) {
        TreeSet<String> members = new TreeSet<>();
        String prefix = SnapshotKeys.organization(org) + "u/";
        for (SnapshotStore.Item item : under(snapshots, run.accountId(), run.baseGeneration(), prefix)) {
            if (item.key().endsWith("/t/" + team) && seen.contains(item.key())) {
                members.add(SnapshotKeys.record(item.key()));
            }
        }
        for (SnapshotStore.Item item : under(snapshots, run.accountId(), run.generation(), prefix)) {
            if (item.key().endsWith("/t/" + team)) {
                members.add(SnapshotKeys.record(item.key()));
            }
        }
        return List.copyOf(members);
    }

    // ---------------------------------------------------------------- PUBLISH

    /**
     * Makes L the after-state: walks L and N's records side by side in key order, writes each of N's
     * items that L lacks or has otherwise, and deletes each of L's items the run did not see and N
     * does not have. Repeating it (after a crash) finds less to do, and ends the same. {@code beginning}
     * runs before its first write (see {@link SyncRun.Applying}).
     *
     * <p>It reads L settled where it has not begun (see {@link SyncRun#baseWrittenBefore}): its own writes
     * do not change what it reads after them, each of a key before every key it has yet to read.
     *
     * <p>It refuses (before writing anything) where the run read records but no marker of them is
     * found: they have expired (see {@link SyncRun#scratchExpiresAt}), or are read on a clock past
     * their expiry, and every item of L would read as not seen: deleted, the account's whole snapshot.
     *
     * @return how many items of L it wrote or deleted
     * @throws IllegalStateException where the run's markers are not found
     */
    long publish(Runnable beginning) {
        SyncRun.Counts read = run.counts();
        if (seen.isEmpty() && read.users() + read.invitations() + read.groups() + read.memberships() > 0) {
            throw new IllegalStateException("run " + run.id() + " read records but none of its markers is found (expired?):"
                    + " its publication would delete the account's whole snapshot");
        }
        Items base = new Items(run.baseGeneration(), run.baseWrittenBefore());
        Items mine = new Items(run.generation(), null);
        List<SnapshotStore.Item> puts = new ArrayList<>();
        List<String> deletes = new ArrayList<>();
        Map<String, TreeMap<String, Long>> newer = new TreeMap<>();
        long written = 0;
        while (base.peek() != null || mine.peek() != null) {
            SnapshotStore.Item was = base.peek();
            SnapshotStore.Item is = mine.peek();
            int order = was == null ? 1 : is == null ? -1 : was.key().compareTo(is.key());
            if (order == 0) {
                if (!same(was.data(), is.data())) {
                    puts.add(is);
                }
                base.next();
                mine.next();
                keepLastSeen(is, newer);
            } else if (order > 0) {
                puts.add(is);
                mine.next();
                keepLastSeen(is, newer);
            } else {
                if (!seen.contains(was.key())) {
                    deletes.add(was.key());
                } else {
                    keepLastSeen(was, newer);
                }
                base.next();
            }
            if (puts.size() >= PAGE) {
                beginning.run();
                snapshots.put(run.accountId(), run.baseGeneration(), List.copyOf(puts));
                written += puts.size();
                puts.clear();
            }
            if (deletes.size() >= PAGE) {
                beginning.run();
                snapshots.delete(run.accountId(), run.baseGeneration(), List.copyOf(deletes));
                written += deletes.size();
                deletes.clear();
            }
        }
        if (!puts.isEmpty()) {
            beginning.run();
            snapshots.put(run.accountId(), run.baseGeneration(), puts);
            written += puts.size();
        }
        if (!deletes.isEmpty()) {
            beginning.run();
            snapshots.delete(run.accountId(), run.baseGeneration(), deletes);
            written += deletes.size();
        }
        return written + publishLastSeen(newer, beginning);
    }

    /** Notes the run's last seen of a profile that stays, where it is newer than the profile's own (see {@link LastSeen}). */
    private void keepLastSeen(SnapshotStore.Item after, Map<String, TreeMap<String, Long>> newer) {
        String key = after.key();
        if (!key.startsWith("o/") || SnapshotKeys.kind(key) != SnapshotKeys.Kind.USER || !SnapshotKeys.partOf(key).equals("g")) {
            return;
        }
        String org = SnapshotKeys.organizationOf(key);
        LastSeen.Of read = lastSeen(org);
        MemberProfile profile = SnapshotParts.read(after.data(), MemberProfile.class);
        if (read.newerThan(profile)) {
            newer.computeIfAbsent(org, o -> new TreeMap<>()).put(profile.userUuid(), read.millisOf(profile.userUuid()));
        }
    }

    /**
     * The account's packed last seen made the run's: each organization's items written where they
     * changed, and those it no longer needs (fewer members seen, an organization gone) deleted, after
     * the profiles (a reader between sees the later of the two anyway). Repeating it writes nothing.
     */
    private long publishLastSeen(Map<String, TreeMap<String, Long>> newer, Runnable beginning) {
        Map<String, SnapshotStore.Item> kept = LastSeen.items(snapshots, run.accountId(), run.baseGeneration());
        List<SnapshotStore.Item> puts = new ArrayList<>();
        Set<String> now = new HashSet<>();
        newer.forEach((org, byUser) -> LastSeen.pack(org, byUser).forEach(item -> {
            now.add(item.key());
            if (!kept.containsKey(item.key()) || !LastSeen.sameChunk(kept.get(item.key()).data(), item.data())) {
                puts.add(item);
            }
        }));
        List<String> deletes = kept.keySet().stream().filter(k -> !now.contains(k)).toList();
        if (!puts.isEmpty()) {
            beginning.run();
            // Each within LastSeen.CHUNK members (some 48 KB): written together, as a store batches them.
            snapshots.put(run.accountId(), run.baseGeneration(), puts);
        }
        if (!deletes.isEmpty()) {
            beginning.run();
            snapshots.delete(run.accountId(), run.baseGeneration(), deletes);
        }
        return puts.size() + deletes.size();
    }

    /** A generation's record items (not its markers) in key order, a page in memory at a time. */
    private final class Items {
        private final long generation;
        /** When the generation was last written by, but for what this PUBLISH wrote (null: read it as it is now). */
        private final java.time.Instant writtenBefore;
        private final java.util.ArrayDeque<SnapshotStore.Item> buffer = new java.util.ArrayDeque<>();
        private String after;
        private boolean end;

        Items(long generation, java.time.Instant writtenBefore) {
            this.generation = generation;
            this.writtenBefore = writtenBefore;
        }

        SnapshotStore.Item peek() {
            if (buffer.isEmpty() && !end) {
                List<SnapshotStore.Item> page = snapshots.listSettled(run.accountId(), generation, after, null, writtenBefore, PAGE);
                end = page.size() < PAGE;
                for (SnapshotStore.Item item : page) {
                    if (isMarker(item.key())) {
                        end = true;
                        break;
                    }
                    buffer.add(item);
                }
                if (!page.isEmpty()) {
                    after = page.get(page.size() - 1).key();
                }
            }
            return buffer.peekFirst();
        }

        void next() {
            buffer.pollFirst();
        }
    }
}
