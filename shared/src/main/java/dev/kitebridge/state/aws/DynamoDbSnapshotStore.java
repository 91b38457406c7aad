package dev.kitebridge.state.aws;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import dev.kitebridge.sync.SnapshotStore;

/**
 * Each generation of an account's snapshot is a partition, {@code SNAPSHOT#<account>#<generation>},
 * its items sorted by their key (the sort key), their data a JSON string: a run lists a generation
 * in key order with one Query a page, and writes the next generation beside the last complete one.
 */
public final class DynamoDbSnapshotStore implements SnapshotStore {

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDbSnapshotStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public void put(String accountId, long generation, List<Item> items) {
        generation(accountId, generation).put(items.stream()
                .map(item -> Map.of(KitebridgeTable.SK, KitebridgeTable.s(item.key()), "data", KitebridgeTable.s(StateJson.write(item.data()))))
                .toList());
    }

    @Override
    public List<Item> list(String accountId, long generation, String afterKey, int limit) {
        return generation(accountId, generation).list(afterKey, null, limit).stream()
                .map(item -> new Item(item.get(KitebridgeTable.SK).s(), StateJson.read(item.get("data").s(), JsonNode.class)))
                .toList();
    }

    @Override
    public List<Item> list(String accountId, long generation, String afterKey, String beforeKey, int limit) {
        return generation(accountId, generation).list(afterKey, beforeKey, limit).stream()
                .map(item -> new Item(item.get(KitebridgeTable.SK).s(), StateJson.read(item.get("data").s(), JsonNode.class)))
                .toList();
    }

    @Override
    public List<Item> get(String accountId, long generation, java.util.Collection<String> keys) {
        return generation(accountId, generation).get(List.copyOf(keys)).stream()
                .map(item -> new Item(item.get(KitebridgeTable.SK).s(), StateJson.read(item.get("data").s(), JsonNode.class)))
                .toList();
    }

    @Override
    public void delete(String accountId, long generation, List<String> keys) {
        generation(accountId, generation).delete(keys);
    }

    private SortedPartition generation(String accountId, long generation) {
        return new SortedPartition(dynamo, table, "SNAPSHOT#" + accountId + "#" + generation);
    }
}
