package dev.kitebridge.state.aws;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import dev.kitebridge.directory.orgdata.OrganizationData;
import dev.kitebridge.directory.orgdata.OrganizationDataPatch;
import dev.kitebridge.directory.orgdata.OrganizationDataStore;
import dev.kitebridge.time.TimeSource;

/**
 * Organization data in DynamoDB. A large organization's data is megabytes, more than an item
 * holds (400 KB), so a save writes the data whole, gzipped, in chunks under a new write id, then
 * moves small pointer items to it: readers never see half a write. A revision (a pass of changes,
 * a write made through the directory) writes only what it changed: one patch item beside the write
 * it revises ({@code PATCH#<write>#<sequence>}, gzipped {@link OrganizationDataPatch}, put only if
 * that sequence is free, so two writers at once each get their own and neither is lost: the one
 * that finds its sequence taken reads again and goes again). A read is the pointer, the write (cached
 * in the process by write id, so an unchanged organization is read from DynamoDB once) and a Query
 * of the patches after those the cache has applied, applied in order. Patches are folded into a new
 * write, and deleted with the old one, by the next save, or by a revision once the log would pass
 * {@link Limits} (200 patches, 512 KB; or a patch would not fit one item): the fold
 * first takes the next sequence with a seal that names the new write, so a revision racing it
 * follows the seal instead of patching the old write. At 10,000 members the data is some 2.3 MB
 * gzipped (seven chunks): a save is some 2,300 write units put, and as many again to delete the write
 * it supersedes where that is not left to expire (see {@link #LEFT_TO_EXPIRE}), where a pass's
 * patch is one item under a kilobyte (one unit), and its reads are two pointer Queries and one of
 * the patches (a read unit each) besides the chunks where the process has not cached them. The daily
 * full run's confirmation of the data is a patch too while the write it confirms lives on (see
 * {@link #saveConfirmed}): of its dates alone where nothing changed.
 *
 * <p>A build's write (one a build in progress is at) and its pointers expire a day and an hour after
 * its save, so that a build left unfinished is not taken up again days later; a complete write's, a
 * week and an hour after it (see {@link #CHUNK_LIFETIME}): the directory serves it no older than a
 * day all the same, by its dates (see {@code OrganizationDataService}). The account's index expires
 * with the longest; a patch expires with the write it patches, so whatever a rotate or an unlink
 * leaves behind goes too; a write no pointer reads any more is deleted, patches first (newest
 * first: a reader racing the delete sees an older revision, never half of one), unless it expires
 * within {@link #LEFT_TO_EXPIRE}: then TTL deletes it, for free (see there).
 *
 * <p>Two Lambda instances advancing the same build at once both save whole snapshots; the later
 * wins and the other's last steps are read again. A save racing a revision in another instance may
 * leave the revision out of the data it saves (as before patches); revisions racing each other are
 * all kept.
 */
public final class DynamoDbOrganizationDataStore implements OrganizationDataStore {

    static final int CHUNK_BYTES = 350 * 1024;
    /**
     * A complete write's lifetime, a week and an hour: the daily confirmations patch one write (see
     * {@link #saveConfirmed}) while it has more than {@link #CONFIRM_AHEAD} to live, some five days,
     * before one saves it whole again. A write left to TTL once no pointer reads it (a confirmation's
     * whole save leaves the one it supersedes) is kept up to that and TTL's lag: at 10,000 members,
     * 2.3 MB for nine days cost about an eighth of the write units deleting it would.
     */
    static final Duration CHUNK_LIFETIME = Duration.ofDays(7).plusHours(1);
    /**
     * A build's write's lifetime (data not complete in every part), a day and an hour after its save:
     * a build nobody advances for that long is dropped, and the next request starts a new one, rather
     * than finish it with pages read days before and date it fresh.
     */
    static final Duration BUILD_LIFETIME = Duration.ofHours(25);
    /**
     * A confirmation patches a write that lives on for more than this: a day and two hours, so that
     * the next day's run (a little late, even) finds it there to patch or to save over.
     */
    static final Duration CONFIRM_AHEAD = Duration.ofHours(26);
    /**
     * A confirmation patches a write only while its log, with the patch, holds at most this share of
     * what {@link Limits} allow (a tenth: 20 patches, 51 KB); past it, it saves the data whole, as the
     * daily save did before it was a patch. So a day's passes find the log near empty, and fold it (a
     * whole write, and a delete of the one folded) no sooner than they did; where they patch little,
     * a week of confirmations patches one write.
     */
    static final int CONFIRM_LOG_SHARE = 10;
    /**
     * A write no pointer reads any more that expires within this is left to TTL rather than deleted:
     * a delete costs the write units its put did (2,343 at 10,000 members), TTL nothing, and keeping
     * its bytes until TTL comes (the time left, and up to 48 hours of TTL's lag) costs some 1/25 of
     * that delete. A write superseded earlier (by the directory's own reads' saves, folds: more often
     * than daily) is deleted, so that frequent saves do not pile up dead writes; a confirmation's save
     * leaves what it supersedes to TTL whatever its age (see {@link #saveConfirmed}). A superseded write is read only
     * through a pointer (checked for expiry), the only way to a write's chunks: once its pointers moved,
     * nothing reads it. It is dropped from the process's cache all the same where a pointer that did
     * not move still names it (unlike a delete, which waits for no pointer to): a read through that
     * pointer reads its chunks again, which stay whole until they expire, as that pointer does.
     */
    static final Duration LEFT_TO_EXPIRE = Duration.ofHours(2);
    /**
     * When a revision is no patch but a fold: a patch larger than {@code patchBytes} (gzipped; an
     * item holds 400 KB), or a log that would pass {@code maxPatches} (a cold read applies every one)
     * or {@code maxPatchBytes} (a cold read's Query reads them all: 512 KB is 128 read units).
     */
    record Limits(int patchBytes, int maxPatches, long maxPatchBytes) {
        static final Limits DEFAULT = new Limits(350 * 1024, 200, 512 * 1024);
    }
    /** How often a revision reads again after finding its sequence taken before it gives up. */
    static final int REVISE_ATTEMPTS = 8;
    private static final String BUILDING = "BUILDING";
    private static final String PATCH = "PATCH#";
    /** Where a patch's last seen apart is kept (see {@link Encoded}); the patch names it in this attribute. */
    private static final String SEEN = "SEEN#";
    private static final String SEEN_APART = "seen_apart";

    private final DynamoDbClient dynamo;
    private final String table;
    private final TimeSource time;
    private final Limits limits;
    /** Two 10,000-member organizations' data, Buildkite's answers included. */
    static final int REMEMBERED_PROFILES = 20_000;

    /** A write as read: its data with the first {@code sequence} patches applied. */
    private record Kept(OrganizationData data, int sequence, int patches, long patchBytes) {}

    private final Map<String, Kept> byWriteId = new ConcurrentHashMap<>();

    public DynamoDbOrganizationDataStore(DynamoDbClient dynamo, String table, TimeSource time) {
        this(dynamo, table, time, Limits.DEFAULT);
    }

    DynamoDbOrganizationDataStore(DynamoDbClient dynamo, String table, TimeSource time, Limits limits) {
        this.dynamo = dynamo;
        this.table = table;
        this.time = time;
        this.limits = limits;
    }

    @Override
    public Optional<OrganizationData> complete(String accountId, String organizationSlug, OrganizationData.Part part) {
        return load(accountId, organizationSlug, part.name());
    }

    @Override
    public Optional<OrganizationData> building(String accountId, String organizationSlug) {
        return load(accountId, organizationSlug, BUILDING);
    }

    @Override
    public void save(OrganizationData data) {
        try {
            saveWhole(data);
        } catch (RuntimeException e) {
            // The builder changes the data it read (the cached object) in place before saving it: a save that failed leaves
            // the cache ahead of what is stored, and a revision diffed from it would hand that to every instance.
            forgetCached(data.accountId(), data.organizationSlug());
            throw e;
        }
    }

    private void forgetCached(String accountId, String organizationSlug) {
        byWriteId.values().removeIf(k -> k.data().accountId().equals(accountId) && k.data().organizationSlug().equals(organizationSlug));
    }

    /**
     * A confirmation, where all that is kept is one complete write (every part's pointer at it, no build
     * in progress) that lives on for more than {@link #CONFIRM_AHEAD} and whose log has room (see {@link
     * #CONFIRM_LOG_SHARE}), is a patch of that write: what
     * changed and the dates, one item (under a kilobyte where nothing changed), where the data whole is
     * some 2,300 write units at 10,000 members. Else (or where the patch would not fit the log, or another
     * writer takes its sequence first) the data is saved whole, and the write it supersedes is left to
     * TTL whatever its age: confirmations come about daily, and a week of their writes kept until they
     * expire costs less than deleting one.
     */
    @Override
    public void saveConfirmed(OrganizationData data) {
        try {
            if (!confirmedByPatch(data)) {
                saveWhole(data, true);
            }
        } catch (RuntimeException e) {
            forgetCached(data.accountId(), data.organizationSlug());
            throw e;
        }
    }

    /**
     * Whether the confirmation is kept as a patch of the one write kept (or is what it holds already, or
     * is older than a write through the directory it holds).
     */
    private boolean confirmedByPatch(OrganizationData data) {
        if (!complete(data)) {
            return false;
        }
        String pk = pk(data.accountId(), data.organizationSlug());
        Map<String, Pointer> pointers = pointers(pk);
        Set<String> parts = new HashSet<>();
        for (OrganizationData.Part part : OrganizationData.Part.values()) {
            parts.add(part.name());
        }
        if (!pointers.keySet().equals(parts) || pointers.values().stream().map(Pointer::writeId).distinct().count() != 1) {
            return false;
        }
        Pointer write = pointers.values().iterator().next();
        if (write.expires() <= time.now().plus(CONFIRM_AHEAD).getEpochSecond()) {
            return false;
        }
        Optional<Current> read = current(pk, write);
        if (read.isEmpty() || !read.get().write().writeId().equals(write.writeId())) {
            return false; // gone, or folded into another write meanwhile
        }
        Kept kept = read.get().kept();
        java.time.Instant at = data.completedAt(OrganizationData.Part.PROFILES).orElseThrow();
        if (kept.data().changedAt().filter(changed -> !changed.isBefore(at)).isPresent()) {
            // A write through the directory (in another instance) was applied at or after the confirmation, since the service
            // looked: the kept data has it and the confirmation does not, and stays (as the service would have had it).
            return true;
        }
        OrganizationData.Snapshot before = kept.data().snapshot();
        OrganizationData.Snapshot after = data.snapshot();
        if (after.equals(before)) {
            return true;
        }
        Optional<Encoded> patch = OrganizationDataPatch.between(before, after).map(DynamoDbOrganizationDataStore::encoded);
        if (patch.isEmpty() || !fits(kept, patch.get(), CONFIRM_LOG_SHARE)) {
            return false;
        }
        return putPatch(pk, read.get().write(), kept, patch.get(), data) != null;
    }

    /**
     * A patch as kept: gzipped, and its last seen (where it changed: see {@link OrganizationDataPatch}) gzipped
     * apart, for an item of its own ({@code SEEN#<write>#<sequence>#<id>}) that the patch names: about 30 bytes
     * gzipped a member (measured) seen since their profile last changed, some 300 KB at 10,000 of them, which
     * would fill the patches' log (it counts against none of its {@link Limits}); a reader reads only the
     * last patch's it applies. Past {@link #LAST_SEEN_BYTES} (some 13,000 members) the confirmation is saved whole.
     */
    private record Encoded(byte[] patch, byte[] lastSeen) {}

    /** What the last seen apart of a patch is kept as. */
    record LastSeenApart(Map<String, java.time.Instant> lastSeen) {}

    /** The most a patch's last seen apart may take: an item's 400 KB, less room for its key (past it: a whole save). */
    static final int LAST_SEEN_BYTES = 390_000;

    private static Encoded encoded(OrganizationDataPatch patch) {
        if (patch.lastSeen() == null) {
            return new Encoded(StateJson.writeGzipped(patch), null);
        }
        return new Encoded(StateJson.writeGzipped(patch.withLastSeen(null)), StateJson.writeGzipped(new LastSeenApart(patch.lastSeen())));
    }

    /**
     * Puts a patch at the write's next sequence where that is free, and remembers the data it makes.
     *
     * @return the patch's key; null where another writer took the sequence first
     */
    private String putPatch(String pk, Pointer write, Kept kept, Encoded patch, OrganizationData after) {
        String sk = patchKey(write.writeId(), kept.sequence() + 1);
        Map<String, AttributeValue> item = new HashMap<>(KitebridgeTable.key(pk, sk));
        item.put("data", AttributeValue.builder().b(SdkBytes.fromByteArray(patch.patch())).build());
        item.put(KitebridgeTable.EXPIRES_AT, KitebridgeTable.n(write.expires()));
        if (patch.lastSeen() != null) {
            // Before the patch that names it, under a key of its own (a writer that loses the sequence leaves its own to TTL).
            String apart = SEEN + write.writeId() + "#" + String.format("%08d", kept.sequence() + 1) + "#" + UUID.randomUUID();
            Map<String, AttributeValue> seen = new HashMap<>(KitebridgeTable.key(pk, apart));
            seen.put("data", AttributeValue.builder().b(SdkBytes.fromByteArray(patch.lastSeen())).build());
            seen.put(KitebridgeTable.EXPIRES_AT, KitebridgeTable.n(write.expires()));
            dynamo.putItem(b -> b.tableName(table).item(seen));
            item.put(SEEN_APART, KitebridgeTable.s(apart));
        }
        if (!putIfFree(item)) {
            return null;
        }
        remember(write.writeId(), new Kept(after, kept.sequence() + 1, kept.patches() + 1, kept.patchBytes() + patch.patch().length));
        return sk;
    }

    /** Whether a patch fits one item and the write's log (see {@link Limits}), and its last seen apart an item. */
    private boolean fits(Kept kept, Encoded patch) {
        return fits(kept, patch, 1);
    }

    /** The same, the write's log taken {@code share} times over: a confirmation keeps room for the directory's writes. */
    private boolean fits(Kept kept, Encoded patch, int share) {
        return patch.patch().length <= limits.patchBytes() && (kept.patches() + 1) * share <= limits.maxPatches()
                && (kept.patchBytes() + patch.patch().length) * share <= limits.maxPatchBytes()
                && (patch.lastSeen() == null || patch.lastSeen().length <= LAST_SEEN_BYTES);
    }

    private void saveWhole(OrganizationData data) {
        saveWhole(data, false);
    }

    /** @param leaveSuperseded whether the writes it supersedes are left to TTL, however long they have to live */
    private void saveWhole(OrganizationData data, boolean leaveSuperseded) {
        String pk = pk(data.accountId(), data.organizationSlug());
        Pointer written = write(pk, data);
        putIndex(data.accountId(), data.organizationSlug());

        // Every pointer moved off a write may leave that write unread; it is deleted below if so.
        Map<String, Pointer> was = pointers(pk);
        boolean done = true;
        for (OrganizationData.Part part : OrganizationData.Part.values()) {
            if (data.isComplete(part)) {
                point(pk, part.name(), written, null);
            } else {
                done = false;
            }
        }
        if (done) {
            dynamo.deleteItem(b -> b.tableName(table).key(KitebridgeTable.key(pk, "POINTER#" + BUILDING)));
        } else {
            point(pk, BUILDING, written, null);
        }
        List<Pointer> replaced = new ArrayList<>(was.values());
        remember(written.writeId(), new Kept(data, 0, 0, 0));
        dropUnread(pk, replaced, written.writeId(), leaveSuperseded);
    }

    @Override
    public void revise(String accountId, String organizationSlug, Consumer<OrganizationData> change) {
        String pk = pk(accountId, organizationSlug);
        Set<String> revised = new HashSet<>(); // writes (and the writes folded from them) this revision is in
        Map<String, String> patched = new HashMap<>(); // patch key -> the write it patched, as a pointer led to it
        for (int attempt = 0; attempt < REVISE_ATTEMPTS; attempt++) {
            // Until the pointers lead only to writes revised: one moved meanwhile (a fold, a save) is revised too.
            Map<String, List<String>> names = new LinkedHashMap<>();
            Map<String, Pointer> writes = new LinkedHashMap<>();
            pointers(pk).forEach((name, p) -> {
                names.computeIfAbsent(p.writeId(), w -> new ArrayList<>()).add(name);
                writes.putIfAbsent(p.writeId(), p);
            });
            Set<String> pointed = Set.copyOf(writes.keySet());
            writes.keySet().removeAll(revised);
            if (writes.isEmpty()) {
                // A patch of a write a pointer led to and none does any more is of a write dropped: it goes too.
                patched.forEach((sk, write) -> {
                    if (!pointed.contains(write)) {
                        dynamo.deleteItem(b -> b.tableName(table).key(KitebridgeTable.key(pk, sk)));
                    }
                });
                return;
            }
            for (Pointer write : writes.values()) {
                Optional<Revised> into = revise(pk, write, names.get(write.writeId()), change);
                if (into.isEmpty()) {
                    break; // another writer came first, or the write went: read again
                }
                revised.add(write.writeId());
                revised.add(into.get().writeId());
                if (into.get().patch() != null && into.get().writeId().equals(write.writeId())) {
                    patched.put(into.get().patch(), write.writeId());
                }
            }
        }
        throw new IllegalStateException("could not revise the kept data of " + organizationSlug + ": " + REVISE_ATTEMPTS
                + " attempts each found another writer first");
    }

    /** Where a revision went: the write it is in, and the patch it wrote there (null: none, or a fold). */
    private record Revised(String writeId, String patch) {}

    /**
     * Revises one write (following its seal, if it was folded): a patch at the next sequence, or a
     * fold where the patch would not fit or the log is full.
     *
     * @return the write the revision is in; empty if another writer took the sequence first or the write is gone
     */
    private Optional<Revised> revise(String pk, Pointer pointed, List<String> names, Consumer<OrganizationData> change) {
        Optional<Current> read = current(pk, pointed);
        if (read.isEmpty()) {
            return Optional.empty();
        }
        Current current = read.get();
        OrganizationData.Snapshot before = current.kept().data().snapshot();
        OrganizationData copy = OrganizationData.restore(before);
        change.accept(copy);
        OrganizationData.Snapshot after = copy.snapshot();
        if (after.equals(before)) {
            return Optional.of(new Revised(current.write().writeId(), null));
        }
        Optional<Encoded> patch = OrganizationDataPatch.between(before, after).map(DynamoDbOrganizationDataStore::encoded);
        Kept kept = current.kept();
        if (patch.isEmpty() || !fits(kept, patch.get())) {
            // A fold moves only the pointers at this write: one at a newer write keeps it.
            return fold(pk, pointed, current, copy, names);
        }
        String sk = putPatch(pk, current.write(), kept, patch.get(), copy);
        return sk == null ? Optional.empty() : Optional.of(new Revised(current.write().writeId(), sk));
    }

    /**
     * Saves the revised data whole as a new write, sealing the old one's log first, then moves the
     * pointers that led to it there (only those that still do: one at a newer write keeps it).
     */
    private Optional<Revised> fold(String pk, Pointer pointed, Current current, OrganizationData revised, List<String> names) {
        Pointer written = write(pk, revised);
        Map<String, AttributeValue> seal = new HashMap<>(KitebridgeTable.key(pk, patchKey(current.write().writeId(),
                current.kept().sequence() + 1)));
        seal.put("sealed_into", KitebridgeTable.s(written.writeId()));
        seal.put("chunks", KitebridgeTable.n(written.chunks()));
        seal.put("sealed_expires_at", KitebridgeTable.n(written.expires()));
        seal.put(KitebridgeTable.EXPIRES_AT, KitebridgeTable.n(current.write().expires()));
        if (!putIfFree(seal)) {
            deleteChunks(pk, written);
            return Optional.empty();
        }
        putIndex(revised.accountId(), revised.organizationSlug());
        names.forEach(name -> point(pk, name, written, pointed.writeId()));
        remember(written.writeId(), new Kept(revised, 0, 0, 0));
        dropUnread(pk, List.of(pointed, current.write()), written.writeId(), false);
        return Optional.of(new Revised(written.writeId(), null));
    }

    @Override
    public void forget(String accountId, String organizationSlug) {
        String pk = pk(accountId, organizationSlug);
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        dynamo.queryPaginator(b -> b.tableName(table).keyConditionExpression("pk = :pk").consistentRead(true)
                .expressionAttributeValues(Map.of(":pk", KitebridgeTable.s(pk))).projectionExpression("pk, sk"))
                .items().forEach(items::add);
        items.forEach(item -> dynamo.deleteItem(b -> b.tableName(table).key(KitebridgeTable.key(pk, item.get(KitebridgeTable.SK).s()))));
        dynamo.deleteItem(b -> b.tableName(table).key(KitebridgeTable.key(indexPk(accountId), organizationSlug)));
        forgetCached(accountId, organizationSlug);
    }

    @Override
    public void deleteAccount(String accountId) {
        List<String> organizations = new ArrayList<>();
        dynamo.queryPaginator(b -> b.tableName(table).keyConditionExpression("pk = :pk").consistentRead(true)
                .expressionAttributeValues(Map.of(":pk", KitebridgeTable.s(indexPk(accountId))))).items()
                .forEach(item -> organizations.add(item.get(KitebridgeTable.SK).s()));
        organizations.forEach(slug -> forget(accountId, slug));
    }

    /** A write: its id, how many chunks it has, and when they expire (epoch seconds). */
    private record Pointer(String writeId, int chunks, long expires) {}

    /** What a pointer leads to now: the write (the one its seals lead to, if it was folded) and its data. */
    private record Current(Pointer write, Kept kept) {}

    /**
     * Keeps a few organizations' data in the process, up to {@link #REMEMBERED_PROFILES} member profiles
     * in all: more would hold memory a Lambda does not have. A sync worker keeps the data of every
     * account it syncs, so the bound counts profiles, not organizations.
     */
    private void remember(String writeId, Kept kept) {
        int profiles = byWriteId.entrySet().stream().filter(e -> !e.getKey().equals(writeId))
                .mapToInt(e -> e.getValue().data().profileCount()).sum();
        if (byWriteId.size() >= 32 || profiles + kept.data().profileCount() > REMEMBERED_PROFILES) {
            byWriteId.clear();
        }
        byWriteId.put(writeId, kept);
    }

    private Optional<OrganizationData> load(String accountId, String organizationSlug, String name) {
        String pk = pk(accountId, organizationSlug);
        for (int attempt = 0; attempt < 3; attempt++) {
            Optional<Pointer> pointer = pointer(pk, name);
            if (pointer.isEmpty()) {
                return Optional.empty();
            }
            Optional<Current> current = current(pk, pointer.get());
            if (current.isPresent()) {
                return Optional.of(current.get().kept().data());
            }
            // The write was replaced (and its chunks deleted) while it was being read: read the pointer again.
        }
        return Optional.empty();
    }

    /**
     * The write's data with every patch kept beside it applied: from the cache, with the patches after
     * those it has; a seal leads on to the write it names. Empty if the write (or one its seal names)
     * is gone, or its patches are being deleted.
     */
    private Optional<Current> current(String pk, Pointer write) {
        for (int hops = 0; hops < 4; hops++) {
            Kept kept = byWriteId.get(write.writeId());
            if (kept == null) {
                Optional<byte[]> bytes = chunks(pk, write);
                if (bytes.isEmpty()) {
                    return Optional.empty();
                }
                kept = new Kept(OrganizationData.restore(StateJson.readGzipped(bytes.get(), OrganizationData.Snapshot.class)), 0, 0, 0);
            }
            List<Map<String, AttributeValue>> newer = patches(pk, write.writeId(), kept.sequence());
            List<OrganizationDataPatch> patches = new ArrayList<>();
            int sequence = kept.sequence();
            long bytes = kept.patchBytes();
            Pointer sealedInto = null;
            // Each patch's last seen apart replaces the one before (see OrganizationDataPatch#apply): only the last is read.
            Map<String, AttributeValue> lastSeenApart = lastSeenApart(newer);
            for (Map<String, AttributeValue> item : newer) {
                if (sequenceOf(item) != sequence + 1) {
                    return Optional.empty(); // a gap: the log is being deleted under us
                }
                sequence++;
                if (item.containsKey("sealed_into")) {
                    sealedInto = new Pointer(item.get("sealed_into").s(), Integer.parseInt(item.get("chunks").n()),
                            Long.parseLong(item.get("sealed_expires_at").n()));
                    break;
                }
                byte[] data = item.get("data").b().asByteArray();
                OrganizationDataPatch patch = StateJson.readGzipped(data, OrganizationDataPatch.class);
                if (item == lastSeenApart) {
                    Map<String, AttributeValue> seen = dynamo.getItem(b -> b.tableName(table).consistentRead(true)
                            .key(KitebridgeTable.key(pk, item.get(SEEN_APART).s()))).item();
                    if (seen == null || seen.isEmpty()) {
                        return Optional.empty(); // the write's log is being deleted under us
                    }
                    patch = patch.withLastSeen(StateJson.readGzipped(seen.get("data").b().asByteArray(), LastSeenApart.class).lastSeen());
                }
                patches.add(patch);
                bytes += data.length;
            }
            if (sealedInto != null) {
                write = sealedInto; // folded into a newer write: its data is the newer one, with its own patches
                continue;
            }
            if (!patches.isEmpty()) {
                // A new object: data already handed out stays as it was read.
                kept = new Kept(OrganizationData.restore(OrganizationDataPatch.apply(kept.data().snapshot(), patches)), sequence,
                        kept.patches() + patches.size(), bytes);
            }
            if (byWriteId.get(write.writeId()) != kept) {
                remember(write.writeId(), kept);
            }
            return Optional.of(new Current(write, kept));
        }
        return Optional.empty();
    }

    /** The last of the patches a reader applies (those before a seal) with its last seen apart; null for none. */
    private static Map<String, AttributeValue> lastSeenApart(List<Map<String, AttributeValue>> patches) {
        Map<String, AttributeValue> last = null;
        for (Map<String, AttributeValue> item : patches) {
            if (item.containsKey("sealed_into")) {
                break;
            }
            if (item.containsKey(SEEN_APART)) {
                last = item;
            }
        }
        return last;
    }

    /** The patches kept beside a write after the first {@code after}, in order. */
    private List<Map<String, AttributeValue>> patches(String pk, String writeId, int after) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        dynamo.queryPaginator(b -> b.tableName(table).consistentRead(true)
                .keyConditionExpression("pk = :pk AND sk BETWEEN :from AND :to")
                .expressionAttributeValues(Map.of(":pk", KitebridgeTable.s(pk), ":from", KitebridgeTable.s(patchKey(writeId, after + 1)),
                        ":to", KitebridgeTable.s(PATCH + writeId + "#~")))).items().forEach(items::add);
        items.sort(Comparator.comparingInt(DynamoDbOrganizationDataStore::sequenceOf));
        return items;
    }

    private static int sequenceOf(Map<String, AttributeValue> patch) {
        String sk = patch.get(KitebridgeTable.SK).s();
        return Integer.parseInt(sk.substring(sk.lastIndexOf('#') + 1));
    }

    /** Zero-padded, so that a write's patches sort by sequence. */
    private static String patchKey(String writeId, int sequence) {
        return PATCH + writeId + "#" + String.format("%08d", sequence);
    }

    private boolean putIfFree(Map<String, AttributeValue> item) {
        try {
            dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(sk)"));
            return true;
        } catch (ConditionalCheckFailedException taken) {
            return false;
        }
    }

    /** Writes the data whole, gzipped, in chunks under a new write id, to expire as its kind does (see {@link #BUILD_LIFETIME}). */
    private Pointer write(String pk, OrganizationData data) {
        String writeId = UUID.randomUUID().toString();
        byte[] bytes = StateJson.writeGzipped(data.snapshot());
        int chunks = Math.max(1, (bytes.length + CHUNK_BYTES - 1) / CHUNK_BYTES);
        long expires = time.now().plus(complete(data) ? CHUNK_LIFETIME : BUILD_LIFETIME).getEpochSecond();
        for (int i = 0; i < chunks; i++) {
            byte[] chunk = java.util.Arrays.copyOfRange(bytes, i * CHUNK_BYTES, Math.min(bytes.length, (i + 1) * CHUNK_BYTES));
            Map<String, AttributeValue> item = new HashMap<>(KitebridgeTable.key(pk, "WRITE#" + writeId + "#" + i));
            item.put("data", AttributeValue.builder().b(SdkBytes.fromByteArray(chunk)).build());
            item.put(KitebridgeTable.EXPIRES_AT, KitebridgeTable.n(expires));
            dynamo.putItem(b -> b.tableName(table).item(item));
        }
        return new Pointer(writeId, chunks, expires);
    }

    private static boolean complete(OrganizationData data) {
        return java.util.Arrays.stream(OrganizationData.Part.values()).allMatch(data::isComplete);
    }

    /** The account's index of its organizations, to expire no sooner than any write (an unlink reads it to delete them all). */
    private void putIndex(String accountId, String organizationSlug) {
        Map<String, AttributeValue> index = new HashMap<>(KitebridgeTable.key(indexPk(accountId), organizationSlug));
        index.put(KitebridgeTable.EXPIRES_AT, KitebridgeTable.n(time.now().plus(CHUNK_LIFETIME).getEpochSecond()));
        dynamo.putItem(b -> b.tableName(table).item(index));
    }

    /**
     * Deletes the writes no pointer reads any more, but those TTL deletes soon (see {@link #LEFT_TO_EXPIRE}),
     * or all of them where {@code leave}.
     */
    private void dropUnread(String pk, List<Pointer> replaced, String kept, boolean leave) {
        long soon = time.now().plus(LEFT_TO_EXPIRE).getEpochSecond();
        replaced.stream().filter(old -> !old.writeId().equals(kept)).distinct().forEach(old -> {
            if (leave || old.expires() <= soon) {
                byWriteId.remove(old.writeId()); // (its pointers moved: nothing reads it from here on)
            } else if (!referenced(pk, old.writeId())) {
                forget(pk, old);
            }
        });
    }

    private Optional<Pointer> pointer(String pk, String name) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(KitebridgeTable.key(pk, "POINTER#" + name))
                .consistentRead(true)).item();
        if (item == null || item.isEmpty() || KitebridgeTable.expired(item, time.now())) {
            return Optional.empty(); // TTL deletes within a day or two of expiry; until then, reads skip it
        }
        return Optional.of(pointerOf(item));
    }

    /** Every pointer of the organization not expired, by name: one Query. */
    private Map<String, Pointer> pointers(String pk) {
        Map<String, Pointer> pointers = new LinkedHashMap<>();
        dynamo.queryPaginator(b -> b.tableName(table).consistentRead(true).keyConditionExpression("pk = :pk AND begins_with(sk, :p)")
                .expressionAttributeValues(Map.of(":pk", KitebridgeTable.s(pk), ":p", KitebridgeTable.s("POINTER#")))).items()
                .stream().filter(item -> !KitebridgeTable.expired(item, time.now()))
                .forEach(item -> pointers.put(item.get(KitebridgeTable.SK).s().substring("POINTER#".length()), pointerOf(item)));
        return pointers;
    }

    private static Pointer pointerOf(Map<String, AttributeValue> item) {
        AttributeValue expires = item.get(KitebridgeTable.EXPIRES_AT);
        return new Pointer(item.get("write_id").s(), Integer.parseInt(item.get("chunks").n()),
                expires == null ? Long.MAX_VALUE : Long.parseLong(expires.n()));
    }

    /**
     * Points {@code name} at a write; the pointer expires with the write's chunks. With {@code from},
     * only if it still points at that write (a fold does not move a pointer another save moved).
     */
    private void point(String pk, String name, Pointer write, String from) {
        Map<String, AttributeValue> item = new HashMap<>(KitebridgeTable.key(pk, "POINTER#" + name));
        item.put("write_id", KitebridgeTable.s(write.writeId()));
        item.put("chunks", KitebridgeTable.n(write.chunks()));
        item.put(KitebridgeTable.EXPIRES_AT, KitebridgeTable.n(write.expires()));
        if (from == null) {
            dynamo.putItem(b -> b.tableName(table).item(item));
            return;
        }
        try {
            dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("write_id = :from")
                    .expressionAttributeValues(Map.of(":from", KitebridgeTable.s(from))));
        } catch (ConditionalCheckFailedException moved) {
            // Another save moved it: its write is newer than this fold.
        }
    }

    private boolean referenced(String pk, String writeId) {
        return pointers(pk).values().stream().anyMatch(p -> p.writeId().equals(writeId));
    }

    /** Deletes a write: its patches newest first (a reader racing it sees an older revision), then its chunks. */
    private void forget(String pk, Pointer write) {
        byWriteId.remove(write.writeId());
        List<Map<String, AttributeValue>> patches = patches(pk, write.writeId(), 0);
        for (int i = patches.size() - 1; i >= 0; i--) {
            Map<String, AttributeValue> patch = patches.get(i);
            String sk = patch.get(KitebridgeTable.SK).s();
            dynamo.deleteItem(b -> b.tableName(table).key(KitebridgeTable.key(pk, sk)));
            if (patch.containsKey(SEEN_APART)) {
                dynamo.deleteItem(b -> b.tableName(table).key(KitebridgeTable.key(pk, patch.get(SEEN_APART).s())));
            }
        }
        deleteChunks(pk, write);
    }

    private void deleteChunks(String pk, Pointer write) {
        for (int i = 0; i < write.chunks(); i++) {
            String sk = "WRITE#" + write.writeId() + "#" + i;
            dynamo.deleteItem(b -> b.tableName(table).key(KitebridgeTable.key(pk, sk)));
        }
    }

    private Optional<byte[]> chunks(String pk, Pointer pointer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < pointer.chunks(); i++) {
            String sk = "WRITE#" + pointer.writeId() + "#" + i;
            Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(KitebridgeTable.key(pk, sk)).consistentRead(true)).item();
            if (item == null || item.isEmpty()) {
                return Optional.empty();
            }
            out.writeBytes(item.get("data").b().asByteArray());
        }
        return Optional.of(out.toByteArray());
    }

    /** Lists the organizations an account has data for, so that it can all be deleted. */
    private static String indexPk(String accountId) {
        return "ACCOUNT#" + accountId + "#ORGDATA";
    }

    private static String pk(String accountId, String organizationSlug) {
        return "ORGDATA#" + accountId + "#" + organizationSlug;
    }
}
