package dev.kitebridge.state.aws;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import dev.kitebridge.sync.SnapshotStore;
import dev.kitebridge.time.TimeSource;

/**
 * Each generation of an account's snapshot is a partition, {@code SNAPSHOT#<account>#<generation>},
 * its items sorted by their key (the sort key), their data a JSON string: a run lists a generation
 * in key order with one Query a page, and writes the next generation beside the last complete one.
 * A run's scratch carries {@code expires_at}, for the table's TTL; reads leave out what has expired
 * and TTL has not deleted yet (see {@link KitebridgeTable}). A binary field of an item's data (see
 * {@link SnapshotStore.Item}) is an attribute of its own, {@code b_<field>}, its bytes as they are:
 * in the JSON string they would be Base64, a third more, and an item's write units are its size.
 */
public final class DynamoDbSnapshotStore implements SnapshotStore {

    /** How long ago a generation's last write must be for a read of it to be eventually consistent (see {@link #listSettled}). */
    static final java.time.Duration SETTLED = java.time.Duration.ofMinutes(1);

    /** What a binary field's attribute name begins with. */
    private static final String BINARY = "b_";

    private final DynamoDbClient dynamo;
    private final String table;
    private final TimeSource time;

    /** On the system clock. */
    public DynamoDbSnapshotStore(DynamoDbClient dynamo, String table) {
        this(dynamo, table, TimeSource.SYSTEM);
    }

    /** @param time the clock an item's expiry is judged on (the runs' own, where they run on another) */
    public DynamoDbSnapshotStore(DynamoDbClient dynamo, String table, TimeSource time) {
        this.dynamo = dynamo;
        this.table = table;
        this.time = time;
    }

    @Override
    public void put(String accountId, long generation, List<Item> items, Instant expiresAt) {
        generation(accountId, generation).put(items.stream().map(item -> {
            Map<String, AttributeValue> attributes = new HashMap<>();
            attributes.put(KitebridgeTable.SK, KitebridgeTable.s(item.key()));
            JsonNode data = item.data();
            if (data instanceof ObjectNode object && object.properties().stream().anyMatch(f -> f.getValue().isBinary())) {
                ObjectNode text = object.deepCopy();
                object.properties().stream().filter(f -> f.getValue().isBinary()).forEach(f -> {
                    attributes.put(BINARY + f.getKey(), AttributeValue.builder().b(SdkBytes.fromByteArray(bytes(f.getValue()))).build());
                    text.remove(f.getKey());
                });
                data = text;
            }
            attributes.put("data", KitebridgeTable.s(StateJson.write(data)));
            if (expiresAt != null) {
                attributes.put(KitebridgeTable.EXPIRES_AT, KitebridgeTable.expiresAt(expiresAt));
            }
            return attributes;
        }).toList());
    }

    @Override
    public List<Item> list(String accountId, long generation, String afterKey, int limit) {
        return generation(accountId, generation).list(afterKey, null, limit, time.now()).stream().map(DynamoDbSnapshotStore::item).toList();
    }

    @Override
    public List<Item> list(String accountId, long generation, String afterKey, String beforeKey, int limit) {
        return generation(accountId, generation).list(afterKey, beforeKey, limit, time.now()).stream().map(DynamoDbSnapshotStore::item).toList();
    }

    /**
     * Eventually consistent where nothing was written for {@link #SETTLED}: DynamoDB's copies of an
     * item agree "usually within a second" of a write (its documentation), and a minute is a wide margin.
     */
    @Override
    public List<Item> listSettled(String accountId, long generation, String afterKey, String beforeKey, Instant writtenBefore, int limit) {
        Instant now = time.now();
        boolean settled = writtenBefore != null && !now.isBefore(writtenBefore.plus(SETTLED));
        return generation(accountId, generation).list(afterKey, beforeKey, limit, now, !settled).stream().map(DynamoDbSnapshotStore::item).toList();
    }

    /** An item as stored: its JSON, and its binary fields put back into it (after the others). */
    private static Item item(Map<String, AttributeValue> stored) {
        JsonNode data = StateJson.read(stored.get("data").s(), JsonNode.class);
        stored.forEach((name, value) -> {
            if (name.startsWith(BINARY) && data instanceof ObjectNode object) {
                object.put(name.substring(BINARY.length()), value.b().asByteArray());
            }
        });
        return new Item(stored.get(KitebridgeTable.SK).s(), data);
    }

    private static byte[] bytes(JsonNode binary) {
        try {
            return binary.binaryValue();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a binary field without its bytes", e);
        }
    }

    @Override
    public List<Item> get(String accountId, long generation, java.util.Collection<String> keys) {
        Instant now = time.now();
        return generation(accountId, generation).get(List.copyOf(keys)).stream().filter(item -> !KitebridgeTable.expired(item, now))
                .map(DynamoDbSnapshotStore::item).toList();
    }

    @Override
    public void delete(String accountId, long generation, List<String> keys) {
        generation(accountId, generation).delete(keys);
    }

    private SortedPartition generation(String accountId, long generation) {
        return new SortedPartition(dynamo, table, "SNAPSHOT#" + accountId + "#" + generation);
    }
}
