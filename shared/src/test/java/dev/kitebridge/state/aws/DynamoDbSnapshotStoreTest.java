package dev.kitebridge.state.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import dev.kitebridge.state.SnapshotStoreContract;
import dev.kitebridge.sync.SnapshotKeys;
import dev.kitebridge.sync.SnapshotStore;

class DynamoDbSnapshotStoreTest extends SnapshotStoreContract {

    private final Dynalite.Table table = Dynalite.get().newTable();
    private final DynamoDbSnapshotStore store = new DynamoDbSnapshotStore(table.client(), table.name(), clock);

    @Override
    protected SnapshotStore store() {
        return store;
    }

    /** A settled read is eventually consistent where the generation's last write was a minute ago or more; else, strongly. */
    @Test
    void aSettledListIsEventuallyConsistentAMinuteAfterTheLastWrite() {
        List<Boolean> consistent = new CopyOnWriteArrayList<>();
        DynamoDbClient client = DynamoDbClient.builder().region(Region.US_EAST_1).endpointOverride(table.config().dynamoDbEndpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .overrideConfiguration(c -> c.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                        if (context.request() instanceof software.amazon.awssdk.services.dynamodb.model.QueryRequest query) {
                            consistent.add(query.consistentRead());
                        }
                    }
                }))
                .build();
        DynamoDbSnapshotStore watched = new DynamoDbSnapshotStore(client, table.name(), clock);
        List<SnapshotStore.Item> items = List.of(new SnapshotStore.Item("o/acme/u/a/g", JsonNodeFactory.instance.objectNode().put("i", 1)));
        watched.put("acct-1", 3, items);
        assertEquals(items, watched.listSettled("acct-1", 3, null, null, clock.now().minusSeconds(60), 10));
        assertEquals(items, watched.listSettled("acct-1", 3, null, "o/acme/u/b", clock.now().minusSeconds(59), 10));
        assertEquals(items, watched.listSettled("acct-1", 3, null, null, null, 10));
        assertEquals(items, watched.list("acct-1", 3, null, 10));
        assertEquals(List.of(false, true, true, true), consistent);
    }

    /**
     * A binary field is stored as its bytes, not in Base64 in the JSON text: the largest marker a run writes (a page of
     * 100 members of a team, its organization and team named by UUID, in an account's generation far on) is 2 write
     * units, not 3.
     */
    @Test
    void aBinaryFieldIsStoredAsBytes() {
        byte[] bytes = new byte[1_600];
        new java.util.Random(8).nextBytes(bytes);
        String org = "0b6b1053-30a9-439c-b417-fcb82051651c";
        String team = "d8eaff9b-8708-4a8a-bda3-a9e3a8b4234c";
        store.put("acct_" + "f1644d0e71f5432f98b6c2e379f5d612", 1_000_000, List.of(new SnapshotStore.Item("~seen/" + org + "/t/" + team
                + "/0123456789abcdef0123", JsonNodeFactory.instance.objectNode().put("o", org).put("p", "t").put("t", team).put("u", bytes))),
                java.time.Instant.now());
        Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> stored =
                table.client().scan(b -> b.tableName(table.name())).items().get(0);
        assertEquals(1_600, stored.get("b_u").b().asByteArray().length);
        assertEquals("{\"o\":\"" + org + "\",\"p\":\"t\",\"t\":\"" + team + "\"}", stored.get("data").s());
        long size = stored.entrySet().stream().mapToLong(a -> a.getKey().length() + (a.getValue().s() != null
                ? a.getValue().s().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                : a.getValue().b() != null ? a.getValue().b().asByteArray().length : 21)).sum();
        assertTrue(size <= 2_048, "two write units: " + size + " bytes");
    }

    /**
     * Throttles the first {@code throttled} batch writes as DynamoDB does: it writes only part of
     * each and answers the rest as unprocessed items.
     */
    private static final class Throttling implements ExecutionInterceptor {
        private static final ExecutionAttribute<List<WriteRequest>> LEFT = new ExecutionAttribute<>("left");
        final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
        final AtomicInteger throttled;

        Throttling(int throttled) {
            this.throttled = new AtomicInteger(throttled);
        }

        @Override
        public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
            if (!(context.request() instanceof BatchWriteItemRequest batch)) {
                return context.request();
            }
            String tableName = batch.requestItems().keySet().iterator().next();
            List<WriteRequest> requests = batch.requestItems().get(tableName);
            batchSizes.add(requests.size());
            if (throttled.getAndDecrement() <= 0 || requests.size() < 2) {
                return batch;
            }
            int written = requests.size() / 2;
            attributes.putAttribute(LEFT, requests.subList(written, requests.size()));
            return batch.toBuilder().requestItems(Map.of(tableName, requests.subList(0, written))).build();
        }

        @Override
        public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
            List<WriteRequest> left = attributes.getAttribute(LEFT);
            if (left == null) {
                return context.response();
            }
            String tableName = ((BatchWriteItemRequest) context.request()).requestItems().keySet().iterator().next();
            return ((BatchWriteItemResponse) context.response()).toBuilder().unprocessedItems(Map.of(tableName, left)).build();
        }
    }

    @Test
    void itemsDynamoDbLeavesUnprocessedAreWrittenAgain() {
        Throttling throttling = new Throttling(4);
        DynamoDbClient client = DynamoDbClient.builder().region(Region.US_EAST_1).endpointOverride(table.config().dynamoDbEndpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .overrideConfiguration(c -> c.addExecutionInterceptor(throttling))
                .build();
        DynamoDbSnapshotStore throttled = new DynamoDbSnapshotStore(client, table.name());

        List<SnapshotStore.Item> items = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            items.add(new SnapshotStore.Item(SnapshotKeys.profile("acme", String.format("user-%02d", i)),
                    JsonNodeFactory.instance.objectNode().put("i", i)));
        }
        throttled.put("acct-1", 1, items);
        assertEquals(items, store.list("acct-1", 1, null, 100));

        throttled.delete("acct-1", 1, items.stream().map(SnapshotStore.Item::key).toList());
        assertTrue(store.list("acct-1", 1, null, 100).isEmpty());

        assertTrue(throttling.batchSizes.stream().allMatch(size -> size <= SortedPartition.BATCH), throttling.batchSizes.toString());
        assertTrue(throttling.batchSizes.size() > 2 * 3, "three batches each way, and again for what was left: " + throttling.batchSizes);
    }

    /** A scratch item carries the table's TTL attribute, in epoch seconds (a number, as TTL reads it); an item to keep carries none. */
    @Test
    void anExpiringItemCarriesTheTablesTimeToLiveAttribute() {
        java.time.Instant expires = java.time.Instant.parse("2026-06-03T00:00:00.750Z");
        store.put("acct-1", 7, List.of(new SnapshotStore.Item("o/acme/u/a/g", JsonNodeFactory.instance.objectNode().put("i", 1))), expires);
        store.put("acct-1", 7, List.of(new SnapshotStore.Item("o/acme/u/b/g", JsonNodeFactory.instance.objectNode().put("i", 2))));
        var items = table.client().query(b -> b.tableName(table.name()).keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", KitebridgeTable.s("SNAPSHOT#acct-1#7")))).items();
        assertEquals(2, items.size());
        assertEquals(Long.toString(expires.getEpochSecond()), items.get(0).get(KitebridgeTable.EXPIRES_AT).n());
        assertTrue(!items.get(1).containsKey(KitebridgeTable.EXPIRES_AT), "never expires");
    }
}
