package dev.kitebridge.sync;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kitebridge.access.OrganizationRef;
import dev.kitebridge.buildkite.TeamRole;
import dev.kitebridge.buildkite.graphql.Nodes.InvitationNode;
import dev.kitebridge.buildkite.rest.OrganizationMember;
import dev.kitebridge.buildkite.rest.Team;
import dev.kitebridge.contract.ApiJson;
import dev.kitebridge.directory.DirectoryRecords;
import dev.kitebridge.directory.orgdata.MemberProfile;
import dev.kitebridge.directory.orgdata.OrganizationData.UserTeam;
import dev.kitebridge.directory.orgdata.TeamRoster;
import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.events.EventLog;
import dev.kitebridge.events.EventPositions;
import dev.kitebridge.sync.SnapshotKeys.Kind;

/**
 * A run's DIFF phase: it walks the base generation and the run's new one side by side
 * in key order, record by record (memory holds a page of each, and each organization's team
 * names), builds each record in the unified shape on both sides and writes an event for every
 * difference into the log, at the run's positions ({@link Removals} then checks its removals).
 */
final class SnapshotDiff {

    /** Records compared between checkpoints. */
    static final int RECORDS_PER_CHECKPOINT = 100;
    private static final int PAGE = 200;

    /**
     * Fields that do not make a change by themselves: Buildkite's last seen moves with every visit (an
     * event a day per active member would drown the rest). Everything else the directory serves is
     * compared, a team's {@code members_count} and the team names in users' {@code groups} included, so
     * that a record's last event is the record as the directory serves it.
     */
    private static final List<String> NOT_COMPARED = List.of("last_active_at");

    private final SnapshotStore snapshots;
    private final EventLog log;

    SnapshotDiff(SnapshotStore snapshots, EventLog log) {
        this.snapshots = snapshots;
        this.log = log;
    }

    // ---------------------------------------------------------------- DIFF

    /** Compares until done or the deadline; returns whether it is done. */
    boolean compare(RunProgress progress, Instant now, Instant deadline, java.util.function.Supplier<Instant> clock) {
        SyncRun run = progress.current();
        CurrentItems.forget(run); // its pages are all read
        teamNames.clear(); // generations change between runs; names are kept for one comparison
        lastSeens.clear();
        String resume = run.diff().afterRecord() == null ? null : run.diff().afterRecord() + "/~";
        // The current generation is read settled (see SyncRun#baseWrittenBefore); the run's own, written in its READ and DIFF, as it is.
        Records base = new Records(run.accountId(), run.baseGeneration(), resume, run.baseWrittenBefore());
        Records next = new Records(run.accountId(), run.generation(), resume, null);
        InPlace inPlace = run.inPlace() ? inPlace(run) : null;
        Walk walk = new Walk(progress, now, deadline, clock);
        while (base.peek() != null || next.peek() != null) {
            if (walk.timeUp()) {
                return false;
            }
            String key = min(base.peek(), next.peek());
            List<SnapshotStore.Item> was = key.equals(base.peek()) ? base.next() : List.of();
            List<SnapshotStore.Item> is = key.equals(next.peek()) ? next.next() : List.of();
            Built before = build(run, run.baseGeneration(), key, was);
            Built after;
            if (inPlace == null) {
                after = build(run, run.generation(), key, withProfileCarried(run, key, was, is, is));
            } else {
                List<SnapshotStore.Item> afterItems = inPlace.after(was, is);
                List<SnapshotStore.Item> carried = withProfileCarried(run, key, was, afterItems, is);
                after = build(run, afterNames(inPlace, key), inPlace.lastSeen(SnapshotKeys.organizationOf(key)), key,
                        carried == is ? afterItems : inPlace.after(was, carried));
            }
            walk.compared(key, before, after);
        }
        walk.end();
        return true;
    }

    /**
     * A comparison's walk over records in key order: each record's events, and a checkpoint (the
     * events so far written, the last record saved) every {@link #RECORDS_PER_CHECKPOINT} records.
     */
    private final class Walk {
        private final RunProgress progress;
        private final Instant deadline;
        private final java.util.function.Supplier<Instant> clock;
        private final Comparison comparison;
        private long baseRecords;
        private long deletions;
        private int sinceCheckpoint;
        private String last;

        Walk(RunProgress progress, Instant now, Instant deadline, java.util.function.Supplier<Instant> clock) {
            this.progress = progress;
            this.deadline = deadline;
            this.clock = clock;
            this.comparison = new Comparison(progress.current(), now);
            this.baseRecords = progress.current().diff().baseRecords();
            this.deletions = progress.current().diff().deletions();
        }

        /** Checkpoints when a checkpoint's records are compared; then whether the worker's time is up. */
        boolean timeUp() {
            if (sinceCheckpoint < RECORDS_PER_CHECKPOINT) {
                return false;
            }
            end();
            sinceCheckpoint = 0;
            return !clock.get().isBefore(deadline);
        }

        void compared(String key, Built before, Built after) {
            if (before != null) {
                baseRecords++;
                if (after == null) {
                    deletions++;
                }
            }
            comparison.record(key, before, after, after != null && after.kind() == Kind.USER);
            last = key;
            sinceCheckpoint++;
        }

        void end() {
            save(progress, comparison, last, baseRecords, deletions);
        }
    }

    /**
     * A member the REST list still has, whose GraphQL profile the run's read missed (the profiles'
     * pages shift while members join and leave during a long read): the profile is not gone with
     * them, so the last one is carried into the run's generation, and nothing of it changes (its last
     * seen stays beside it: see {@link InPlace#lastSeen}). Returns the run's items of the record, with
     * the carried one.
     */
    private List<SnapshotStore.Item> withProfileCarried(SyncRun run, String key, List<SnapshotStore.Item> was,
                                                        List<SnapshotStore.Item> after, List<SnapshotStore.Item> is) {
        if (SnapshotKeys.kind(key) != Kind.USER) {
            return is;
        }
        String member = key + "/m";
        String profile = key + "/g";
        boolean stays = after.stream().anyMatch(i -> i.key().equals(member));
        boolean missed = after.stream().noneMatch(i -> i.key().equals(profile));
        Optional<SnapshotStore.Item> last = was.stream().filter(i -> i.key().equals(profile)).findFirst();
        if (!stays || !missed || last.isEmpty()) {
            return is;
        }
        snapshots.put(run.accountId(), run.generation(), List.of(last.get()), run.scratchExpiresAt());
        List<SnapshotStore.Item> carried = new ArrayList<>(is);
        carried.add(last.get());
        carried.sort(java.util.Comparator.comparing(SnapshotStore.Item::key));
        return carried;
    }

    /**
     * One record compared again after its items in the new generation changed (a removal taken back):
     * its own event (created, updated or deleted; memberships have their own) is written anew at its
     * position, or none is left where there is no difference any more.
     */
    void recompare(SyncRun run, String recordKey, Instant now) {
        teamNames.clear();
        lastSeens.clear();
        List<SnapshotStore.Item> was = snapshots.record(run.accountId(), run.baseGeneration(), recordKey);
        Built before;
        Built after;
        if (run.full()) {
            before = build(run, run.baseGeneration(), recordKey, was);
            after = after(run, recordKey);
        } else { // a pass's: the record's teams alone (see PassTeams)
            Overlay overlay = new Overlay(snapshots, run);
            List<SnapshotStore.Item> is = overlay.record(recordKey);
            PassTeams.Names names = new PassTeams(snapshots, run, overlay, List.of(recordKey), org -> teamNames(run.accountId(), run.baseGeneration(), org)).of(recordKey, was, is);
            LastSeen.Of seen = passLastSeen(run, recordKey);
            before = build(run, names.before(), seen, recordKey, was);
            after = build(run, names.after(), seen, recordKey, is);
        }
        boolean group = SnapshotKeys.kind(recordKey) == Kind.GROUP;
        List<String> positions = (group ? List.of(EventPositions.GROUP_CREATED, EventPositions.GROUP_UPDATED, EventPositions.GROUP_DELETED)
                : List.of(EventPositions.USER_CREATED, EventPositions.USER_UPDATED, EventPositions.USER_DELETED)).stream()
                .map(rank -> EventPositions.of(run.ordinal(), rank, recordKey)).toList();
        Comparison comparison = new Comparison(run, now);
        comparison.recordItself(recordKey, before, after);
        List<ChangeEvent> events = comparison.drain();
        log.delete(run.accountId(), positions.stream().filter(p -> events.stream().noneMatch(e -> e.position().equals(p))).toList());
        log.put(run.accountId(), events);
    }

    /**
     * A pass of changes' DIFF: only the records its subjects can change, each as the account's
     * current generation has it and as it will be with the pass (see {@link Overlay}), in key order
     * from the checkpoint. Returns whether it is done.
     */
    boolean compareChanges(RunProgress progress, Instant now, Instant deadline, java.util.function.Supplier<Instant> clock) {
        SyncRun run = progress.current();
        teamNames.clear();
        lastSeens.clear();
        Overlay overlay = new Overlay(snapshots, run);
        Walk walk = new Walk(progress, now, deadline, clock);
        java.util.SortedSet<String> records = overlay.affectedRecords();
        if (run.diff().afterRecord() != null) {
            records = records.tailSet(run.diff().afterRecord() + "\0");
        }
        PassTeams teams = new PassTeams(snapshots, run, overlay, records, org -> teamNames(run.accountId(), run.baseGeneration(), org));
        for (String key : records) {
            if (walk.timeUp()) {
                return false;
            }
            List<SnapshotStore.Item> was = snapshots.record(run.accountId(), run.baseGeneration(), key);
            List<SnapshotStore.Item> is = overlay.record(key);
            PassTeams.Names names = teams.of(key, was, is); // the record's teams alone, not the organization's
            LastSeen.Of seen = passLastSeen(run, key);
            walk.compared(key, build(run, names.before(), seen, key, was), build(run, names.after(), seen, key, is));
        }
        walk.end();
        return true;
    }

    /**
     * A full run in place's after-state (see {@link InPlace}), its markers read once for the run:
     * they do not change after READ, which comes before every use of it.
     */
    InPlace inPlace(SyncRun run) {
        InPlace cached = inPlace;
        if (cached == null || !cached.run().id().equals(run.id())) {
            cached = InPlace.of(snapshots, run);
            inPlace = cached;
        }
        return cached;
    }

    private volatile InPlace inPlace;

    /** The teams of a record's organization after a run in place, read once per comparison. */
    private Map<String, String> afterNames(InPlace inPlace, String recordKey) {
        String org = SnapshotKeys.organizationOf(recordKey);
        return teamNames.computeIfAbsent(inPlace.run().accountId() + "/inplace/" + inPlace.run().generation() + "/" + org,
                k -> inPlace.teamNames(org));
    }

    /**
     * A record as a full run leaves it: in its own generation, or the current one changed in place. (A pass builds its
     * records with the names of their own teams alone, in {@link #compareChanges} and {@link #recompare}: see {@link PassTeams}.)
     */
    private Built after(SyncRun run, String recordKey) {
        if (run.inPlace()) {
            InPlace inPlace = inPlace(run);
            return build(run, afterNames(inPlace, recordKey), inPlace.lastSeen(SnapshotKeys.organizationOf(recordKey)), recordKey,
                    inPlace.record(recordKey));
        }
        return build(run, run.generation(), recordKey, snapshots.record(run.accountId(), run.generation(), recordKey));
    }

    private void save(RunProgress progress, Comparison comparison, String last, long baseRecords, long deletions) {
        log.put(progress.current().accountId(), comparison.drain());
        if (last != null) {
            java.util.function.UnaryOperator<SyncRun> checkpoint = r -> r.comparing(SyncRun.Phase.DIFF,
                    new SyncRun.Diff(last, baseRecords, deletions, null), r.counts());
            // A pass's is stored with the phase's end (a worker that dies compares again, writing the same events).
            progress.step(checkpoint);
        }
    }

    /** The events of one run's comparison, with their ids and positions. */
    private static final class Comparison {
        private final SyncRun run;
        private final Instant now;
        private final List<ChangeEvent> events = new ArrayList<>();

        Comparison(SyncRun run, Instant now) {
            this.run = run;
            this.now = now;
        }

        List<ChangeEvent> drain() {
            List<ChangeEvent> drained = List.copyOf(events);
            events.clear();
            return drained;
        }

        void record(String key, Built before, Built after, boolean userStays) {
            recordItself(key, before, after);
            memberships(key, before, after, userStays);
        }

        /** The record's own event: created, updated (with the previous values of what changed) or deleted. */
        void recordItself(String key, Built before, Built after) {
            boolean group = (before != null ? before : after) != null && (before != null ? before : after).kind() == Kind.GROUP;
            if (before == null && after != null) {
                add(group ? ChangeEvent.GROUP_CREATED : ChangeEvent.USER_CREATED,
                        group ? EventPositions.GROUP_CREATED : EventPositions.USER_CREATED, key, null, after, after.json(), null);
            } else if (before != null && after == null) {
                add(group ? ChangeEvent.GROUP_DELETED : ChangeEvent.USER_DELETED,
                        group ? EventPositions.GROUP_DELETED : EventPositions.USER_DELETED, key, before, null, before.json(), null);
            } else if (before != null && !before.hash().equals(after.hash())) {
                ObjectNode previous = ApiJson.MAPPER.createObjectNode();
                after.view().fieldNames().forEachRemaining(field -> {
                    if (!after.view().path(field).equals(before.view().path(field))) {
                        previous.set(field, before.json().path(field));
                    }
                });
                add(group ? ChangeEvent.GROUP_UPDATED : ChangeEvent.USER_UPDATED,
                        group ? EventPositions.GROUP_UPDATED : EventPositions.USER_UPDATED, key, before, after, after.json(), previous);
            }
        }

        /** A user's teams: joined, left (or gone with the user or the team). A changed role in a team is in user.updated. */
        private void memberships(String key, Built before, Built after, boolean userStays) {
            Map<String, TeamRole> was = before == null ? Map.of() : before.teams();
            Map<String, TeamRole> is = after == null ? Map.of() : after.teams();
            TreeSet<String> teams = new TreeSet<>(was.keySet());
            teams.addAll(is.keySet());
            for (String team : teams) {
                String membershipKey = key + "/t/" + team;
                if (!was.containsKey(team)) {
                    addMembership(ChangeEvent.GROUP_USER_ADDED, EventPositions.GROUP_USER_ADDED, membershipKey, team, is.get(team));
                } else if (!is.containsKey(team)) {
                    boolean teamStays = after != null && after.teamsOfOrganization().containsKey(team);
                    addMembership(ChangeEvent.GROUP_USER_REMOVED,
                            userStays && teamStays ? EventPositions.GROUP_USER_REMOVED : EventPositions.GONE_USER_REMOVED,
                            membershipKey, team, was.get(team));
                }
            }
        }

        private void addMembership(String type, int rank, String membershipKey, String team, TeamRole role) {
            ObjectNode data = ApiJson.MAPPER.createObjectNode();
            data.put("group_id", team);
            data.put("user_id", SnapshotKeys.idOf(SnapshotKeys.record(membershipKey)));
            data.put("organization_id", SnapshotKeys.organizationOf(membershipKey));
            data.put("role", role == null ? null : DirectoryRecords.teamRoleId(role)); // a role id, as the directory's records name it
            String hash = sha256(data.toString());
            events.add(new ChangeEvent(id(type, membershipKey, "", hash), type, run.tenantId(), run.accountId(), now, data, null,
                    EventPositions.of(run.ordinal(), rank, membershipKey)));
        }

        private void add(String type, int rank, String key, Built before, Built after, JsonNode data, JsonNode previous) {
            events.add(new ChangeEvent(id(type, key, before == null ? "" : before.hash(), after == null ? "" : after.hash()), type,
                    run.tenantId(), run.accountId(), now, data, previous, EventPositions.of(run.ordinal(), rank, key)));
        }

        /** Stable for the change: the account's same run (by ordinal) finding the same difference always names it alike. */
        private String id(String type, String key, String beforeHash, String afterHash) {
            return "evt_" + sha256(run.accountId() + "|" + run.ordinal() + "|" + type + "|" + key + "|" + beforeHash + "|" + afterHash)
                    .substring(0, 32);
        }
    }

    // ---------------------------------------------------------------- records in the unified shape

    /**
     * A record built from its parts.
     *
     * @param view what is compared: the record without the fields in {@link #NOT_COMPARED} (a renamed
     *     team is its group.updated and a user.updated for each member, whose groups name it)
     * @param teams a user's teams and roles there (empty for other records)
     * @param teamsOfOrganization team names by id, as the record's side has them: for a full run every team of the
     *     record's organization in its generation; for a pass only the teams the record names (see {@link PassTeams}),
     *     which is all a user's GROUP_USER_REMOVED asks of it (whether a team the user left is still there)
     */
    private record Built(Kind kind, JsonNode json, JsonNode view, String hash, Map<String, TeamRole> teams,
                         Map<String, String> teamsOfOrganization) {}

    private final Map<String, Map<String, String>> teamNames = new HashMap<>();

    private Built build(SyncRun run, long generation, String key, List<SnapshotStore.Item> items) {
        String org = SnapshotKeys.organizationOf(key);
        // A full run's own generation, written whole, has its profiles as read: no last seen apart (only a PUBLISH in place
        // keeps one, in the generation it publishes into).
        LastSeen.Of lastSeen = generation == run.generation() ? LastSeen.Of.NONE : lastSeen(run.accountId(), generation, org);
        return build(run, teamNames(run.accountId(), generation, org), lastSeen, key, items);
    }

    /**
     * @param names the teams of the record's organization on its side of the comparison
     * @param lastSeen its members' last seen kept beside their profiles on that side (see {@link LastSeen})
     */
    private static Built build(SyncRun run, Map<String, String> names, LastSeen.Of lastSeen, String key, List<SnapshotStore.Item> items) {
        if (items.isEmpty()) {
            return null;
        }
        String orgId = SnapshotKeys.organizationOf(key);
        OrganizationRef org = run.organizations().stream().filter(o -> o.id().equals(orgId)).findFirst()
                .map(o -> new OrganizationRef(o.id(), o.slug(), o.name())).orElse(new OrganizationRef(orgId, null, null));
        Map<String, SnapshotStore.Item> parts = new HashMap<>();
        Map<String, TeamRole> teams = new TreeMap<>();
        List<TeamRoster.PipelineAccess> pipelines = new ArrayList<>();
        for (SnapshotStore.Item item : items) {
            String part = SnapshotKeys.partOf(item.key());
            if (part.equals("p")) {
                pipelines.add(SnapshotParts.read(item.data(), TeamRoster.PipelineAccess.class));
            } else if (part.equals("t")) {
                if (!names.containsKey(SnapshotKeys.teamOf(item.key()))) {
                    continue; // a team gone while it was read: none of its memberships count
                }
                teams.put(SnapshotKeys.teamOf(item.key()), SnapshotParts.read(item.data(), SnapshotParts.Membership.class).role());
            } else {
                parts.put(part, item);
            }
        }
        Kind kind = SnapshotKeys.kind(key);
        Object unified;
        switch (kind) {
            case GROUP -> {
                if (!parts.containsKey("")) {
                    return null;
                }
                Optional<SnapshotParts.RosterSummary> roster = Optional.ofNullable(parts.get("r"))
                        .map(i -> SnapshotParts.read(i.data(), SnapshotParts.RosterSummary.class));
                unified = DirectoryRecords.group(org, SnapshotParts.read(parts.get("").data(), Team.class),
                        roster.map(r -> (int) r.membersCount()).orElse(0), pipelines);
            }
            case INVITATION -> unified = DirectoryRecords.invitation(org, SnapshotParts.read(parts.get("").data(), InvitationNode.class));
            case USER -> {
                if (!parts.containsKey("m")) {
                    return null; // a GraphQL profile alone: REST's member list is the word on who is a member
                }
                List<UserTeam> userTeams = teams.entrySet().stream()
                        .map(t -> new UserTeam(t.getKey(), names.get(t.getKey()), t.getValue())).toList();
                unified = DirectoryRecords.member(org, SnapshotParts.read(parts.get("m").data(), OrganizationMember.class),
                        Optional.ofNullable(parts.get("g")).map(i -> lastSeen.over(SnapshotParts.read(i.data(), MemberProfile.class))),
                        userTeams);
            }
            default -> throw new IllegalStateException();
        }
        JsonNode json = ApiJson.MAPPER.valueToTree(unified);
        ObjectNode view = json.deepCopy();
        NOT_COMPARED.forEach(view::remove);
        return new Built(kind, json, view, sha256(view.toString()), teams, names);
    }

    /** A pass keeps the account's last seen on both sides: a profile it read has its own, the later. */
    private LastSeen.Of passLastSeen(SyncRun run, String recordKey) {
        return lastSeen(run.accountId(), run.baseGeneration(), SnapshotKeys.organizationOf(recordKey));
    }

    private final Map<String, LastSeen.Of> lastSeens = new java.util.concurrent.ConcurrentHashMap<>();

    /** An organization's last seen kept beside its profiles in a generation: read once per comparison. */
    private LastSeen.Of lastSeen(String accountId, long generation, String orgId) {
        return lastSeens.computeIfAbsent(accountId + "/" + generation + "/" + orgId, k -> LastSeen.read(snapshots, accountId, generation, orgId));
    }

    /** The teams of an organization in a generation, by id, with their names: read once per comparison. */
    private Map<String, String> teamNames(String accountId, long generation, String orgId) {
        return teamNames.computeIfAbsent(accountId + "/" + generation + "/" + orgId, k -> {
            Map<String, String> names = new HashMap<>();
            for (SnapshotStore.Item item : snapshots.prefixed(accountId, generation, SnapshotKeys.groups(orgId))) {
                if (SnapshotKeys.partOf(item.key()).isEmpty()) {
                    names.put(SnapshotKeys.idOf(item.key()), SnapshotParts.read(item.data(), Team.class).name());
                }
            }
            return names;
        });
    }

    // ---------------------------------------------------------------- a generation, record by record

    /** A generation's items in key order, handed out a record (all its parts) at a time. */
    private final class Records {
        private final String accountId;
        private final long generation;
        /** When the generation was last written by (null: unknown; see {@link SnapshotStore#listSettled}). */
        private final Instant writtenBefore;
        private final Deque<SnapshotStore.Item> buffer = new ArrayDeque<>();
        private String after;
        private boolean end;

        Records(String accountId, long generation, String after, Instant writtenBefore) {
            this.accountId = accountId;
            this.generation = generation;
            this.writtenBefore = writtenBefore;
            this.after = after;
            this.end = generation == 0; // a first sync compares with nothing
        }

        String peek() {
            fill();
            return buffer.isEmpty() ? null : SnapshotKeys.record(buffer.peekFirst().key());
        }

        List<SnapshotStore.Item> next() {
            String record = peek();
            List<SnapshotStore.Item> items = new ArrayList<>();
            while (record != null && !buffer.isEmpty() && SnapshotKeys.record(buffer.peekFirst().key()).equals(record)) {
                items.add(buffer.pollFirst());
                fill();
            }
            return items;
        }

        /** Reads on until a page holds a record's item (the teams' index is not compared: no record, no event) or the end. */
        private void fill() {
            while (buffer.isEmpty() && !end) {
                List<SnapshotStore.Item> page = snapshots.listSettled(accountId, generation, after, null, writtenBefore, PAGE);
                end = page.size() < PAGE;
                for (SnapshotStore.Item item : page) {
                    if (InPlace.isMarker(item.key())) { // a run in place's markers sort after its records
                        end = true;
                        break;
                    }
                    if (!TeamIndex.isEntry(item.key())) {
                        buffer.add(item);
                    }
                }
                if (!page.isEmpty()) {
                    after = pastEntries(page.get(page.size() - 1).key());
                }
            }
        }
    }

    /**
     * Where a walk that needs no index entries reads on after a page that ended on this key: past the
     * organization's entries when it is one (about a quarter of a snapshot's bytes, read for nothing).
     */
    static String pastEntries(String lastKey) {
        return TeamIndex.isEntry(lastKey) ? SnapshotKeys.organization(SnapshotKeys.organizationOf(lastKey)) + "t/~" : lastKey;
    }

    private static String min(String a, String b) {
        return a == null ? b : b == null ? a : a.compareTo(b) <= 0 ? a : b;
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
