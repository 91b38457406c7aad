package dev.kitebridge.state.aws;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.events.EventLog;

/**
 * Each account's log is a partition, {@code EVENTS#<account>}, its events sorted by their position
 * (the sort key), each kept as its JSON (which leaves the position out), gzipped: a user's event
 * with its {@code remote_data} is 1-2 KB of JSON, some 0.6 KB gzipped, and DynamoDB charges a write
 * unit a kilobyte, a read unit 4 KB and storage by the byte for the 30 days. Readers page through it
 * with one Query a page, below the position of the first run not yet published. Events are kept
 * {@link #RETENTION} (DynamoDB's TTL deletes them after): a reader further behind than that finds
 * the oldest event kept after its cursor and goes on from there.
 */
public final class DynamoDbEventLog implements EventLog {

    public static final Duration RETENTION = Duration.ofDays(30);

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDbEventLog(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public void put(String accountId, List<ChangeEvent> events) {
        log(accountId).put(events.stream()
                .map(event -> Map.of(KitebridgeTable.SK, KitebridgeTable.s(event.position()),
                        "event_gz", AttributeValue.builder().b(SdkBytes.fromByteArray(StateJson.writeGzipped(event))).build(),
                        KitebridgeTable.EXPIRES_AT, KitebridgeTable.expiresAt(event.createdAt().plus(RETENTION))))
                .toList());
    }

    @Override
    public void delete(String accountId, List<String> positions) {
        log(accountId).delete(positions);
    }

    @Override
    public List<ChangeEvent> list(String accountId, String afterPosition, String beforePosition, int limit) {
        return log(accountId).list(afterPosition, beforePosition, limit).stream().map(DynamoDbEventLog::event).toList();
    }

    /** An event as stored: gzipped, or as JSON text by a version before that (kept 30 days). */
    private static ChangeEvent event(Map<String, AttributeValue> item) {
        ChangeEvent stored = item.containsKey("event_gz") ? StateJson.readGzipped(item.get("event_gz").b().asByteArray(), ChangeEvent.class)
                : StateJson.read(item.get("event").s(), ChangeEvent.class);
        return new ChangeEvent(stored.id(), stored.event(), stored.tenantId(), stored.integratedAccountId(), stored.createdAt(),
                stored.data(), stored.previousAttributes(), item.get(KitebridgeTable.SK).s());
    }

    private SortedPartition log(String accountId) {
        return new SortedPartition(dynamo, table, "EVENTS#" + accountId);
    }
}
