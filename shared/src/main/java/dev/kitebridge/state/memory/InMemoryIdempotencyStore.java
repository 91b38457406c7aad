package dev.kitebridge.state.memory;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import dev.kitebridge.tenants.IdempotencyStore;

/**
 * Idempotency keys in memory, for tests and the local dev server. Each change is one
 * {@link ConcurrentHashMap#compute}, so that requests racing for a key see one winner; expired
 * records are replaced when met.
 */
public final class InMemoryIdempotencyStore implements IdempotencyStore {

    /** Keys are per tenant. */
    private record TenantKey(String tenantId, String key) {}

    private sealed interface Entry {}

    /** claimId tells this claim from an earlier one of the same request that it took over. */
    private record Running(String claimId, String requestHash, Instant leaseEndsAt) implements Entry {}

    private record Completed(String requestHash, StoredResponse response, Instant expiresAt) implements Entry {}

    private final Map<TenantKey, Entry> entries = new ConcurrentHashMap<>();

    @Override
    public Claim claim(String tenantId, String key, String requestHash, Instant now, Duration lease) {
        Claim[] outcome = new Claim[1];
        entries.compute(new TenantKey(tenantId, key), (k, entry) -> {
            if (free(entry, now)) {
                String claimId = UUID.randomUUID().toString();
                outcome[0] = new Claim.Granted(claimId);
                return new Running(claimId, requestHash, now.plus(lease));
            }
            outcome[0] = held(entry, requestHash);
            return entry;
        });
        return outcome[0];
    }

    /** No record, a completion expired at {@code now}, or a lease ended at {@code now}. */
    private static boolean free(Entry entry, Instant now) {
        if (entry instanceof Completed completed) {
            return !now.isBefore(completed.expiresAt());
        }
        if (entry instanceof Running running) {
            return !now.isBefore(running.leaseEndsAt());
        }
        return entry == null;
    }

    /** What a claim meets when someone holds the key. */
    private static Claim held(Entry entry, String requestHash) {
        if (entry instanceof Completed completed) {
            return completed.requestHash().equals(requestHash) ? new Claim.Replay(completed.response()) : new Claim.Conflict();
        }
        Running running = (Running) entry;
        return running.requestHash().equals(requestHash) ? new Claim.InProgress(running.leaseEndsAt()) : new Claim.Conflict();
    }

    @Override
    public void complete(String tenantId, String key, String claimId, String requestHash, StoredResponse response, Instant expiresAt) {
        entries.computeIfPresent(new TenantKey(tenantId, key), (k, entry) ->
                holds(entry, claimId) ? new Completed(requestHash, response, expiresAt) : entry);
    }

    @Override
    public void release(String tenantId, String key, String claimId) {
        entries.computeIfPresent(new TenantKey(tenantId, key), (k, entry) -> holds(entry, claimId) ? null : entry);
    }

    private static boolean holds(Entry entry, String claimId) {
        return entry instanceof Running running && running.claimId().equals(claimId);
    }
}
