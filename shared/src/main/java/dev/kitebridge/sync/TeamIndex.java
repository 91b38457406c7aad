package dev.kitebridge.sync;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * A team's members, listed beside it: for every membership item {@code o/ORG/u/USER/t/TEAM} of a
 * snapshot, an entry {@code o/ORG/t/TEAM/USER} holding the same data (the member's role in the team),
 * written with it and gone with it, so that a pass over a team finds its members, and their roles,
 * by reading the team's entries alone (one Query of a few units), not every member of the
 * organization nor each membership by its key (a read unit each). An entry is not a record: no
 * comparison builds it, no event names it.
 *
 * <p>A team's roster summary ({@code /r}) says whether its entries are whole ({@code members_listed})
 * and carry the roles ({@code roles_listed}): every run and pass that reads the roster writes it so.
 * A snapshot written before entries existed has summaries without the first, and a pass over such a
 * team finds its memberships by walking the organization's members; one written while entries were
 * empty has summaries without the second, and a pass looks each membership up by its key; both
 * until a full run or a pass reads the team's roster again.
 */
final class TeamIndex {

    /** What an entry held before entries carried the role (a team whose summary does not say {@code roles_listed}). */
    static final com.fasterxml.jackson.databind.JsonNode EMPTY = JsonNodeFactory.instance.objectNode();

    private TeamIndex() {}

    /** Whether a snapshot key is an index entry. */
    static boolean isEntry(String key) {
        return key.startsWith("o/") && SnapshotKeys.kind(key) == SnapshotKeys.Kind.ROSTER;
    }

    /** Whether a snapshot key is a membership (a user's {@code /t/TEAM} part). */
    static boolean isMembership(String key) {
        return key.startsWith("o/") && SnapshotKeys.kind(key) == SnapshotKeys.Kind.USER && SnapshotKeys.partOf(key).equals("t");
    }

    /** The key of the entry beside a membership. */
    static String entryKeyOf(String membershipKey) {
        String org = SnapshotKeys.organizationOf(membershipKey);
        String user = SnapshotKeys.idOf(SnapshotKeys.record(membershipKey));
        return SnapshotKeys.rosterEntry(org, SnapshotKeys.teamOf(membershipKey), user);
    }

    /** The entry beside a membership: its data, at the entry's key. */
    static SnapshotStore.Item entryOf(SnapshotStore.Item membership) {
        return new SnapshotStore.Item(entryKeyOf(membership.key()), membership.data());
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
        items.stream().filter(i -> isMembership(i.key())).map(TeamIndex::entryOf).forEach(all::add);
        return all;
    }

    /** Whether a team's roster summary says its entries are whole (null: no summary). */
    static boolean listed(SnapshotStore.Item summary) {
        return summary != null && SnapshotParts.read(summary.data(), SnapshotParts.RosterSummary.class).membersListed();
    }

    /** Whether a team's roster summary says its entries are whole and each holds its membership's data. */
    static boolean rolesListed(SnapshotStore.Item summary) {
        if (summary == null) {
            return false;
        }
        SnapshotParts.RosterSummary roster = SnapshotParts.read(summary.data(), SnapshotParts.RosterSummary.class);
        return roster.membersListed() && roster.rolesListed();
    }

    /** Whether an item is a team's roster summary ({@code o/ORG/g/TEAM/r}). */
    static boolean isSummary(String key) {
        return key.startsWith("o/") && SnapshotKeys.kind(key) == SnapshotKeys.Kind.GROUP && SnapshotKeys.partOf(key).equals("r");
    }
}
