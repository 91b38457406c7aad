package dev.kitebridge.sync;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.Predicate;

import dev.kitebridge.buildkite.rest.Team;

/**
 * A pass of changes seen as the account's snapshot will be once it is published: the account's
 * current generation, with every item the pass's subjects cover replaced by what the pass read
 * into its own (small) generation. Nothing is copied until {@link #publish}, which writes the pass
 * into the current generation in place; each step of it can be repeated.
 */
final class Overlay {

    private static final int PAGE = 500;

    private final SnapshotStore snapshots;
    private final SyncRun run;

    Overlay(SnapshotStore snapshots, SyncRun run) {
        if (run.full()) {
            throw new IllegalArgumentException("a full run has a generation of its own, not an overlay");
        }
        this.snapshots = snapshots;
        this.run = run;
    }

    boolean covered(String itemKey) {
        return run.subjects().stream().anyMatch(s -> s.covers(itemKey));
    }

    /**
     * A record's items after the pass: the current generation's the pass does not cover (an
     * invitation naming a team the pass read, with that team's name: see {@link InvitationTeams}),
     * and the pass's own.
     */
    List<SnapshotStore.Item> record(String recordKey) {
        List<SnapshotStore.Item> items = new ArrayList<>();
        String org = SnapshotKeys.organizationOf(recordKey);
        boolean rebuilt = SnapshotKeys.kind(recordKey) == SnapshotKeys.Kind.INVITATION && rebuildsInvitations(org);
        snapshots.record(run.accountId(), run.baseGeneration(), recordKey).stream().filter(i -> !covered(i.key()))
                .map(i -> rebuilt ? InvitationTeams.renamed(i, teamsRead(org)) : i).forEach(items::add);
        items.addAll(snapshots.record(run.accountId(), run.generation(), recordKey));
        items.sort(java.util.Comparator.comparing(SnapshotStore.Item::key));
        return items;
    }

    /** An organization's teams after the pass, by id, with their names. */
    Map<String, String> teamNames(String orgId, Map<String, String> current) {
        Map<String, String> names = new HashMap<>(current);
        run.subjects().stream().filter(s -> s.kind() == Subject.Kind.GROUP && s.organizationId().equals(orgId))
                .forEach(s -> names.remove(s.id()));
        for (SnapshotStore.Item item : items(run.generation(), SnapshotKeys.groups(orgId), k -> SnapshotKeys.partOf(k).isEmpty())) {
            names.put(SnapshotKeys.idOf(item.key()), SnapshotParts.read(item.data(), Team.class).name());
        }
        return names;
    }

    /**
     * The records whose built shape the pass may change, in key order: its members, its teams and
     * every member of them before or after (a renamed or deleted team changes its members' records),
     * and the invitations. (The teams' index entries are no record's.)
     */
    TreeSet<String> affectedRecords() {
        TreeSet<String> records = new TreeSet<>();
        for (List<SnapshotStore.Item> items : List.of(coveredInBase(), coveredInPass())) {
            items.stream().map(SnapshotStore.Item::key).filter(k -> !TeamIndex.isEntry(k)).forEach(k -> records.add(SnapshotKeys.record(k)));
        }
        for (Subject subject : run.subjects()) {
            switch (subject.kind()) {
                case USER -> records.add(SnapshotKeys.user(subject.organizationId(), subject.id()));
                case GROUP, ROSTER -> records.add(SnapshotKeys.group(subject.organizationId(), subject.id()));
                case INVITATION -> records.add(SnapshotKeys.invitation(subject.organizationId(), subject.id()));
                case INVITATIONS, MEMBERS -> { } // the members a list finds changed are USER subjects of the pass
            }
        }
        for (String org : organizations()) {
            if (rebuildsInvitations(org)) {
                invitationsNaming(org).forEach(i -> records.add(SnapshotKeys.record(i.key())));
            }
        }
        return records;
    }

    /**
     * Whether the pass rebuilds the organization's invitations from the teams it read rather than
     * read them: it has a team there, and no INVITATIONS subject.
     */
    private boolean rebuildsInvitations(String org) {
        return run.subjects().stream().anyMatch(s -> s.organizationId().equals(org) && s.kind() == Subject.Kind.GROUP)
                && !run.subjects().contains(Subject.invitations(org));
    }

    private Set<String> organizations() {
        return run.subjects().stream().map(Subject::organizationId).collect(java.util.stream.Collectors.toCollection(TreeSet::new));
    }

    /** The teams of the organization the pass read (a team it found deleted is not among them), by UUID. */
    private Map<String, Team> teamsRead(String org) {
        return teamsRead.computeIfAbsent(org, o -> {
            Map<String, Team> teams = new HashMap<>();
            run.subjects().stream().filter(s -> s.kind() == Subject.Kind.GROUP && s.organizationId().equals(o))
                    .flatMap(s -> snapshots.record(run.accountId(), run.generation(), SnapshotKeys.group(o, s.id())).stream())
                    .filter(i -> SnapshotKeys.partOf(i.key()).isEmpty())
                    .forEach(i -> teams.put(SnapshotKeys.idOf(i.key()), SnapshotParts.read(i.data(), Team.class)));
            return teams;
        });
    }

    private final Map<String, Map<String, Team>> teamsRead = new HashMap<>();

    /** The current generation's invitations of the organization that name one of the pass's teams there, but those the pass reads. */
    private List<SnapshotStore.Item> invitationsNaming(String org) {
        Set<String> teams = run.subjects().stream().filter(s -> s.kind() == Subject.Kind.GROUP && s.organizationId().equals(org))
                .map(Subject::id).collect(java.util.stream.Collectors.toSet());
        return items(run.baseGeneration(), SnapshotKeys.organization(org) + "i/", k -> !covered(k)).stream()
                .filter(i -> InvitationTeams.names(i, teams)).toList();
    }

    /**
     * Writes the pass into the account's current generation: each item it read that is new or
     * changed, the invitations it rebuilt that changed, then the removal of each covered item it did
     * not read (gone from Buildkite). An unchanged subject costs no write. Repeating it changes nothing.
     *
     * <p>A crash may stop it anywhere, and the retry finds what to do through the teams' index
     * ({@link #coveredInBase}), so the index never misses a membership in between: an entry is
     * written before its membership (it sorts first) and removed after it, and a team's roster
     * summary, which says its entries are whole, is written last.
     */
    void publish() {
        Map<String, JsonNode> current = new HashMap<>();
        coveredInBase().forEach(i -> current.put(i.key(), i.data()));
        Set<String> read = new HashSet<>();
        List<SnapshotStore.Item> summaries = new ArrayList<>();
        String after = null;
        while (true) {
            List<SnapshotStore.Item> page = snapshots.list(run.accountId(), run.generation(), after, PAGE);
            List<SnapshotStore.Item> withEntries = withEntries(page); // each entry before its membership
            withEntries.forEach(i -> read.add(i.key()));
            List<SnapshotStore.Item> changed = withEntries.stream().filter(i -> !i.data().equals(current.get(i.key()))).toList();
            changed.stream().filter(i -> TeamIndex.isSummary(i.key())).forEach(summaries::add);
            // Entries in a call before their memberships' (the items of one DynamoDB batch are written in no order).
            for (boolean entries : new boolean[] {true, false}) {
                List<SnapshotStore.Item> now = changed.stream().filter(i -> !TeamIndex.isSummary(i.key()) && TeamIndex.isEntry(i.key()) == entries)
                        .toList();
                if (!now.isEmpty()) {
                    snapshots.put(run.accountId(), run.baseGeneration(), now);
                }
            }
            if (page.size() < PAGE) {
                break;
            }
            after = page.get(page.size() - 1).key();
        }
        for (String org : organizations()) {
            if (rebuildsInvitations(org)) {
                List<SnapshotStore.Item> renamed = new ArrayList<>();
                for (SnapshotStore.Item invitation : invitationsNaming(org)) {
                    SnapshotStore.Item rebuilt = InvitationTeams.renamed(invitation, teamsRead(org));
                    if (rebuilt != invitation) {
                        renamed.add(rebuilt);
                    }
                }
                for (int i = 0; i < renamed.size(); i += PAGE) {
                    snapshots.put(run.accountId(), run.baseGeneration(), renamed.subList(i, Math.min(renamed.size(), i + PAGE)));
                }
            }
        }
        // Memberships (and all else) gone before the entries: in calls of their own.
        for (boolean entries : new boolean[] {false, true}) {
            List<String> gone = current.keySet().stream().filter(k -> !read.contains(k) && TeamIndex.isEntry(k) == entries).sorted().toList();
            for (int i = 0; i < gone.size(); i += PAGE) {
                snapshots.delete(run.accountId(), run.baseGeneration(), gone.subList(i, Math.min(gone.size(), i + PAGE)));
            }
        }
        if (!summaries.isEmpty()) {
            snapshots.put(run.accountId(), run.baseGeneration(), summaries);
        }
    }

    /**
     * The account's items the pass covers, organization by organization: a member's record is
     * looked up alone, with their entries in their teams' indexes; a team's items (a roster alone:
     * its summary), its index
     * entries by their prefix and, where its summary says they are whole, its memberships looked up
     * by key (one batch); a team written before the index was (or whose entries are not whole) has
     * its memberships found by walking the organization's members (once, however many such teams
     * the pass has); the invitations by their prefix.
     */
    List<SnapshotStore.Item> coveredInBase() {
        long base = run.baseGeneration();
        Map<String, SnapshotStore.Item> keys = new TreeMap<>();
        Set<String> walked = new HashSet<>();
        List<String> lookUps = new ArrayList<>();
        for (Subject subject : run.subjects()) {
            String org = subject.organizationId();
            switch (subject.kind()) {
                case USER -> snapshots.record(run.accountId(), base, SnapshotKeys.user(org, subject.id())).forEach(i -> {
                    keys.put(i.key(), i);
                    if (TeamIndex.isMembership(i.key())) {
                        lookUps.add(TeamIndex.entryOf(i.key()).key());
                    }
                });
                case INVITATION -> snapshots.record(run.accountId(), base, SnapshotKeys.invitation(org, subject.id()))
                        .forEach(i -> keys.put(i.key(), i));
                case GROUP -> {
                    List<SnapshotStore.Item> team = snapshots.record(run.accountId(), base, SnapshotKeys.group(org, subject.id()));
                    team.forEach(i -> keys.put(i.key(), i));
                    memberships(org, subject.id(), team.stream().filter(i -> TeamIndex.isSummary(i.key())).findFirst().orElse(null),
                            keys, walked, lookUps);
                }
                case ROSTER -> {
                    if (!subject.readWith(run.subjects())) { // else its team's GROUP finds all it covers
                        // The roster's summary alone of the team's items: not the team, nor its pipelines.
                        List<SnapshotStore.Item> summary = snapshots.get(run.accountId(), base,
                                List.of(SnapshotKeys.group(org, subject.id()) + "/r"));
                        summary.forEach(i -> keys.put(i.key(), i));
                        memberships(org, subject.id(), summary.stream().findFirst().orElse(null), keys, walked, lookUps);
                    }
                }
                case INVITATIONS -> {
                    if (walked.add("i/" + org)) {
                        items(base, SnapshotKeys.organization(org) + "i/", k -> true).forEach(i -> keys.put(i.key(), i));
                    }
                }
                case MEMBERS -> { } // covers no item
            }
        }
        List<String> unknown = lookUps.stream().distinct().filter(k -> !keys.containsKey(k)).toList();
        if (!unknown.isEmpty()) {
            snapshots.get(run.accountId(), base, unknown).forEach(i -> keys.put(i.key(), i));
        }
        return List.copyOf(keys.values());
    }

    /**
     * A team's index entries by their prefix and, where its summary says they are whole, the
     * memberships beside them (looked up by key with the rest); else the organization's members
     * walked for them (once a pass).
     */
    private void memberships(String org, String team, SnapshotStore.Item summary, Map<String, SnapshotStore.Item> keys, Set<String> walked,
                             List<String> lookUps) {
        long base = run.baseGeneration();
        List<SnapshotStore.Item> entries = items(base, SnapshotKeys.roster(org, team), k -> true);
        entries.forEach(i -> keys.put(i.key(), i));
        if (TeamIndex.listed(summary)) {
            entries.forEach(i -> lookUps.add(TeamIndex.membershipOf(i.key())));
        } else if (walked.add("u/" + org)) {
            items(base, SnapshotKeys.organization(org) + "u/", k -> SnapshotKeys.partOf(k).equals("t") && covered(k))
                    .forEach(i -> keys.put(i.key(), i));
        }
    }

    /**
     * A page of the pass's own generation with the teams' index entries of its memberships, each
     * before its membership (a pass's generation holds its memberships alone: the entries follow
     * from them, and a pass writes half as much into its own).
     */
    private static List<SnapshotStore.Item> withEntries(List<SnapshotStore.Item> page) {
        Map<String, SnapshotStore.Item> items = new java.util.LinkedHashMap<>();
        for (SnapshotStore.Item item : page) {
            if (TeamIndex.isMembership(item.key())) {
                SnapshotStore.Item entry = TeamIndex.entryOf(item.key());
                items.put(entry.key(), entry);
            }
            items.put(item.key(), item);
        }
        return List.copyOf(items.values());
    }

    /** The pass's own items: all it read (its generation holds nothing else), with its memberships' entries. */
    private List<SnapshotStore.Item> coveredInPass() {
        List<SnapshotStore.Item> items = new ArrayList<>();
        String after = null;
        while (true) {
            List<SnapshotStore.Item> page = snapshots.list(run.accountId(), run.generation(), after, PAGE);
            withEntries(page).stream().filter(i -> covered(i.key())).forEach(items::add);
            if (page.size() < PAGE) {
                return items;
            }
            after = page.get(page.size() - 1).key();
        }
    }

    /** A generation's items under a prefix that pass the filter. */
    private List<SnapshotStore.Item> items(long generation, String prefix, Predicate<String> keep) {
        return snapshots.prefixed(run.accountId(), generation, prefix).stream().filter(i -> keep.test(i.key())).toList();
    }
}
