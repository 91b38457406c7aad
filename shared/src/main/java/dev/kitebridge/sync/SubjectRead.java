package dev.kitebridge.sync;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.directory.orgdata.MemberProfile;

/**
 * What a pass has read of one subject (see {@link SubjectReader}), held until the subject is read
 * through, then written into the pass's generation as what differs from the account's current one
 * (see {@link PassItems}): each item read otherwise, a tombstone for each item the subject covers
 * that was not read (but the teams' index entries: one goes when its membership is published gone,
 * see {@link Overlay#publish}), and the removal of whatever the generation held of the subject
 * besides (an earlier attempt's, or an earlier subject's over the same items: the later read is
 * the word). A member's read removes an entry a team's read wrote only where it leaves the entry's
 * membership gone (see {@link #goneAfter}): it says nothing else of the index. Writing it again after a
 * crash writes the same. A subject stopped part-way ({@link #flush}) writes what it read that
 * differs and a marker naming all it read, so that reading it on does not take it for gone.
 */
final class SubjectRead {

    private final SnapshotStore snapshots;
    private final SyncRun run;
    private final Subject subject;
    private final int index;
    private final PassItems pass;
    private final Map<String, JsonNode> read = new LinkedHashMap<>();
    private Map<String, JsonNode> base;
    private boolean teamGone;

    SubjectRead(SnapshotStore snapshots, SyncRun run, Subject subject, int index, PassItems pass) {
        this.snapshots = snapshots;
        this.run = run;
        this.subject = subject;
        this.index = index;
        this.pass = pass;
    }

    synchronized void add(List<SnapshotStore.Item> items) {
        if (!teamGone) {
            items.forEach(i -> read.put(i.key(), laterLastSeen(i.key(), i.data())));
        }
    }

    /**
     * A profile read keeps the later last seen of its answer and the account's own (an answer that lags is no visit
     * undone, and one that differs in nothing else is no change); any other item as read.
     */
    private JsonNode laterLastSeen(String key, JsonNode data) {
        if (SnapshotKeys.kind(key) != SnapshotKeys.Kind.USER || !SnapshotKeys.partOf(key).equals("g")) {
            return data;
        }
        JsonNode current = base().get(key);
        if (current == null) {
            return data;
        }
        MemberProfile read = SnapshotParts.read(data, MemberProfile.class);
        MemberProfile later = read.seenAtLatest(SnapshotParts.read(current, MemberProfile.class).lastSeenAt());
        return later == read ? data : SnapshotParts.write(later);
    }

    /** The team was deleted while it was read: nothing of it was read (its markers go at once). */
    synchronized void teamGone() {
        teamGone = true;
        read.clear();
        pass.dropReadBy(index);
    }

    /** The account's current items the subject covers, by key: read once. */
    synchronized Map<String, JsonNode> base() {
        if (base == null) {
            base = coveredInBase();
        }
        return base;
    }

    /** The subject is read through: the pass's generation holds exactly what differs of it. */
    synchronized void finish() {
        Set<String> readKeys = new HashSet<>(read.keySet());
        Map<String, JsonNode> desired = new HashMap<>();
        if (!teamGone) {
            // Read before a stop part-way: what differed of it is in the generation since (what did not, is not).
            for (String key : pass.readBy(index)) {
                JsonNode written = pass.all().get(key);
                if (readKeys.add(key) && written != null && !PassItems.gone(written)) {
                    desired.put(key, written);
                }
            }
        }
        read.forEach((key, data) -> {
            if (!InPlace.same(data, base().get(key))) {
                desired.put(key, data);
            }
        });
        base().keySet().stream().filter(k -> !readKeys.contains(k) && !TeamIndex.isEntry(k)).forEach(k -> desired.put(k, PassItems.GONE));
        List<SnapshotStore.Item> puts = new ArrayList<>();
        desired.forEach((key, data) -> {
            if (!InPlace.same(data, pass.all().get(key))) {
                puts.add(new SnapshotStore.Item(key, data));
            }
        });
        // (A member's read says nothing of the teams' index: an entry a team's read wrote stays, but for one
        // whose membership the member's read leaves gone: published, it would list a member the team has not.)
        boolean teamRead = subject.kind() == Subject.Kind.GROUP || subject.kind() == Subject.Kind.ROSTER || subject.kind() == Subject.Kind.COUNT;
        List<String> deletes = pass.records().entrySet().stream().filter(e -> subject.covers(e.getKey()) && !desired.containsKey(e.getKey())
                && (teamRead || !TeamIndex.isEntry(e.getKey())
                        || !PassItems.gone(e.getValue()) && goneAfter(TeamIndex.membershipOf(e.getKey()), desired)))
                .map(Map.Entry::getKey).toList();
        pass.put(puts);
        pass.delete(deletes);
    }

    /** Whether a key the subject covers holds nothing once it is finished with {@code desired} (what it does not name is the base's). */
    private boolean goneAfter(String key, Map<String, JsonNode> desired) {
        JsonNode after = desired.containsKey(key) ? desired.get(key) : base().get(key);
        return after == null || PassItems.gone(after);
    }

    /**
     * The subject stopped part-way: what was read so far that differs, and a marker naming it all.
     * An item read as the base has it removes what an earlier subject wrote at its key (the later
     * read is the word, as {@link #finish} has it): the marker will name the key, and reading on
     * takes what the generation holds there for this subject's.
     */
    synchronized void flush() {
        List<SnapshotStore.Item> puts = new ArrayList<>();
        List<String> deletes = new ArrayList<>();
        read.forEach((key, data) -> {
            JsonNode held = pass.all().get(key);
            if (!InPlace.same(data, base().get(key))) {
                if (!InPlace.same(data, held)) {
                    puts.add(new SnapshotStore.Item(key, data));
                }
            } else if (held != null) {
                deletes.add(key);
            }
        });
        puts.addAll(PassItems.readMarkers(index, List.copyOf(read.keySet())));
        pass.delete(deletes); // before the marker: a crash between leaves no marker, and the pages are read again
        pass.put(puts);
    }

    /**
     * A team's count (see {@link Subject.Kind#COUNT}): the users whose membership in the team, or its entry, the pass's
     * generation has (read otherwise, or gone, by their members' reads), whom it asks about again; the same until it
     * is {@link #finish}ed.
     */
    synchronized SortedSet<String> membersRead() {
        SortedSet<String> users = new TreeSet<>();
        String org = subject.organizationId();
        pass.records().keySet().stream().map(k -> TeamIndex.isEntry(k) ? TeamIndex.membershipOf(k) : k)
                .filter(k -> TeamIndex.isMembership(k) && SnapshotKeys.organizationOf(k).equals(org) && SnapshotKeys.teamOf(k).equals(subject.id()))
                .forEach(k -> users.add(SnapshotKeys.idOf(SnapshotKeys.record(k))));
        return users;
    }

    /**
     * The account's items the subject covers: a member's record; an invitation; the organization's
     * invitations; a team's items (a roster alone: its summary) with its {@link #memberships}; a count's summary and {@link #membersRead}.
     */
    private Map<String, JsonNode> coveredInBase() {
        Map<String, JsonNode> items = new HashMap<>();
        long generation = run.baseGeneration();
        String org = subject.organizationId();
        switch (subject.kind()) {
            case USER -> snapshots.record(run.accountId(), generation, SnapshotKeys.user(org, subject.id()))
                    .forEach(i -> items.put(i.key(), i.data()));
            case INVITATION -> snapshots.record(run.accountId(), generation, SnapshotKeys.invitation(org, subject.id()))
                    .forEach(i -> items.put(i.key(), i.data()));
            case INVITATIONS -> snapshots.prefixed(run.accountId(), generation, SnapshotKeys.organization(org) + "i/")
                    .forEach(i -> items.put(i.key(), i.data()));
            case GROUP -> {
                List<SnapshotStore.Item> team = snapshots.record(run.accountId(), generation, SnapshotKeys.group(org, subject.id()));
                team.forEach(i -> items.put(i.key(), i.data()));
                memberships(org, team.stream().filter(i -> TeamIndex.isSummary(i.key())).findFirst().orElse(null), items);
            }
            case COUNT -> { // the summary, and the memberships the pass read otherwise (not their entries: it writes none)
                List<String> keys = new ArrayList<>(List.of(SnapshotKeys.group(org, subject.id()) + "/r"));
                membersRead().forEach(user -> keys.add(SnapshotKeys.membership(org, user, subject.id())));
                snapshots.get(run.accountId(), generation, keys).forEach(i -> items.put(i.key(), i.data()));
            }
            case ROSTER -> { // the team's roster summary alone of its items: not the team, nor its pipelines
                List<SnapshotStore.Item> summary = snapshots.get(run.accountId(), generation, List.of(SnapshotKeys.group(org, subject.id()) + "/r"));
                summary.forEach(i -> items.put(i.key(), i.data()));
                memberships(org, summary.stream().findFirst().orElse(null), items);
            }
            case MEMBERS -> { } // covers no item
        }
        return items;
    }

    /**
     * A team's index entries and its memberships: where its summary says the entries are whole and
     * carry the roles, read from them; where whole alone, looked up by them (a unit a key); else
     * found by walking the organization's members, as a snapshot written before the index needs.
     */
    private void memberships(String org, SnapshotStore.Item summary, Map<String, JsonNode> items) {
        long generation = run.baseGeneration();
        List<SnapshotStore.Item> entries = snapshots.prefixed(run.accountId(), generation, SnapshotKeys.roster(org, subject.id()));
        entries.forEach(i -> items.put(i.key(), i.data()));
        if (TeamIndex.rolesListed(summary)) {
            entries.forEach(i -> items.put(TeamIndex.membershipOf(i.key()), i.data()));
        } else if (TeamIndex.listed(summary)) {
            List<String> memberships = entries.stream().map(i -> TeamIndex.membershipOf(i.key())).toList();
            if (!memberships.isEmpty()) {
                snapshots.get(run.accountId(), generation, memberships).forEach(i -> items.put(i.key(), i.data()));
            }
        } else {
            snapshots.prefixed(run.accountId(), generation, SnapshotKeys.organization(org) + "u/").stream()
                    .filter(i -> SnapshotKeys.partOf(i.key()).equals("t") && subject.covers(i.key()))
                    .forEach(i -> items.put(i.key(), i.data()));
        }
    }
}
