package dev.kitebridge.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import dev.kitebridge.tenants.IdempotencyStore.Claim;
import dev.kitebridge.tenants.IdempotencyStore.StoredResponse;
import dev.kitebridge.tenants.IdempotencyStore;

/** What every IdempotencyStore adapter must do; each adapter's test extends this. Time is moved by hand, never read from a clock. */
public abstract class IdempotencyStoreContract {

    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final StoredResponse CREATED = new StoredResponse(201, "{\"id\":\"acct-1\",\"label\":\"Zoë's \\\"Acme\\\"\"}\n");

    protected abstract IdempotencyStore store();

    /** The claim id of a claim that must have been granted. */
    private static String granted(Claim claim, String... message) {
        return assertInstanceOf(Claim.Granted.class, claim, String.join("; ", message)).claimId();
    }

    @Test
    void theFirstClaimIsGrantedAndTheSameRequestMeanwhileIsInProgress() {
        granted(store().claim("tenant-a", "key-1", "hash-1", NOW, LEASE));
        assertEquals(new Claim.InProgress(NOW.plus(LEASE)), store().claim("tenant-a", "key-1", "hash-1", NOW.plusSeconds(10), LEASE));
        assertEquals(new Claim.InProgress(NOW.plus(LEASE)), store().claim("tenant-a", "key-1", "hash-1", NOW.plus(LEASE).minusMillis(1), LEASE),
                "the lease is judged to the millisecond");
    }

    @Test
    void aCompletedRequestIsReplayedVerbatimUntilItExpires() {
        String claim = granted(store().claim("tenant-a", "key-2", "hash-1", NOW, LEASE));
        store().complete("tenant-a", "key-2", claim, "hash-1", CREATED, NOW.plus(Duration.ofHours(24)));
        assertEquals(new Claim.Replay(CREATED), store().claim("tenant-a", "key-2", "hash-1", NOW.plusSeconds(1), LEASE));
        assertEquals(new Claim.Replay(CREATED), store().claim("tenant-a", "key-2", "hash-1", NOW.plus(Duration.ofHours(23)), LEASE),
                "long after the lease");
        assertEquals(new Claim.Replay(CREATED), store().claim("tenant-a", "key-2", "hash-1", NOW.plus(Duration.ofHours(24)).minusSeconds(1), LEASE));
    }

    @Test
    void anAnswerWithoutABodyIsReplayedToo() {
        StoredResponse noContent = new StoredResponse(204, "");
        String claim = granted(store().claim("tenant-a", "key-3", "hash-1", NOW, LEASE));
        store().complete("tenant-a", "key-3", claim, "hash-1", noContent, NOW.plus(Duration.ofHours(1)));
        assertEquals(new Claim.Replay(noContent), store().claim("tenant-a", "key-3", "hash-1", NOW.plusSeconds(1), LEASE));
    }

    @Test
    void anotherRequestWithTheKeyIsAConflictWhileRunningAndAfterCompletion() {
        String claim = granted(store().claim("tenant-a", "key-4", "hash-1", NOW, LEASE));
        assertEquals(new Claim.Conflict(), store().claim("tenant-a", "key-4", "hash-2", NOW.plusSeconds(1), LEASE));
        store().complete("tenant-a", "key-4", claim, "hash-1", CREATED, NOW.plus(Duration.ofHours(1)));
        assertEquals(new Claim.Conflict(), store().claim("tenant-a", "key-4", "hash-2", NOW.plusSeconds(2), LEASE));
        assertEquals(new Claim.Conflict(), store().claim("tenant-a", "key-4", "hash-2", NOW.plus(Duration.ofMinutes(30)), LEASE),
                "a completion is no lease: it does not end with one");
        assertEquals(new Claim.Replay(CREATED), store().claim("tenant-a", "key-4", "hash-1", NOW.plusSeconds(3), LEASE));
    }

    @Test
    void aReleaseFreesTheKey() {
        String first = granted(store().claim("tenant-a", "key-5", "hash-1", NOW, LEASE));
        store().release("tenant-a", "key-5", first);
        String second = granted(store().claim("tenant-a", "key-5", "hash-1", NOW.plusSeconds(1), LEASE));
        assertNotEquals(first, second, "every claim has its own id");
        store().release("tenant-a", "key-5", second);
        granted(store().claim("tenant-a", "key-5", "hash-2", NOW.plusSeconds(2), LEASE), "once free, the key takes any request");
    }

    @Test
    void onlyTheHolderReleasesAndNothingReleasesACompletion() {
        String claim = granted(store().claim("tenant-a", "key-6", "hash-1", NOW, LEASE));
        store().release("tenant-a", "key-6", "another-claim");
        assertEquals(new Claim.InProgress(NOW.plus(LEASE)), store().claim("tenant-a", "key-6", "hash-1", NOW.plusSeconds(1), LEASE));
        store().complete("tenant-a", "key-6", claim, "hash-1", CREATED, NOW.plus(Duration.ofHours(1)));
        store().release("tenant-a", "key-6", claim);
        assertEquals(new Claim.Replay(CREATED), store().claim("tenant-a", "key-6", "hash-1", NOW.plusSeconds(2), LEASE));
        store().release("tenant-a", "key-never-claimed", claim);
    }

    @Test
    void anEndedLeaseIsTakenOver() {
        String first = granted(store().claim("tenant-a", "key-7", "hash-1", NOW, LEASE));
        String second = granted(store().claim("tenant-a", "key-7", "hash-1", NOW.plus(LEASE), LEASE), "the same request, retried");
        Instant later = NOW.plus(LEASE).plus(LEASE);
        granted(store().claim("tenant-a", "key-7", "hash-2", later, LEASE), "or another one");
        assertEquals(new Claim.Conflict(), store().claim("tenant-a", "key-7", "hash-1", later.plusSeconds(1), LEASE));

        for (String former : List.of(first, second)) {
            store().complete("tenant-a", "key-7", former, "hash-1", CREATED, later.plus(Duration.ofHours(1)));
            store().release("tenant-a", "key-7", former);
        }
        assertEquals(new Claim.InProgress(later.plus(LEASE)), store().claim("tenant-a", "key-7", "hash-2", later.plusSeconds(2), LEASE),
                "the former holders can neither complete nor release the new claim");
    }

    @Test
    void theSameRequestsFormerClaimCannotEndTheClaimThatTookItOver() {
        String a = granted(store().claim("tenant-a", "key-11", "hash-1", NOW, LEASE), "request A");
        Instant takeover = NOW.plus(LEASE);
        String b = granted(store().claim("tenant-a", "key-11", "hash-1", takeover, LEASE), "request B, once A's lease ended");
        assertNotEquals(a, b);

        StoredResponse late = new StoredResponse(500, "A, late");
        store().complete("tenant-a", "key-11", a, "hash-1", late, takeover.plus(Duration.ofHours(1)));
        store().release("tenant-a", "key-11", a);
        assertEquals(new Claim.InProgress(takeover.plus(LEASE)), store().claim("tenant-a", "key-11", "hash-1", takeover.plusSeconds(1), LEASE),
                "request C waits for B: A neither completed nor released B's claim");

        store().complete("tenant-a", "key-11", b, "hash-1", CREATED, takeover.plus(Duration.ofHours(1)));
        store().complete("tenant-a", "key-11", a, "hash-1", late, takeover.plus(Duration.ofHours(2)));
        store().release("tenant-a", "key-11", a);
        assertEquals(new Claim.Replay(CREATED), store().claim("tenant-a", "key-11", "hash-1", takeover.plusSeconds(2), LEASE), "B's answer");
    }

    @Test
    void anExpiredCompletionIsForgotten() {
        String first = granted(store().claim("tenant-a", "key-8", "hash-1", NOW, LEASE));
        Instant expiresAt = NOW.plus(Duration.ofHours(1));
        store().complete("tenant-a", "key-8", first, "hash-1", CREATED, expiresAt);
        String second = granted(store().claim("tenant-a", "key-8", "hash-1", expiresAt, LEASE));

        store().complete("tenant-a", "key-8", second, "hash-1", CREATED, expiresAt.plus(Duration.ofHours(1)));
        granted(store().claim("tenant-a", "key-8", "hash-2", expiresAt.plus(Duration.ofHours(2)), LEASE), "whatever the request");
    }

    @Test
    void tenantsKeysAreIndependent() {
        String onA = granted(store().claim("tenant-a", "key-9", "hash-1", NOW, LEASE));
        String onB = granted(store().claim("tenant-b", "key-9", "hash-2", NOW, LEASE));
        store().complete("tenant-a", "key-9", onA, "hash-1", CREATED, NOW.plus(Duration.ofHours(1)));
        assertEquals(new Claim.InProgress(NOW.plus(LEASE)), store().claim("tenant-b", "key-9", "hash-2", NOW.plusSeconds(1), LEASE));
        store().release("tenant-b", "key-9", onB);
        assertEquals(new Claim.Replay(CREATED), store().claim("tenant-a", "key-9", "hash-1", NOW.plusSeconds(2), LEASE));
        granted(store().claim("tenant-b", "key-9", "hash-1", NOW.plusSeconds(2), LEASE));
    }

    @Test
    void keysAreTheClientsTextWhateverItHolds() {
        String key = "order #42 / Zoë: ~!@$%^&*()_+{}|\"<>?`=[]\\;',.";
        granted(store().claim("tenant-a", key, "hash-1", NOW, LEASE));
        granted(store().claim("tenant-a", key.toUpperCase(), "hash-1", NOW, LEASE), "keys are case-sensitive");
        granted(store().claim("tenant-a", key + " ", "hash-1", NOW, LEASE));
        assertEquals(new Claim.InProgress(NOW.plus(LEASE)), store().claim("tenant-a", key, "hash-1", NOW, LEASE));
    }

    @Test
    void aCompletionByAnyoneButTheHolderChangesNothing() {
        store().complete("tenant-a", "key-10", "no-claim-yet", "hash-1", CREATED, NOW.plus(Duration.ofHours(1)));
        String claim = granted(store().claim("tenant-a", "key-10", "hash-1", NOW, LEASE), "nothing to complete before a claim");

        store().complete("tenant-a", "key-10", "another-claim", "hash-1", CREATED, NOW.plus(Duration.ofHours(1)));
        store().complete("tenant-a", "key-10", "another-claim", "hash-2", CREATED, NOW.plus(Duration.ofHours(1)));
        assertEquals(new Claim.InProgress(NOW.plus(LEASE)), store().claim("tenant-a", "key-10", "hash-1", NOW.plusSeconds(1), LEASE));
        assertEquals(new Claim.Conflict(), store().claim("tenant-a", "key-10", "hash-2", NOW.plusSeconds(1), LEASE));

        store().complete("tenant-a", "key-10", claim, "hash-1", CREATED, NOW.plus(Duration.ofHours(1)));
        store().complete("tenant-a", "key-10", claim, "hash-1", new StoredResponse(500, "second"), NOW.plus(Duration.ofHours(2)));
        assertEquals(new Claim.Replay(CREATED), store().claim("tenant-a", "key-10", "hash-1", NOW.plusSeconds(2), LEASE),
                "a completion is final");
    }

    @Test
    void ofRequestsRacingForAKeyExactlyOneIsGranted() throws Exception {
        int racers = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            List<Future<Claim>> claims = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                claims.add(pool.submit(() -> {
                    start.await();
                    return store().claim("tenant-a", "key-race", "hash-1", NOW, LEASE);
                }));
            }
            start.countDown();
            List<Claim> outcomes = new ArrayList<>();
            for (Future<Claim> claim : claims) {
                outcomes.add(claim.get());
            }
            assertEquals(1, outcomes.stream().filter(c -> c instanceof Claim.Granted).count(), outcomes.toString());
            outcomes.stream().filter(c -> !(c instanceof Claim.Granted))
                    .forEach(c -> assertEquals(new Claim.InProgress(NOW.plus(LEASE)), c, outcomes.toString()));
        } finally {
            pool.shutdownNow();
        }
    }
}
