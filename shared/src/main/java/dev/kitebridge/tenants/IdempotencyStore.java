package dev.kitebridge.tenants;

import java.time.Duration;
import java.time.Instant;

/**
 * The state behind the {@code Idempotency-Key} header of write requests: a client that lost an
 * answer sends the same request again, and gets the first answer instead of a second write. A
 * request claims its key (per tenant) for a lease, then completes it with its answer, or releases
 * it when it failed in a way that may be retried. The request hash tells a retry from a different
 * request that reuses the key. The lease ends on its own, so that a crashed request does not hold
 * its key for ever.
 */
public interface IdempotencyStore {

    /** What a completed write answered, replayed verbatim. */
    record StoredResponse(int status, String body) {}

    /** The outcome of a claim. */
    sealed interface Claim {

        /**
         * The key is this request's: go ahead, then complete or release it with claimId. The claim,
         * not the request hash, owns the key: after a takeover by the same request retried, the
         * former holder's late complete or release must not act on the new claim.
         */
        record Granted(String claimId) implements Claim {}

        /** A request with this key and the same body completed: answer what it answered. */
        record Replay(StoredResponse response) implements Claim {}

        /** A request with this key and the same body is running (its lease ends at leaseEndsAt). */
        record InProgress(Instant leaseEndsAt) implements Claim {}

        /** The key was used with another request (a different requestHash). */
        record Conflict() implements Claim {}
    }

    /**
     * Claims the tenant's key for the request with this hash until {@code now + lease}. Granted, with
     * a new claim id, when nobody holds the key: no record, a completed one expired at {@code now},
     * or a lease ended at {@code now} (whoever held it). Expiry is judged at {@code now}, not by a
     * clock, and never left to TTL.
     */
    Claim claim(String tenantId, String key, String requestHash, Instant now, Duration lease);

    /**
     * Stores the answer of the claimed request, kept until expiresAt under requestHash (what later
     * claims are replayed or refused by). Only the holder of the claim (in progress, with claimId)
     * can complete it; anyone else's call changes nothing.
     */
    void complete(String tenantId, String key, String claimId, String requestHash, StoredResponse response, Instant expiresAt);

    /**
     * Gives up a claim without an answer (the write failed in a way that may be retried): the key is
     * free again. Only for the in-progress claim with claimId; otherwise nothing changes.
     */
    void release(String tenantId, String key, String claimId);
}
