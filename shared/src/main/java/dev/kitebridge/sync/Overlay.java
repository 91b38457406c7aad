package dev.kitebridge.sync;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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
     * and the invitations.
     */
    TreeSet<String> affectedRecords() {
        TreeSet<String> records = new TreeSet<>();
        for (long generation : new long[] {run.baseGeneration(), run.generation()}) {
            for (String key : coveredKeys(generation)) {
                records.add(SnapshotKeys.record(key));
            }
        }
        for (Subject subject : run.subjects()) {
            switch (subject.kind()) {
                case USER -> records.add(SnapshotKeys.user(subject.organizationId(), subject.id()));
                case GROUP -> records.add(SnapshotKeys.group(subject.organizationId(), subject.id()));
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
     */
    void publish() {
        Map<String, com.fasterxml.jackson.databind.JsonNode> current = new HashMap<>();
        covered(run.baseGeneration()).forEach(i -> current.put(i.key(), i.data()));
        Set<String> read = new HashSet<>();
        String after = null;
        while (true) {
            List<SnapshotStore.Item> page = snapshots.list(run.accountId(), run.generation(), after, PAGE);
            page.forEach(i -> read.add(i.key()));
            List<SnapshotStore.Item> changed = page.stream().filter(i -> !i.data().equals(current.get(i.key()))).toList();
            if (!changed.isEmpty()) {
                snapshots.put(run.accountId(), run.baseGeneration(), changed);
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
        List<String> gone = current.keySet().stream().filter(k -> !read.contains(k)).sorted().toList();
        for (int i = 0; i < gone.size(); i += PAGE) {
            snapshots.delete(run.accountId(), run.baseGeneration(), gone.subList(i, Math.min(gone.size(), i + PAGE)));
        }
    }

    /**
     * A generation's items the pass covers, organization by organization: a member's
     * record is looked up alone; a team's memberships are found by walking the organization's
     * members (once, however many of its teams the pass has), and the invitations by their prefix.
     */
    private List<String> coveredKeys(long generation) {
        return covered(generation).stream().map(SnapshotStore.Item::key).toList();
    }

    private List<SnapshotStore.Item> covered(long generation) {
        Map<String, SnapshotStore.Item> keys = new java.util.TreeMap<>();
        Set<String> walked = new HashSet<>();
        for (Subject subject : run.subjects()) {
            String org = subject.organizationId();
            switch (subject.kind()) {
                case USER -> snapshots.record(run.accountId(), generation, SnapshotKeys.user(org, subject.id()))
                        .forEach(i -> keys.put(i.key(), i));
                case INVITATION -> snapshots.record(run.accountId(), generation, SnapshotKeys.invitation(org, subject.id()))
                        .forEach(i -> keys.put(i.key(), i));
                case GROUP -> {
                    snapshots.record(run.accountId(), generation, SnapshotKeys.group(org, subject.id())).forEach(i -> keys.put(i.key(), i));
                    if (walked.add("u/" + org)) {
                        items(generation, SnapshotKeys.organization(org) + "u/", k -> SnapshotKeys.partOf(k).equals("t") && covered(k))
                                .forEach(i -> keys.put(i.key(), i));
                    }
                }
                case INVITATIONS -> {
                    if (walked.add("i/" + org)) {
                        items(generation, SnapshotKeys.organization(org) + "i/", k -> true).forEach(i -> keys.put(i.key(), i));
                    }
                }
                case MEMBERS -> { } // covers no item
            }
        }
        return List.copyOf(keys.values());
    }

    /** A generation's items under a prefix that pass the filter. */
    private List<SnapshotStore.Item> items(long generation, String prefix, Predicate<String> keep) {
        List<SnapshotStore.Item> items = new ArrayList<>();
        String after = prefix;
        while (true) {
            List<SnapshotStore.Item> page = snapshots.list(run.accountId(), generation, after, PAGE);
            for (SnapshotStore.Item item : page) {
                if (!item.key().startsWith(prefix)) {
                    return items;
                }
                if (keep.test(item.key())) {
                    items.add(item);
                }
            }
            if (page.size() < PAGE) {
                return items;
            }
            after = page.get(page.size() - 1).key();
        }
    }
}
