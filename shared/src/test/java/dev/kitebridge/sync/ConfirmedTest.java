package dev.kitebridge.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** When each kind of an account's data was last confirmed: set by kind, never moved backwards. */
class ConfirmedTest {

    private static final Instant T1 = Instant.parse("2026-11-25T12:00:00Z");
    private static final Instant T2 = T1.plusSeconds(3600);

    @Test
    void aRunConfirmsOnlyTheKindsItRead() {
        Confirmed some = Confirmed.NEVER.confirming(Set.of(DataKind.USERS, DataKind.INVITATIONS), T1);
        assertEquals(new Confirmed(T1, null, null, T1), some);
        Confirmed all = some.confirming(EnumSet.allOf(DataKind.class), T2);
        assertEquals(new Confirmed(T2, T2, T2, T2), all);
        for (DataKind kind : DataKind.values()) {
            assertEquals(T2, all.of(kind));
        }
    }

    @Test
    void aTimeNeverMovesBackwards() {
        Confirmed later = Confirmed.NEVER.confirming(Set.of(DataKind.GROUPS), T2);
        // A run that began earlier completes after: it confirms what was not confirmed later, and nothing else.
        assertEquals(new Confirmed(T1, T1, T2, T1), later.confirming(EnumSet.allOf(DataKind.class), T1));
        assertSame(later, later.confirming(Set.of(DataKind.GROUPS), null), "a run that never began reading confirms nothing");
    }

    @Test
    void aFullRunConfirmsEveryKind() {
        SyncRun run = SyncRun.queued("run-1", "tenant-1", "acct-1", 2, "schedule", false, T1, 0);
        assertEquals(EnumSet.allOf(DataKind.class), run.confirms());
        AccountSync state = AccountSync.linked("acct-1", "tenant-1");
        assertEquals(Confirmed.NEVER, state.confirmed());
        assertEquals(new Confirmed(T1, T1, T1, T1), state.confirming(run.confirms(), T1).confirmed());
        assertEquals(Confirmed.NEVER, new AccountSync("a", "t", 1, 0, 0, null, null, null, null, null, null, 0).confirmed(), "null reads as never");
    }
}
