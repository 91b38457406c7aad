package dev.kitebridge.sync;

import java.time.Instant;
import java.util.Set;

/**
 * When each kind of an account's data was last confirmed by a completed run: the time that run
 * began reading (what it read is at least that fresh). Null where never. A time never moves
 * backwards: a run that completes after a later-started one confirms nothing older.
 */
public record Confirmed(Instant users, Instant profiles, Instant groups, Instant invitations) {

    public static final Confirmed NEVER = new Confirmed(null, null, null, null);

    /** These kinds confirmed at {@code at} (each kept where it is later already). */
    public Confirmed confirming(Set<DataKind> kinds, Instant at) {
        if (at == null) {
            return this;
        }
        return new Confirmed(
                kinds.contains(DataKind.USERS) ? later(users, at) : users,
                kinds.contains(DataKind.PROFILES) ? later(profiles, at) : profiles,
                kinds.contains(DataKind.GROUPS) ? later(groups, at) : groups,
                kinds.contains(DataKind.INVITATIONS) ? later(invitations, at) : invitations);
    }

    /** When the kind was last confirmed; null if never. */
    public Instant of(DataKind kind) {
        return switch (kind) {
            case USERS -> users;
            case PROFILES -> profiles;
            case GROUPS -> groups;
            case INVITATIONS -> invitations;
        };
    }

    private static Instant later(Instant was, Instant at) {
        return was == null || at.isAfter(was) ? at : was;
    }

    /** The oldest of the times: since when every kind of data has been confirmed; empty while some kind never was. */
    public java.util.Optional<Instant> oldest() {
        java.util.List<Instant> times = java.util.Arrays.asList(users, profiles, groups, invitations);
        return times.contains(null) ? java.util.Optional.empty() : times.stream().min(Instant::compareTo);
    }
}
