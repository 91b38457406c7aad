package dev.kitebridge.events;

import java.util.Locale;

/**
 * Where an event stands in its account's log: its run's ordinal, then its rank (creations before
 * updates before removals, so a receiver meets a user and a group before the user joins it), then
 * its record's key. The same change in the same run always gets the same position.
 */
public final class EventPositions {

    private EventPositions() {}

    /** The "run" of an account's log that its link is: its first, holding the link's event alone. */
    public static final long LINK_ORDINAL = 1;
    /** The account's link, alone in the first "run" of its log. */
    public static final int ACCOUNT_LINKED = 0;
    public static final int USER_CREATED = 10;
    public static final int GROUP_CREATED = 20;
    public static final int GROUP_UPDATED = 30;
    public static final int USER_UPDATED = 40;
    public static final int GROUP_USER_ADDED = 50;
    public static final int GROUP_USER_REMOVED = 60;
    /** Removals that come of a deletion (the user or the team is gone), and the deletions: what a hold undoes. */
    public static final int GONE_USER_REMOVED = 70;
    public static final int GROUP_DELETED = 80;
    public static final int USER_DELETED = 90;
    public static final int RUN_ENDED = 99;
    /** The key of a run's end event: the last of its run, after an account's event of the same rank (needs_reauth). */
    public static final String RUN_END_KEY = "run";
    /** The key of an event about the account itself: its link (alone in its "run"), its needs_reauth at a run's end. */
    public static final String ACCOUNT_KEY = "account";

    public static String of(long ordinal, int rank, String key) {
        return String.format(Locale.ROOT, "%012d/%02d/%s", ordinal, rank, key);
    }

    public static long ordinalOf(String position) {
        return Long.parseLong(position.substring(0, 12));
    }

    /**
     * Whether a reader that has dealt with the events up to {@code position} has dealt with every event of the runs
     * through {@code publishedThrough}: it stands at that run's last event (its end; the link, alone in its "run") or
     * past it. False for a reader that has dealt with none (null).
     */
    public static boolean caughtUp(String position, long publishedThrough) {
        if (position == null) {
            return false;
        }
        long ordinal = ordinalOf(position);
        boolean lastOfItsRun = position.equals(of(ordinal, RUN_ENDED, RUN_END_KEY)) || position.equals(of(LINK_ORDINAL, ACCOUNT_LINKED, ACCOUNT_KEY));
        return ordinal > publishedThrough || ordinal == publishedThrough && lastOfItsRun;
    }

    public static int rankOf(String position) {
        return Integer.parseInt(position.substring(13, 15));
    }

    public static String firstOfRun(long ordinal) {
        return String.format(Locale.ROOT, "%012d/", ordinal);
    }

    public static String firstOfRank(long ordinal, int rank) {
        return String.format(Locale.ROOT, "%012d/%02d/", ordinal, rank);
    }
}
