package dev.kitebridge.sync;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * A team's members, listed beside it: for every membership item {@code o/ORG/u/USER/t/TEAM} of a
 * snapshot, an entry {@code o/ORG/t/TEAM/USER} (empty: the membership holds the role), written with
 * it and gone with it, so that a pass over a team finds its members by reading the team's entries,
 * not every member of the organization. An entry is not a record: no comparison builds it, no event
 * names it.
 *
 * <p>A team's roster summary ({@code /r}) says whether its entries are whole ({@code members_listed}):
 * every run and pass that reads the roster writes it so. A snapshot written before entries existed
 * has summaries without it, and a pass over such a team finds its memberships by walking the
 * organization's members, as before, until the next full run lists them.
 */
final class TeamIndex {

    private static final com.fasterxml.jackson.databind.JsonNode EMPTY = JsonNodeFactory.instance.objectNode();

    private TeamIndex() {}

    /** Whether a snapshot key is an index entry. */
    static boolean isEntry(String key) {
        return key.startsWith("o/") && SnapshotKeys.kind(key) == SnapshotKeys.Kind.ROSTER;
    }

    /** Whether a snapshot key is a membership (a user's {@code /t/TEAM} part). */
    static boolean isMembership(String key) {
        return key.startsWith("o/") && SnapshotKeys.kind(key) == SnapshotKeys.Kind.USER && SnapshotKeys.partOf(key).equals("t");
    }

    /** The entry beside a membership. */
    static SnapshotStore.Item entryOf(String membershipKey) {
        String org = SnapshotKeys.organizationOf(membershipKey);
        String user = SnapshotKeys.idOf(SnapshotKeys.record(membershipKey));
        return new SnapshotStore.Item(SnapshotKeys.rosterEntry(org, SnapshotKeys.teamOf(membershipKey), user), EMPTY);
    }

    /** The membership an entry stands beside. */
    static String membershipOf(String entryKey) {
        String org = SnapshotKeys.organizationOf(entryKey);
        String[] segments = entryKey.split("/");
        return SnapshotKeys.membership(org, segments[4], segments[3]);
    }

    /** The items, each membership among them with its entry. */
    static List<SnapshotStore.Item> withEntries(List<SnapshotStore.Item> items) {
        List<SnapshotStore.Item> all = new ArrayList<>(items);
        items.stream().filter(i -> isMembership(i.key())).map(i -> entryOf(i.key())).forEach(all::add);
        return all;
    }

    /** Whether a team's roster summary says its entries are whole (null: no summary). */
    static boolean listed(SnapshotStore.Item summary) {
        return summary != null && SnapshotParts.read(summary.data(), SnapshotParts.RosterSummary.class).membersListed();
    }

    /** Whether an item is a team's roster summary ({@code o/ORG/g/TEAM/r}). */
    static boolean isSummary(String key) {
        return key.startsWith("o/") && SnapshotKeys.kind(key) == SnapshotKeys.Kind.GROUP && SnapshotKeys.partOf(key).equals("r");
    }
}
