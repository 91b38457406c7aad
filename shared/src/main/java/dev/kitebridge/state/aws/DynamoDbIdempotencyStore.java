package dev.kitebridge.state.aws;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import dev.kitebridge.tenants.ApiKeyStore;
import dev.kitebridge.tenants.IdempotencyStore;

/**
 * One item per key, {@code IDEMPOTENCY#<tenant>#<SHA-256 of the key>} / {@code IDEMPOTENCY}: the
 * key is the client's text, so only its hash goes into the partition key. A claim is one
 * conditional put that lands only where nobody holds the key (no transactions), so that of the
 * requests racing for a key exactly one is granted; the losers read what they lost to. Leases are
 * kept in epoch milliseconds ({@code lease_ends_at}); {@code expires_at} is the table's TTL in
 * epoch seconds, checked against the claim's {@code now} on every read because TTL deletes late.
 */
public final class DynamoDbIdempotencyStore implements IdempotencyStore {

    private static final String SK = "IDEMPOTENCY";
    private static final String IN_PROGRESS = "in_progress";
    private static final String COMPLETED = "completed";

    /** How long a claim's record outlives its lease, so that TTL never deletes a lease still being judged. */
    private static final Duration AFTER_LEASE = Duration.ofDays(1);

    /** Put-then-read rounds before a claim gives up on a record that keeps changing. */
    private static final int ATTEMPTS = 5;

    /** What a claim answers when the record kept changing under every attempt: someone is using the key; come back shortly. */
    private static final Duration CONTENDED = Duration.ofSeconds(1);

    /** Free: no record, a record expired at {@code now}, or a lease ended at {@code now}. */
    private static final String FREE = "attribute_not_exists(pk) OR expires_at <= :now OR (#state = :in_progress AND lease_ends_at <= :now_ms)";

    /** Held by this claim: in progress, with its id (not merely its request's hash, which a takeover by a retry shares). */
    private static final String HELD = "#state = :in_progress AND claim_id = :claim";

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDbIdempotencyStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    private static Map<String, AttributeValue> key(String tenantId, String key) {
        return KitebridgeTable.key("IDEMPOTENCY#" + tenantId + "#" + ApiKeyStore.hash(key), SK);
    }

    @Override
    public Claim claim(String tenantId, String key, String requestHash, Instant now, Duration lease) {
        Map<String, AttributeValue> itemKey = key(tenantId, key);
        Instant leaseEndsAt = now.plus(lease);
        // The SDK retries a put whose answer was lost; if the first one landed, the retry fails its
        // condition, and this claim's own id on the item tells that apart from someone else's claim.
        String claimId = UUID.randomUUID().toString();
        Map<String, AttributeValue> item = new HashMap<>(itemKey);
        item.put("state", KitebridgeTable.s(IN_PROGRESS));
        item.put("request_hash", KitebridgeTable.s(requestHash));
        item.put("lease_ends_at", KitebridgeTable.n(leaseEndsAt.toEpochMilli()));
        item.put("claim_id", KitebridgeTable.s(claimId));
        item.put(KitebridgeTable.EXPIRES_AT, KitebridgeTable.expiresAt(leaseEndsAt.plus(AFTER_LEASE)));
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression(FREE)
                        .expressionAttributeNames(Map.of("#state", "state"))
                        .expressionAttributeValues(Map.of(":now", KitebridgeTable.n(now.getEpochSecond()),
                                ":now_ms", KitebridgeTable.n(now.toEpochMilli()), ":in_progress", KitebridgeTable.s(IN_PROGRESS))));
                return new Claim.Granted(claimId);
            } catch (ConditionalCheckFailedException held) {
                Map<String, AttributeValue> found = dynamo.getItem(b -> b.tableName(table).key(itemKey).consistentRead(true)).item();
                if (found == null || found.isEmpty() || KitebridgeTable.expired(found, now)) {
                    continue; // gone since the put: try again
                }
                if (found.containsKey("claim_id") && claimId.equals(found.get("claim_id").s())) {
                    return new Claim.Granted(claimId);
                }
                boolean sameRequest = requestHash.equals(found.get("request_hash").s());
                if (COMPLETED.equals(found.get("state").s())) {
                    return sameRequest ? new Claim.Replay(new StoredResponse(Integer.parseInt(found.get("status").n()),
                            found.containsKey("body") ? found.get("body").s() : null)) : new Claim.Conflict();
                }
                Instant foundLeaseEndsAt = Instant.ofEpochMilli(Long.parseLong(found.get("lease_ends_at").n()));
                if (!now.isBefore(foundLeaseEndsAt)) {
                    continue; // a lease ended at now, yet the put failed: it changed since; try again
                }
                return sameRequest ? new Claim.InProgress(foundLeaseEndsAt) : new Claim.Conflict();
            }
        }
        return new Claim.InProgress(now.plus(CONTENDED));
    }

    @Override
    public void complete(String tenantId, String key, String claimId, String requestHash, StoredResponse response, Instant expiresAt) {
        Map<String, AttributeValue> item = new HashMap<>(key(tenantId, key));
        item.put("state", KitebridgeTable.s(COMPLETED));
        item.put("request_hash", KitebridgeTable.s(requestHash));
        item.put("status", KitebridgeTable.n(response.status()));
        if (response.body() != null) {
            item.put("body", KitebridgeTable.s(response.body()));
        }
        item.put(KitebridgeTable.EXPIRES_AT, KitebridgeTable.expiresAt(expiresAt));
        try {
            dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression(HELD)
                    .expressionAttributeNames(Map.of("#state", "state"))
                    .expressionAttributeValues(Map.of(":in_progress", KitebridgeTable.s(IN_PROGRESS), ":claim", KitebridgeTable.s(claimId))));
        } catch (ConditionalCheckFailedException notHeld) {
            // Someone else's claim (or this completion's own retry after a lost answer): nothing to do.
        }
    }

    @Override
    public void release(String tenantId, String key, String claimId) {
        try {
            dynamo.deleteItem(b -> b.tableName(table).key(key(tenantId, key)).conditionExpression(HELD)
                    .expressionAttributeNames(Map.of("#state", "state"))
                    .expressionAttributeValues(Map.of(":in_progress", KitebridgeTable.s(IN_PROGRESS), ":claim", KitebridgeTable.s(claimId))));
        } catch (ConditionalCheckFailedException notHeld) {
            // Not this request's claim (or already released): nothing to do.
        }
    }
}
