package dev.kitebridge.sync;

/**
 * The keys of snapshot items. A record's parts share its key as a prefix, so that they come
 * together in key order: {@code o/ORG/u/USER} is a member, with {@code /g} (their GraphQL profile),
 * {@code /m} (their REST membership) and {@code /t/TEAM} (one team of theirs); {@code o/ORG/g/TEAM}
 * is a team (with {@code /r}, its member count, and {@code /p/PIPELINE}, each pipeline's access) and
 * {@code o/ORG/i/INVITATION} an invitation. Within an organization teams sort first,
 * so a comparison knows every team's name before it meets the members.
 *
 * <p>{@code o/ORG/t/TEAM/USER} is not a record's part but an index: one entry beside each membership
 * {@code o/ORG/u/USER/t/TEAM}, so that a team's members are found by reading its entries alone (see
 * {@link TeamIndex}). It sorts apart from the teams' own items, so reading every team's name does not read it.
 */
public final class SnapshotKeys {

    private SnapshotKeys() {}

    /** ROSTER: a team's index entries ({@link TeamIndex}), not a record of the directory. */
    public enum Kind { GROUP, INVITATION, USER, ROSTER }

    public static String organization(String org) {
        return "o/" + org + "/";
    }

    public static String groups(String org) {
        return organization(org) + "g/";
    }

    public static String group(String org, String team) {
        return groups(org) + team;
    }

    public static String invitation(String org, String invitation) {
        return organization(org) + "i/" + invitation;
    }

    public static String user(String org, String user) {
        return organization(org) + "u/" + user;
    }

    public static String profile(String org, String user) {
        return user(org, user) + "/g";
    }

    public static String member(String org, String user) {
        return user(org, user) + "/m";
    }

    public static String membership(String org, String user, String team) {
        return user(org, user) + "/t/" + team;
    }

    /** Where a team's index entries begin: {@code o/ORG/t/TEAM/}. */
    public static String roster(String org, String team) {
        return organization(org) + "t/" + team + "/";
    }

    /** The index entry beside a membership: the team, then the user. */
    public static String rosterEntry(String org, String team, String user) {
        return roster(org, team) + user;
    }

    /** The key of the record an item is a part of: its first four segments. */
    public static String record(String itemKey) {
        int slashes = 0;
        for (int i = 0; i < itemKey.length(); i++) {
            if (itemKey.charAt(i) == '/' && ++slashes == 4) {
                return itemKey.substring(0, i);
            }
        }
        return itemKey;
    }

    public static String organizationOf(String key) {
        return key.split("/", 3)[1];
    }

    public static Kind kind(String key) {
        return switch (key.split("/", 4)[2]) {
            case "g" -> Kind.GROUP;
            case "i" -> Kind.INVITATION;
            case "u" -> Kind.USER;
            case "t" -> Kind.ROSTER;
            default -> throw new IllegalArgumentException("not a snapshot key: " + key);
        };
    }

    /** The record's own id: the team, invitation or user UUID. */
    public static String idOf(String recordKey) {
        return recordKey.split("/", 5)[3];
    }

    /** The part an item is of its record: "" for the record's own item; a user's "g", "m", "t" (a team); a team's "r", "p" (a pipeline). */
    public static String partOf(String itemKey) {
        String rest = itemKey.substring(record(itemKey).length());
        return rest.isEmpty() ? "" : rest.substring(1, 2);
    }

    /** The team of a membership item. */
    public static String teamOf(String membershipKey) {
        return membershipKey.substring(membershipKey.lastIndexOf('/') + 1);
    }
}
