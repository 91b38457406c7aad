package dev.kitebridge.sync;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.buildkite.rest.Team;

/**
 * A pass of changes seen as the account's snapshot will be once it is published: the account's
 * current generation, with what the pass's own (small) generation holds over it (see
 * {@link PassItems}): an item it read otherwise replaces the current one, a tombstone removes it,
 * and every other item stays as it is. Nothing is copied until {@link #publish}, which writes the
 * pass into the current generation in place; each step of it can be repeated.
 */
final class Overlay {

    private static final int PAGE = 500;

    private final SnapshotStore snapshots;
    private final SyncRun run;
    /** The pass's generation, read once (it does not change while an overlay is used, but by a take-back, which makes its own). */
    private final PassItems pass;

    Overlay(SnapshotStore snapshots, SyncRun run) {
        if (run.full()) {
            throw new IllegalArgumentException("a full run has a generation of its own, not an overlay");
        }
        this.snapshots = snapshots;
        this.run = run;
        this.pass = new PassItems(snapshots, run);
    }

    /** What the pass changes: its items and tombstones, by key. */
    Map<String, JsonNode> changes() {
        return pass.records();
    }

    /**
     * A record's items after the pass: the current generation's (an invitation naming a team the
     * pass read changed, with that team's name: see {@link InvitationTeams}), with the pass's over them.
     */
    List<SnapshotStore.Item> record(String recordKey) {
        Map<String, SnapshotStore.Item> items = new TreeMap<>();
        String org = SnapshotKeys.organizationOf(recordKey);
        boolean rebuilt = SnapshotKeys.kind(recordKey) == SnapshotKeys.Kind.INVITATION && rebuildsInvitations(org);
        snapshots.record(run.accountId(), run.baseGeneration(), recordKey)
                .forEach(i -> items.put(i.key(), rebuilt ? InvitationTeams.renamed(i, teamsRead(org)) : i));
        pass.record(recordKey).forEach((key, data) -> {
            if (PassItems.gone(data)) {
                items.remove(key);
            } else {
                items.put(key, new SnapshotStore.Item(key, data));
            }
        });
        return List.copyOf(items.values());
    }

    /** An organization's teams after the pass, by id, with their names. */
    Map<String, String> teamNames(String orgId, Map<String, String> current) {
        Map<String, String> names = new HashMap<>(current);
        teamItems(orgId).forEach((team, data) -> {
            if (PassItems.gone(data)) {
                names.remove(team);
            } else {
                names.put(team, SnapshotParts.read(data, Team.class).name());
            }
        });
        return names;
    }

    /** The pass's own items of an organization's teams (not their parts), by team id: read otherwise, or tombstones. */
    private Map<String, JsonNode> teamItems(String orgId) {
        Map<String, JsonNode> teams = new TreeMap<>();
        pass.records().forEach((key, data) -> {
            if (key.startsWith(SnapshotKeys.groups(orgId)) && SnapshotKeys.partOf(key).isEmpty()) {
                teams.put(SnapshotKeys.idOf(key), data);
            }
        });
        return teams;
    }

    /**
     * The records whose built shape the pass changes, in key order: those it has an item or a
     * tombstone of, the members of every team whose own item it changed (a renamed team changes
     * their records), and the invitations it rebuilds. (The teams' index entries are no record's.)
     */
    TreeSet<String> affectedRecords() {
        TreeSet<String> records = new TreeSet<>();
        pass.records().keySet().stream().filter(k -> !TeamIndex.isEntry(k)).forEach(k -> records.add(SnapshotKeys.record(k)));
        for (String org : organizations()) {
            teamItems(org).forEach((team, data) -> {
                if (!PassItems.gone(data)) {
                    membersIn(org, team).forEach(records::add);
                }
            });
            if (rebuildsInvitations(org)) {
                invitationsNaming(org).forEach(i -> records.add(SnapshotKeys.record(i.key())));
            }
        }
        return records;
    }

    /**
     * The users with a membership in the team after the pass: those the current generation's index
     * lists there whose membership the pass does not take for gone, and those the pass has one (or an entry) of.
     */
    List<String> membersIn(String org, String team) {
        TreeSet<String> members = new TreeSet<>();
        for (SnapshotStore.Item entry : snapshots.prefixed(run.accountId(), run.baseGeneration(), SnapshotKeys.roster(org, team))) {
            String membership = TeamIndex.membershipOf(entry.key());
            if (!PassItems.gone(pass.all().get(membership))) {
                members.add(SnapshotKeys.record(membership));
            }
        }
        // (and the entries it has: a team the snapshot does not list whole gets its entries from the pass that reads it)
        pass.records().forEach((key, data) -> {
            String membership = TeamIndex.isEntry(key) ? TeamIndex.membershipOf(key) : key;
            if (TeamIndex.isMembership(membership) && SnapshotKeys.organizationOf(membership).equals(org)
                    && SnapshotKeys.teamOf(membership).equals(team) && !PassItems.gone(data) && !PassItems.gone(pass.all().get(membership))) {
                members.add(SnapshotKeys.record(membership));
            }
        });
        return List.copyOf(members);
    }

    /**
     * Whether the pass rebuilds the organization's invitations from the teams it read rather than
     * read them: it changed a team there, and has no INVITATIONS subject.
     */
    private boolean rebuildsInvitations(String org) {
        return !teamsRead(org).isEmpty() && !run.subjects().contains(Subject.invitations(org));
    }

    private Set<String> organizations() {
        return run.subjects().stream().map(Subject::organizationId).collect(java.util.stream.Collectors.toCollection(TreeSet::new));
    }

    /** The teams of the organization the pass read otherwise than the snapshot has them, by UUID. */
    private Map<String, Team> teamsRead(String org) {
        return teamsRead.computeIfAbsent(org, o -> {
            Map<String, Team> teams = new HashMap<>();
            teamItems(o).forEach((team, data) -> {
                if (!PassItems.gone(data)) {
                    teams.put(team, SnapshotParts.read(data, Team.class));
                }
            });
            return teams;
        });
    }

    private final Map<String, Map<String, Team>> teamsRead = new HashMap<>();

    /** The current generation's invitations of the organization that name one of the teams the pass changed. */
    private List<SnapshotStore.Item> invitationsNaming(String org) {
        Set<String> teams = teamsRead(org).keySet();
        return snapshots.prefixed(run.accountId(), run.baseGeneration(), SnapshotKeys.organization(org) + "i/").stream()
                .filter(i -> InvitationTeams.names(i, teams)).toList();
    }

    /**
     * Writes the pass into the account's current generation: each of its items (with its teams'
     * index entries, which follow from its memberships) that the current generation has otherwise,
     * the invitations it rebuilt that changed, then the removal of each item it has a tombstone of
     * (and of a membership's entry with it). An unchanged subject costs no write. Repeating it
     * changes nothing. {@code beginning} runs before its first write (see {@link SyncRun.Applying}).
     *
     * <p>A crash may stop it anywhere, and the index never misses a membership in between: an entry
     * is written before its membership and removed after it, and a team's roster summary, which
     * says its entries are whole, is written last.
     */
    void publish(Runnable beginning) {
        this.beginning = beginning;
        Map<String, SnapshotStore.Item> items = new TreeMap<>();
        Map<String, SnapshotStore.Item> entries = new TreeMap<>();
        List<String> gone = new ArrayList<>();
        pass.records().forEach((key, data) -> {
            if (PassItems.gone(data)) {
                gone.add(key);
            } else {
                items.put(key, new SnapshotStore.Item(key, data));
                if (TeamIndex.isMembership(key)) {
                    // The membership as published decides its entry's data (a team's read may have found another role than a member's).
                    SnapshotStore.Item entry = TeamIndex.entryOf(items.get(key));
                    entries.put(entry.key(), entry);
                }
            }
        });
        items.putAll(entries);
        // An entry the pass has without its membership (a member's read took the membership back to what the account has,
        // after a team's read in the pass found it otherwise) holds the membership as the account has it.
        List<String> asTheAccountHas = items.keySet().stream().filter(TeamIndex::isEntry).map(TeamIndex::membershipOf)
                .filter(membership -> !pass.records().containsKey(membership)).toList();
        Map<String, JsonNode> current = new HashMap<>();
        List<String> keys = java.util.stream.Stream.concat(items.keySet().stream(), asTheAccountHas.stream()).toList();
        for (int i = 0; i < keys.size(); i += 100) {
            snapshots.get(run.accountId(), run.baseGeneration(), keys.subList(i, Math.min(keys.size(), i + 100)))
                    .forEach(item -> current.put(item.key(), item.data()));
        }
        for (String membership : asTheAccountHas) {
            String entry = TeamIndex.entryKeyOf(membership);
            JsonNode data = current.get(membership);
            if (data == null) {
                items.remove(entry); // (no membership to stand beside: none is written)
            } else {
                items.put(entry, new SnapshotStore.Item(entry, data));
            }
        }
        List<SnapshotStore.Item> changed = items.values().stream().filter(i -> !InPlace.same(i.data(), current.get(i.key()))).toList();
        // Entries in a call before their memberships' (the items of one DynamoDB batch are written in no order); summaries last.
        put(changed.stream().filter(i -> TeamIndex.isEntry(i.key())).toList());
        put(changed.stream().filter(i -> !TeamIndex.isEntry(i.key()) && !TeamIndex.isSummary(i.key())).toList());
        for (String org : organizations()) {
            if (rebuildsInvitations(org)) {
                // (one the pass read itself is its own: the pass has it, or a tombstone of it)
                List<SnapshotStore.Item> renamed = new ArrayList<>();
                for (SnapshotStore.Item invitation : invitationsNaming(org)) {
                    SnapshotStore.Item rebuilt = InvitationTeams.renamed(invitation, teamsRead(org));
                    if (rebuilt != invitation && !pass.records().containsKey(invitation.key())) {
                        renamed.add(rebuilt);
                    }
                }
                put(renamed);
            }
        }
        // Memberships (and all else) gone before the entries: in calls of their own.
        delete(gone.stream().filter(k -> !TeamIndex.isEntry(k)).toList());
        TreeSet<String> entriesGone = new TreeSet<>(gone.stream().filter(TeamIndex::isEntry).toList());
        gone.stream().filter(TeamIndex::isMembership).map(TeamIndex::entryKeyOf).forEach(entriesGone::add);
        delete(List.copyOf(entriesGone));
        put(changed.stream().filter(i -> TeamIndex.isSummary(i.key())).toList());
    }

    /** What runs before a write of {@link #publish}. */
    private Runnable beginning = () -> { };

    private void put(List<SnapshotStore.Item> items) {
        if (!items.isEmpty()) {
            beginning.run();
        }
        for (int i = 0; i < items.size(); i += PAGE) {
            snapshots.put(run.accountId(), run.baseGeneration(), items.subList(i, Math.min(items.size(), i + PAGE)));
        }
    }

    private void delete(List<String> keys) {
        if (!keys.isEmpty()) {
            beginning.run();
        }
        for (int i = 0; i < keys.size(); i += PAGE) {
            snapshots.delete(run.accountId(), run.baseGeneration(), keys.subList(i, Math.min(keys.size(), i + PAGE)));
        }
    }
}
