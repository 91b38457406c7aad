package dev.kitebridge.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Snapshots that count the items written (put or deleted) and read (listed or looked up) by generation, and note the keys put. */
class CountingSnapshots implements SnapshotStore {
    private final SnapshotStore kept;
    final Map<Long, List<String>> puts = new ConcurrentHashMap<>();
    private final Map<Long, AtomicLong> writes = new ConcurrentHashMap<>();
    private final Map<Long, AtomicLong> reads = new ConcurrentHashMap<>();
    private final Map<Long, AtomicLong> lookedUp = new ConcurrentHashMap<>();
    private final Map<Long, AtomicLong> deletes = new ConcurrentHashMap<>();
    /** Items read settled (see {@link SnapshotStore#listSettled}), by generation, and the times they were said written before. */
    private final Map<Long, AtomicLong> settled = new ConcurrentHashMap<>();
    final java.util.Set<java.time.Instant> settledSince = ConcurrentHashMap.newKeySet();
    /** By generation, the classes that listed it (see {@link #reader}), read settled or as it is. */
    private final Map<Long, java.util.Set<String>> settledBy = new ConcurrentHashMap<>();
    private final Map<Long, java.util.Set<String>> listedBy = new ConcurrentHashMap<>();
    /** The expiry each key was last put with, by generation (the epoch for never: a map holds no null). */
    private final Map<Long, Map<String, java.time.Instant>> expiries = new ConcurrentHashMap<>();

    CountingSnapshots(SnapshotStore kept) {
        this.kept = kept;
    }

    void clear() {
        puts.clear();
        writes.clear();
        reads.clear();
        lookedUp.clear();
        deletes.clear();
        settled.clear();
        settledSince.clear();
        settledBy.clear();
        listedBy.clear();
    }

    /** How many items were read of a generation settled: said written before a time (DynamoDB: half the read units). */
    long settledReads(long generation) {
        return settled.getOrDefault(generation, new AtomicLong()).get();
    }

    /** The sync classes that read a generation settled (say {@code CurrentItems} for READ, {@code SnapshotDiff} for DIFF). */
    java.util.Set<String> settledBy(long generation) {
        return new java.util.TreeSet<>(settledBy.getOrDefault(generation, java.util.Set.of()));
    }

    /** The sync classes that listed a generation as it is (not settled). */
    java.util.Set<String> listedBy(long generation) {
        return new java.util.TreeSet<>(listedBy.getOrDefault(generation, java.util.Set.of()));
    }

    /** The sync class (its top-level class's simple name) that called the store. */
    private static String reader() {
        return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> frames
                .map(StackWalker.StackFrame::getDeclaringClass)
                .filter(c -> c != CountingSnapshots.class && c != SnapshotStore.class && c.getPackageName().equals("dev.kitebridge.sync"))
                .map(c -> c.getName().substring(c.getPackageName().length() + 1).split("\\$")[0]).findFirst().orElse("?"));
    }

    private void listed(long generation, boolean settledRead) {
        (settledRead ? settledBy : listedBy).computeIfAbsent(generation, g -> ConcurrentHashMap.newKeySet()).add(reader());
    }

    /** How many items were deleted from a generation (each costs DynamoDB the write units its put did). */
    long deletes(long generation) {
        return deletes.getOrDefault(generation, new AtomicLong()).get();
    }

    /** Every item a generation holds (not expired) was last written to expire at {@code expiresAt} (null: never). */
    void assertEveryItemExpiresAt(String accountId, long generation, java.time.Instant expiresAt) {
        Map<String, java.time.Instant> written = expiries.getOrDefault(generation, Map.of());
        List<String> otherwise = new ArrayList<>();
        String after = null;
        while (true) {
            List<Item> page = kept.list(accountId, generation, after, 500);
            page.stream().map(Item::key).filter(k -> !Objects.equals(written.get(k), expiresAt == null ? java.time.Instant.EPOCH : expiresAt))
                    .forEach(otherwise::add);
            if (page.size() < 500) {
                break;
            }
            after = page.get(page.size() - 1).key();
        }
        org.junit.jupiter.api.Assertions.assertEquals(List.of(), otherwise, "items of generation " + generation
                + " that do not expire at " + expiresAt);
    }

    /** How many keys were looked up one by one in a generation (DynamoDB charges each a unit, found or not). */
    long lookedUp(long generation) {
        return lookedUp.getOrDefault(generation, new AtomicLong()).get();
    }

    /** How many items were read of a generation: each item a list or a look-up answered with, as DynamoDB counts them. */
    long reads(long generation) {
        return reads.getOrDefault(generation, new AtomicLong()).get();
    }

    long writes(long generation) {
        return writes.getOrDefault(generation, new AtomicLong()).get();
    }

    List<String> keysPut(long generation) {
        return new ArrayList<>(puts.getOrDefault(generation, List.of()));
    }

    @Override
    public void put(String accountId, long generation, List<Item> items, java.time.Instant expiresAt) {
        writes.computeIfAbsent(generation, g -> new AtomicLong()).addAndGet(items.size());
        puts.computeIfAbsent(generation, g -> java.util.Collections.synchronizedList(new ArrayList<>()))
                .addAll(items.stream().map(Item::key).toList());
        Map<String, java.time.Instant> expiring = expiries.computeIfAbsent(generation, g -> new ConcurrentHashMap<>());
        items.forEach(i -> expiring.put(i.key(), expiresAt == null ? java.time.Instant.EPOCH : expiresAt));
        kept.put(accountId, generation, items, expiresAt);
    }

    @Override
    public List<Item> list(String accountId, long generation, String afterKey, int limit) {
        listed(generation, false);
        return read(generation, kept.list(accountId, generation, afterKey, limit));
    }

    @Override
    public List<Item> list(String accountId, long generation, String afterKey, String beforeKey, int limit) {
        listed(generation, false);
        return read(generation, kept.list(accountId, generation, afterKey, beforeKey, limit));
    }

    @Override
    public List<Item> listSettled(String accountId, long generation, String afterKey, String beforeKey, java.time.Instant writtenBefore,
                                  int limit) {
        List<Item> items = kept.listSettled(accountId, generation, afterKey, beforeKey, writtenBefore, limit);
        listed(generation, writtenBefore != null);
        if (writtenBefore != null) {
            settled.computeIfAbsent(generation, g -> new AtomicLong()).addAndGet(items.size());
            settledSince.add(writtenBefore);
        }
        return read(generation, items);
    }

    private List<Item> read(long generation, List<Item> items) {
        reads.computeIfAbsent(generation, g -> new AtomicLong()).addAndGet(items.size());
        return items;
    }

    @Override
    public List<Item> get(String accountId, long generation, java.util.Collection<String> keys) {
        lookedUp.computeIfAbsent(generation, g -> new AtomicLong()).addAndGet(keys.size());
        return read(generation, kept.get(accountId, generation, keys));
    }

    @Override
    public void delete(String accountId, long generation, List<String> keys) {
        writes.computeIfAbsent(generation, g -> new AtomicLong()).addAndGet(keys.size());
        deletes.computeIfAbsent(generation, g -> new AtomicLong()).addAndGet(keys.size());
        kept.delete(accountId, generation, keys);
    }

    /** How many items differ between two snapshots (new, changed or gone). */
    static long changedItems(Map<String, String> before, Map<String, String> after) {
        TreeSet<String> keys = new TreeSet<>(before.keySet());
        keys.addAll(after.keySet());
        return keys.stream().filter(k -> !Objects.equals(before.get(k), after.get(k))).count();
    }

    /**
     * The teams' index of a snapshot is exact: no entry {@code o/ORG/t/TEAM/USER} without its
     * membership {@code o/ORG/u/USER/t/TEAM}, and every membership of a team whose roster summary
     * says its members are listed has its entry, holding the membership's data where the summary says
     * the entries carry the roles. Where {@code whole}, every summary says so.
     */
    static void assertIndexExact(Map<String, String> snapshot, boolean whole) {
        java.util.Set<String> listed = new java.util.HashSet<>();
        java.util.Set<String> withRoles = new java.util.HashSet<>();
        List<String> unlisted = new ArrayList<>();
        snapshot.forEach((key, data) -> {
            String[] s = key.split("/");
            if (s.length == 5 && s[0].equals("o") && s[2].equals("g") && s[4].equals("r")) {
                (data.contains("\"members_listed\":true") ? listed : unlisted).add(s[3]);
                if (data.contains("\"members_listed\":true") && data.contains("\"roles_listed\":true")) {
                    withRoles.add(s[3]);
                }
            }
        });
        List<String> missing = new ArrayList<>();
        List<String> otherRole = new ArrayList<>();
        List<String> extra = new ArrayList<>();
        long memberships = 0;
        for (String key : snapshot.keySet()) {
            String[] s = key.split("/");
            if (s.length == 6 && s[0].equals("o") && s[2].equals("u") && s[4].equals("t")) {
                memberships++;
                String entry = "o/" + s[1] + "/t/" + s[5] + "/" + s[3];
                if (listed.contains(s[5]) && !snapshot.containsKey(entry)) {
                    missing.add(key);
                } else if (withRoles.contains(s[5]) && !snapshot.get(key).equals(snapshot.get(entry))) {
                    otherRole.add(key);
                }
            } else if (s.length == 5 && s[0].equals("o") && s[2].equals("t")
                    && !snapshot.containsKey("o/" + s[1] + "/u/" + s[4] + "/t/" + s[3])) {
                extra.add(key);
            }
        }
        org.junit.jupiter.api.Assertions.assertTrue(memberships > 0, "a snapshot with memberships");
        org.junit.jupiter.api.Assertions.assertTrue(missing.isEmpty() && extra.isEmpty() && otherRole.isEmpty(), "the teams' index: "
                + missing.size() + " memberships of listed teams without their entry " + missing.stream().limit(3).toList() + ", "
                + extra.size() + " entries without their membership " + extra.stream().limit(3).toList() + ", " + otherRole.size()
                + " memberships of teams listed with roles whose entry holds other data " + otherRole.stream().limit(3).toList());
        if (whole) {
            org.junit.jupiter.api.Assertions.assertEquals(List.of(), unlisted, "every team's members are listed beside it");
        }
    }

    /** No event is about the teams' index: it is no record. */
    static void assertNoEventOfTheIndex(List<dev.kitebridge.events.ChangeEvent> events) {
        List<String> about = events.stream().map(dev.kitebridge.events.ChangeEvent::position).filter(p -> p.matches(".*o/[^/]+/t/.*"))
                .limit(3).toList();
        org.junit.jupiter.api.Assertions.assertEquals(List.of(), about, "events about index entries");
    }

    /** Two snapshots item by item; a failure names the items that differ, not the whole snapshot. */
    static void assertSameItems(Map<String, String> expected, Map<String, String> actual, String what) {
        TreeSet<String> keys = new TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        List<String> differ = keys.stream().filter(k -> !Objects.equals(expected.get(k), actual.get(k)))
                .map(k -> k + "\n  expected " + expected.get(k) + "\n  actual   " + actual.get(k)).limit(8).toList();
        org.junit.jupiter.api.Assertions.assertTrue(differ.isEmpty(), what + ": items differ\n" + String.join("\n", differ));
    }
}
