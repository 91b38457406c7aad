package dev.kitebridge.sync;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kitebridge.directory.orgdata.MemberProfile;

/**
 * Buildkite's last seen kept beside the profiles rather than in them. It moves every day for every
 * member who used Buildkite, and makes no event ({@link SnapshotDiff}'s NOT_COMPARED): a full run in
 * place does not write a profile whose only difference from the account's is its last seen (see
 * {@link SnapshotSink}); the profiles' seen markers carry what each page read, and PUBLISH keeps, for
 * each organization, the last seen newer than its profile's in a few packed items of the account's
 * generation ({@code ~last/ORG/BUCKET~}: 16 bytes of id and 8 of milliseconds a member), which sort
 * among the markers, after every record. A chunk holds the ids whose hash begins with its bucket, as
 * few hex digits of it as keep each chunk within {@link #CHUNK} (none for most organizations: one
 * chunk, {@code ~last/ORG/~}), so that a day's chunks have the keys of the day before and replace
 * them (a delete costs what a put does). The ids' hash, not the ids: Buildkite's user ids are
 * time-ordered (their first 48 bits are when the user signed up), so their first characters would
 * put everyone who joined in the same weeks into one chunk. A reader reads the chunk of each member
 * it builds, once: a pass of changes, a chunk or two; a whole walk, each. A profile is served with
 * the later of its own last seen and the packed one ({@link Of#over}): last seen only moves on, so
 * the later is the newer reading.
 *
 * <p>A member who leaves has no profile to lay it over, and drops out of the packed items at the
 * next run's PUBLISH; one who rejoins before that is a new membership, joined after the old one's
 * last visit: a packed value from before the profile's {@code joinedAt} is not laid over it.
 */
final class LastSeen {

    /** Where an account's generation keeps the packed last seen: after every record, among the markers ({@link InPlace#MARKERS}). */
    static final String PREFIX = "~last/";
    /**
     * Members a packed item holds at most: 24 bytes each, some 48 KB (12 read units, what a pass reads for a member); past
     * it, the buckets take one hex digit more (sixteen times as many chunks).
     */
    static final int CHUNK = 2_000;
    /** The most a packed item may be (DynamoDB's items: 400 KB): one that would be more is refused rather than put. */
    static final int MOST_BYTES = 350_000;
    /** The hex digits of an id's hash a bucket may take. */
    private static final int HASHED = 16;

    private LastSeen() {}

    /** A profile's last seen in milliseconds since the epoch; 0 for none. */
    static long millis(Instant lastSeen) {
        return lastSeen == null ? 0 : lastSeen.toEpochMilli();
    }

    /** An organization's last seen beside its profiles, by user id (milliseconds; 0 or null: none). */
    static final class Of {

        static final Of NONE = new Of(id -> null);

        private final Function<String, Long> byUser;

        private Of(Function<String, Long> byUser) {
            this.byUser = byUser;
        }

        static Of of(Function<String, Long> byUser) {
            return new Of(byUser);
        }

        Long millisOf(String userId) {
            return byUser.apply(userId);
        }

        /** The profile with the later of its last seen and this one's, where this one is of its membership. */
        MemberProfile over(MemberProfile profile) {
            Long millis = byUser.apply(profile.userUuid());
            return millis == null || millis <= 0 ? profile : profile.seenAtLatest(Instant.ofEpochMilli(millis));
        }

        /** A profile item with the later last seen (the item itself where that is its own). */
        SnapshotStore.Item over(SnapshotStore.Item profile) {
            MemberProfile was = SnapshotParts.read(profile.data(), MemberProfile.class);
            MemberProfile is = over(was);
            return is == was ? profile : new SnapshotStore.Item(profile.key(), SnapshotParts.write(is));
        }

        /** Whether this one is newer than the profile's own, and of its membership: what is kept beside it. */
        boolean newerThan(MemberProfile profile) {
            return over(profile) != profile;
        }
    }

    /** An organization's packed last seen in a generation, each chunk read the first time a member of it is asked for. */
    static Of read(SnapshotStore snapshots, String accountId, long generation, String org) {
        return new Of(new Chunks(snapshots, accountId, generation, PREFIX + org + "/"));
    }

    /** An id's place among the buckets: hex digits of its hash. */
    static String hashed(String userId) {
        return SnapshotDiff.sha256(userId).substring(0, HASHED);
    }

    /**
     * The chunks read, by their key's bucket and "~"; each answers for the hashes its bucket begins
     * (an absent one's, for the one hash asked).
     */
    private static final class Chunks implements Function<String, Long> {
        /** The key of what lies past the last chunk. */
        private static final String PAST = "\uffff";

        private record Read(String from, Map<String, Long> byUser) {}

        private final SnapshotStore snapshots;
        private final String accountId;
        private final long generation;
        private final String prefix;
        private final TreeMap<String, Read> read = new TreeMap<>();

        Chunks(SnapshotStore snapshots, String accountId, long generation, String prefix) {
            this.snapshots = snapshots;
            this.accountId = accountId;
            this.generation = generation;
            this.prefix = prefix;
        }

        @Override
        public synchronized Long apply(String userId) {
            String hash = hashed(userId);
            Map.Entry<String, Read> known = read.ceilingEntry(hash);
            if (known != null && known.getValue().from().compareTo(hash) <= 0) {
                return known.getValue().byUser().get(userId);
            }
            // The first chunk whose bucket is the hash's or after it: the one it would be in (a bucket and "~" sorts after its hashes).
            List<SnapshotStore.Item> next = snapshots.list(accountId, generation, prefix + hash, prefix + "~~", 1);
            String last = next.isEmpty() ? PAST : next.get(0).key().substring(prefix.length());
            String bucket = last.substring(0, last.length() - 1);
            if (next.isEmpty() || !hash.startsWith(bucket)) {
                // In no chunk, nor is any hash from this one to the next chunk's bucket (past the last: to the end), each
                // answered without asking again: a walk over an organization with few or no packed values reads once.
                String upTo = next.isEmpty() ? PAST : bucket;
                Read none = read.get(upTo);
                read.put(upTo, new Read(none == null || hash.compareTo(none.from()) < 0 ? hash : none.from(), Map.of()));
                return null;
            }
            Map<String, Long> byUser = new HashMap<>();
            unpack(next.get(0).data(), byUser);
            read.put(last, new Read(bucket, byUser));
            return byUser.get(userId);
        }
    }

    /** Every packed item of a generation, by key. */
    static Map<String, SnapshotStore.Item> items(SnapshotStore snapshots, String accountId, long generation) {
        Map<String, SnapshotStore.Item> items = new TreeMap<>();
        snapshots.prefixed(accountId, generation, PREFIX).forEach(i -> items.put(i.key(), i));
        return items;
    }

    /**
     * An organization's last seen as packed items, a chunk a bucket of the ids' hashes (none for
     * none). A chunk over {@link #MOST_BYTES} (ids that are not UUIDs and long) is refused.
     */
    static List<SnapshotStore.Item> pack(String org, TreeMap<String, Long> byUser) {
        Map<String, String> hashes = new HashMap<>();
        byUser.keySet().forEach(id -> hashes.put(id, hashed(id)));
        Map<String, List<String>> buckets = buckets(hashes, 0);
        for (int digits = 1; buckets.values().stream().anyMatch(b -> b.size() > CHUNK) && digits <= HASHED; digits++) {
            buckets = buckets(hashes, digits);
        }
        List<SnapshotStore.Item> items = new ArrayList<>();
        buckets.forEach((bucket, chunk) -> {
            ObjectNode data = JsonNodeFactory.instance.objectNode();
            data.put("o", org);
            InPlace.putIds(data, chunk);
            data.put("s", packed(chunk.stream().mapToLong(byUser::get).toArray()));
            int bytes = bytes(data);
            if (bytes > MOST_BYTES) {
                throw new IllegalStateException("the last seen of organization " + org + " packs " + chunk.size()
                        + " members into a chunk of " + bytes + " bytes, over " + MOST_BYTES);
            }
            items.add(new SnapshotStore.Item(PREFIX + org + "/" + bucket + "~", data));
        });
        return items;
    }

    /** Ids in order by the first {@code digits} hex digits of their hash, each bucket's ids in order. */
    private static Map<String, List<String>> buckets(Map<String, String> hashes, int digits) {
        Map<String, List<String>> buckets = new TreeMap<>();
        hashes.forEach((id, hash) -> buckets.computeIfAbsent(hash.substring(0, digits), b -> new ArrayList<>()).add(id));
        buckets.values().forEach(Collections::sort);
        return buckets;
    }

    /** About what a packed item's data weighs in the store: its ids, its milliseconds and its organization. */
    private static int bytes(JsonNode data) {
        int bytes = data.get("o").asText().length();
        for (String field : List.of("u", "s")) {
            if (data.has(field)) {
                try {
                    bytes += data.get(field).binaryValue().length;
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        for (JsonNode id : data.path("ids")) {
            bytes += id.asText().length() + 3;
        }
        return bytes;
    }

    /**
     * Whether two packed items say the same: their organization, ids and milliseconds, not their
     * fields' order (a store may give them back in another).
     */
    static boolean sameChunk(JsonNode a, JsonNode b) {
        if (!a.path("o").asText().equals(b.path("o").asText())) {
            return false;
        }
        Map<String, Long> was = new HashMap<>();
        Map<String, Long> is = new HashMap<>();
        unpack(a, was);
        unpack(b, is);
        return was.equals(is);
    }

    /** Milliseconds as 8 bytes each. */
    static byte[] packed(long[] millis) {
        ByteBuffer bytes = ByteBuffer.allocate(8 * millis.length);
        for (long m : millis) {
            bytes.putLong(m);
        }
        return bytes.array();
    }

    /** Adds what an item (a packed one, or a profiles' seen marker) says of its ids' last seen to {@code byUser}, the later of two. */
    static void unpack(JsonNode data, Map<String, Long> byUser) {
        JsonNode s = data.get("s");
        if (s == null) {
            return;
        }
        ByteBuffer bytes = ByteBuffer.wrap(InPlace.bytesOf(s, "a packed last seen"));
        for (String id : InPlace.idsOf(data)) {
            long millis = bytes.getLong();
            byUser.merge(id, millis, Math::max);
        }
    }
}
