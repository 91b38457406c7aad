package dev.kitebridge.sync;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import dev.kitebridge.buildkite.rest.Team;

/**
 * The team names a pass of changes' comparison builds its records with: those of the teams a record's
 * memberships name, on each side, looked up by key in the account's current generation (a read unit a
 * team, read once a comparison), with the pass's own team items over them for the side after it (see
 * {@link Overlay#teamNames}). A user's record needs the names of its teams alone (its {@code groups},
 * and whether a team it left is still there); reading every team of the organization with its
 * pipelines and roster summaries, as a full run's walk does, cost a pass over one member some 110
 * read units at 250 teams. Where the comparison builds more than {@link #LOOKUPS} users' records of an
 * organization (a renamed team's members), or looks up more teams there than that, it lists the
 * organization's teams once instead, as that walk does: a few units a hundred teams, where a lookup
 * is a unit each.
 */
final class PassTeams {

    /** Users' records, or teams looked up one by one, of an organization, past which its teams are listed whole. */
    static final int LOOKUPS = 10;

    /** The names a record is built with before the pass and after it, by team id: its teams' that exist there. */
    record Names(Map<String, String> before, Map<String, String> after) {}

    private final SnapshotStore snapshots;
    private final SyncRun run;
    private final Overlay overlay;
    /** An organization's teams in the current generation, listed whole, by id, with their names. */
    private final Function<String, Map<String, String>> listing;
    /** The current generation's teams as read, by organization then team id: a name, or empty where it has no such team. */
    private final Map<String, Map<String, Optional<String>>> current = new HashMap<>();
    /** Organizations whose teams were listed whole: a team not among them is not there. */
    private final Set<String> listed = new HashSet<>();

    /** Organizations with more than {@link #LOOKUPS} users' records to build. */
    private final Set<String> many = new HashSet<>();

    /**
     * @param records the records the comparison builds (some, or all: those of an organization past {@link #LOOKUPS} list its teams)
     * @param listing an organization's teams in the current generation, listed whole (the comparison's own, read once)
     */
    PassTeams(SnapshotStore snapshots, SyncRun run, Overlay overlay, Collection<String> records,
              Function<String, Map<String, String>> listing) {
        this.snapshots = snapshots;
        this.run = run;
        this.overlay = overlay;
        this.listing = listing;
        Map<String, Integer> users = new HashMap<>();
        records.stream().filter(r -> SnapshotKeys.kind(r) == SnapshotKeys.Kind.USER)
                .forEach(r -> users.merge(SnapshotKeys.organizationOf(r), 1, Integer::sum));
        users.forEach((org, count) -> {
            if (count > LOOKUPS) {
                many.add(org);
            }
        });
    }

    /** The names for a record whose items are {@code before} in the current generation and {@code after} with the pass. */
    Names of(String recordKey, List<SnapshotStore.Item> before, List<SnapshotStore.Item> after) {
        if (SnapshotKeys.kind(recordKey) != SnapshotKeys.Kind.USER) {
            return new Names(Map.of(), Map.of()); // only a user's record names teams
        }
        String org = SnapshotKeys.organizationOf(recordKey);
        TreeSet<String> teams = new TreeSet<>();
        for (List<SnapshotStore.Item> side : List.of(before, after)) {
            side.stream().filter(i -> SnapshotKeys.partOf(i.key()).equals("t")).forEach(i -> teams.add(SnapshotKeys.teamOf(i.key())));
        }
        Map<String, Optional<String>> known = read(org, teams);
        Map<String, String> names = new HashMap<>();
        teams.forEach(t -> known.getOrDefault(t, Optional.empty()).ifPresent(name -> names.put(t, name)));
        // (the pass's own teams over them: a team it read renamed or found gone; a team it has that the record does not
        // name changes nothing of it)
        return new Names(names, overlay.teamNames(org, names));
    }

    /** The current generation's teams of the organization among {@code teams}, read where not yet read. */
    private Map<String, Optional<String>> read(String org, Collection<String> teams) {
        Map<String, Optional<String>> known = current.computeIfAbsent(org, o -> new HashMap<>());
        if (listed.contains(org)) {
            return known;
        }
        List<String> unknown = teams.stream().filter(t -> !known.containsKey(t)).toList();
        if (unknown.isEmpty()) {
            return known;
        }
        if (many.contains(org) || known.size() + unknown.size() > LOOKUPS) {
            known.clear();
            listing.apply(org).forEach((team, name) -> known.put(team, Optional.of(name)));
            listed.add(org);
            return known;
        }
        unknown.forEach(t -> known.put(t, Optional.empty()));
        // (at most LOOKUPS keys: one batch)
        snapshots.get(run.accountId(), run.baseGeneration(), unknown.stream().map(t -> SnapshotKeys.group(org, t)).toList()).forEach(item ->
                known.put(SnapshotKeys.idOf(item.key()), Optional.of(SnapshotParts.read(item.data(), Team.class).name())));
        return known;
    }
}
