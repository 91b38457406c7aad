package dev.kitebridge.state.aws;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * One partition used as a sorted list of items, by sort key: a snapshot generation, an event log.
 * A sync run writes about a hundred items per page, so writes go in batches (BatchWriteItem, 25
 * items a call) rather than one call per item, and lists page through DynamoDB's 1 MB pages until
 * they have what was asked for.
 */
final class SortedPartition {

    /** The most items BatchWriteItem takes in one call. */
    static final int BATCH = 25;
    /** The most keys BatchGetItem takes in one call. */
    static final int GET_BATCH = 100;

    /** Calls per batch before giving up on items DynamoDB keeps leaving unprocessed (throttled). */
    private static final int ATTEMPTS = 10;
    private static final long FIRST_PAUSE_MS = 50;
    private static final long LONGEST_PAUSE_MS = 2_000;

    private final DynamoDbClient dynamo;
    private final String table;
    private final String pk;

    SortedPartition(DynamoDbClient dynamo, String table, String pk) {
        this.dynamo = dynamo;
        this.table = table;
        this.pk = pk;
    }

    /**
     * Writes items (their attributes besides {@code pk}), replacing any with the same sort key. A
     * batch may not name a key twice, so of items sharing a sort key the last is written.
     */
    void put(List<Map<String, AttributeValue>> items) {
        Map<String, WriteRequest> bySortKey = new LinkedHashMap<>();
        for (Map<String, AttributeValue> attributes : items) {
            Map<String, AttributeValue> item = new HashMap<>(attributes);
            item.put(KitebridgeTable.PK, KitebridgeTable.s(pk));
            bySortKey.put(item.get(KitebridgeTable.SK).s(), WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
        }
        write(List.copyOf(bySortKey.values()));
    }

    /** Deletes the items with these sort keys; a missing one is no matter. */
    void delete(List<String> sortKeys) {
        write(sortKeys.stream().distinct()
                .map(sk -> WriteRequest.builder().deleteRequest(DeleteRequest.builder().key(KitebridgeTable.key(pk, sk)).build()).build())
                .toList());
    }

    /**
     * The items with these sort keys, those that exist, in no particular order: BatchGetItem, 100
     * keys a call, strongly consistent, asking again for the keys DynamoDB leaves unprocessed.
     */
    List<Map<String, AttributeValue>> get(List<String> sortKeys) {
        List<String> distinct = sortKeys.stream().distinct().toList();
        List<Map<String, AttributeValue>> found = new ArrayList<>();
        for (int from = 0; from < distinct.size(); from += GET_BATCH) {
            List<Map<String, AttributeValue>> keys = distinct.subList(from, Math.min(distinct.size(), from + GET_BATCH)).stream()
                    .map(sk -> KitebridgeTable.key(pk, sk)).toList();
            for (int attempt = 1; !keys.isEmpty(); attempt++) {
                if (attempt > ATTEMPTS) {
                    throw new IllegalStateException("DynamoDB left " + keys.size() + " keys of " + pk + " unread after "
                            + ATTEMPTS + " attempts");
                }
                if (attempt > 1) {
                    pause(attempt);
                }
                List<Map<String, AttributeValue>> asked = keys;
                var answer = dynamo.batchGetItem(b -> b.requestItems(Map.of(table,
                        software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes.builder().keys(asked).consistentRead(true).build())));
                found.addAll(answer.responses().getOrDefault(table, List.of()));
                var unprocessed = answer.unprocessedKeys().get(table);
                keys = unprocessed == null || !unprocessed.hasKeys() ? List.of() : unprocessed.keys();
            }
        }
        return found;
    }

    /**
     * Items in sort-key order after {@code afterSk} (null: from the first) and before {@code beforeSk}
     * (exclusive; null: to the last), at most {@code limit}.
     */
    List<Map<String, AttributeValue>> list(String afterSk, String beforeSk, int limit) {
        return list(afterSk, beforeSk, limit, null);
    }

    /**
     * As {@link #list(String, String, int)}, of the items not expired at {@code liveAt} (null: every
     * item): a filter, which DynamoDB applies after its page's limit, so the pages are read on until
     * there are {@code limit} items or none is left (an item filtered out is read, and charged, all the same).
     */
    List<Map<String, AttributeValue>> list(String afterSk, String beforeSk, int limit, java.time.Instant liveAt) {
        return list(afterSk, beforeSk, limit, liveAt, true);
    }

    /** As {@link #list(String, String, int, java.time.Instant)}, strongly consistent or not (half the read units). */
    List<Map<String, AttributeValue>> list(String afterSk, String beforeSk, int limit, java.time.Instant liveAt, boolean consistent) {
        if (afterSk != null && beforeSk != null && afterSk.compareTo(beforeSk) >= 0) {
            return List.of(); // DynamoDB refuses a start key outside the key condition
        }
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":pk", KitebridgeTable.s(pk)));
        if (beforeSk != null) {
            values.put(":before", KitebridgeTable.s(beforeSk));
        }
        if (liveAt != null) {
            values.put(":now", KitebridgeTable.n(liveAt.getEpochSecond()));
        }
        String filter = liveAt == null ? null : "attribute_not_exists(" + KitebridgeTable.EXPIRES_AT + ") OR " + KitebridgeTable.EXPIRES_AT + " > :now";
        String condition = beforeSk == null ? "pk = :pk" : "pk = :pk AND sk < :before";
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        // "After" is where the query starts: the key condition takes one bound on the sort key only.
        Map<String, AttributeValue> start = afterSk == null ? null : KitebridgeTable.key(pk, afterSk);
        while (items.size() < limit) {
            Map<String, AttributeValue> from = start;
            QueryResponse page = dynamo.query(b -> b.tableName(table).keyConditionExpression(condition).expressionAttributeValues(values)
                    .filterExpression(filter).exclusiveStartKey(from).limit(limit - items.size()).consistentRead(consistent));
            items.addAll(page.items());
            if (!page.hasLastEvaluatedKey() || page.lastEvaluatedKey().isEmpty()) {
                break;
            }
            start = page.lastEvaluatedKey(); // a 1 MB page ends short of the limit: read on
        }
        return items;
    }

    /** Writes in batches of {@link #BATCH}, writing again what DynamoDB leaves unprocessed, after a growing pause. */
    private void write(List<WriteRequest> requests) {
        for (int from = 0; from < requests.size(); from += BATCH) {
            List<WriteRequest> batch = requests.subList(from, Math.min(requests.size(), from + BATCH));
            for (int attempt = 1; !batch.isEmpty(); attempt++) {
                if (attempt > ATTEMPTS) {
                    throw new IllegalStateException("DynamoDB left " + batch.size() + " items of " + pk + " unwritten after "
                            + ATTEMPTS + " attempts");
                }
                if (attempt > 1) {
                    pause(attempt);
                }
                List<WriteRequest> sent = batch;
                batch = dynamo.batchWriteItem(b -> b.requestItems(Map.of(table, sent))).unprocessedItems().getOrDefault(table, List.of());
            }
        }
    }

    /** Doubling with each attempt, up to {@link #LONGEST_PAUSE_MS}, at random in its upper half so that writers spread out. */
    private static void pause(int attempt) {
        long ceiling = Math.min(LONGEST_PAUSE_MS, FIRST_PAUSE_MS << (attempt - 2));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
