package dev.kitebridge.bench.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import dev.kitebridge.state.aws.Dynalite;

/** The meter against dynalite: what each operation costs, as DynamoDB's guide prices it. */
class CapacityMeterTest {

    private final CapacityMeter meter = new CapacityMeter();
    private DynamoDbClient dynamo;
    private String table;

    @BeforeEach
    void setUp() {
        Dynalite.Table created = Dynalite.get().newTable();
        table = created.name();
        dynamo = DynamoDbClient.builder().region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .endpointOverride(Dynalite.get().endpoint())
                .overrideConfiguration(c -> c.addExecutionInterceptor(meter))
                .build();
    }

    /** An item of exactly {@code bytes}: "pk" + its value (3), "sk" + its value, "data" (4) + the rest. */
    private static Map<String, AttributeValue> item(String pk, String sk, int bytes) {
        int rest = bytes - (2 + pk.length()) - (2 + sk.length()) - 4;
        return Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromS(sk), "data", AttributeValue.fromS("x".repeat(rest)));
    }

    private static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromS(sk));
    }

    @Test
    void aPutOfA35KbItemCostsFourWriteUnitsAndItsReadsOneOrAHalf() {
        Map<String, AttributeValue> item = item("p", "s", 3584);
        assertEquals(3584, CapacityMeter.size(item));
        dynamo.putItem(b -> b.tableName(table).item(item));
        assertEquals(4.0, meter.writeUnits());

        dynamo.getItem(b -> b.tableName(table).key(key("p", "s")).consistentRead(true));
        assertEquals(1.0, meter.readUnits());
        dynamo.getItem(b -> b.tableName(table).key(key("p", "s")));
        assertEquals(1.5, meter.readUnits());
        // dynalite reports every one of these itself: nothing was computed here.
        assertEquals(0.0, meter.computedUnits());
        assertEquals(3, meter.calls("DynamoDB"));
    }

    @Test
    void aTenKbItemReadsAtThreeUnitsAndAMissingOneStillCostsOne() {
        dynamo.putItem(b -> b.tableName(table).item(item("p", "big", 10 * 1024)));
        assertEquals(10.0, meter.writeUnits());
        dynamo.getItem(b -> b.tableName(table).key(key("p", "big")).consistentRead(true));
        assertEquals(3.0, meter.readUnits());
        dynamo.getItem(b -> b.tableName(table).key(key("p", "none")).consistentRead(true));
        assertEquals(4.0, meter.readUnits());
    }

    @Test
    void aQueryCostsItsSummedSizeAndABatchWriteEachItemRounded() {
        List<WriteRequest> writes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            writes.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item("q", "s" + i, 1536)).build()).build());
        }
        dynamo.batchWriteItem(b -> b.requestItems(Map.of(table, writes)));
        assertEquals(6.0, meter.writeUnits()); // 3 x ceil(1.5 KB) = 3 x 2

        dynamo.query(b -> b.tableName(table).keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("q"))).consistentRead(true));
        assertEquals(2.0, meter.readUnits()); // 4.5 KB summed -> 8 KB -> 2
        dynamo.query(b -> b.tableName(table).keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("q"))));
        assertEquals(3.0, meter.readUnits()); // eventually consistent: half
    }

    @Test
    void aQueryThatFindsNothingStillCostsARead() {
        dynamo.query(b -> b.tableName(table).keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("EMPTY#1"))).consistentRead(true));
        assertEquals(1.0, meter.readUnits());
        dynamo.query(b -> b.tableName(table).keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("EMPTY#1"))));
        assertEquals(1.5, meter.readUnits());
        assertEquals(1.5, meter.computedUnits());
    }

    @Test
    void aQueryOfAFleetWidePartitionCostsItsItemsShareOfAFleetsListing() {
        dynamo.putItem(b -> b.tableName(table).item(item("SYNCACCOUNTS", "account-1", 1024)));
        dynamo.putItem(b -> b.tableName(table).item(item("OTHER#1", "account-1", 1024)));
        meter.fleetWide("SYNCACCOUNTS");
        double before = meter.readUnits();

        dynamo.query(b -> b.tableName(table).keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("OTHER#1"))));
        assertEquals(0.5, meter.readUnits() - before); // a listing of its own: 1 KB rounded up to 4, eventually consistent
        dynamo.query(b -> b.tableName(table).keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("SYNCACCOUNTS"))));
        assertEquals(0.5 + 0.125, meter.readUnits() - before); // its share of a fleet's: 1 KB of 4, halved
        assertEquals(0.125, meter.computedUnits());
        assertEquals(0.125, meter.unitsByItem().get("Query "), 0.05);
    }

    @Test
    void aBatchsAndAQuerysUnitsGoToTheKindsOfTheirItems() {
        String org = "o/org-1/";
        List<WriteRequest> writes = List.of(
                WriteRequest.builder().putRequest(PutRequest.builder().item(item("SNAPSHOT#a#1", org + "u/user-1/g", 1536)).build()).build(),
                WriteRequest.builder().putRequest(PutRequest.builder().item(item("SNAPSHOT#a#1", org + "u/user-1/t/team-1", 500)).build()).build(),
                WriteRequest.builder().putRequest(PutRequest.builder().item(item("SNAPSHOT#a#1", org + "t/team-1/user-1", 500)).build()).build(),
                WriteRequest.builder().putRequest(PutRequest.builder().item(item("SNAPSHOT#a#1", "~seen/org-1/m/-/abc", 2500)).build()).build(),
                WriteRequest.builder().putRequest(PutRequest.builder().item(item("BUDGET#rest#x", "BUDGET", 100)).build()).build());
        dynamo.batchWriteItem(b -> b.requestItems(Map.of(table, writes)));
        dynamo.batchWriteItem(b -> b.requestItems(Map.of(table, List.of(WriteRequest.builder().deleteRequest(
                software.amazon.awssdk.services.dynamodb.model.DeleteRequest.builder().key(key("SNAPSHOT#a#1", "~seen/org-1/m/-/abc")).build())
                .build()))));
        assertEquals(Map.of("BatchWriteItem SNAPSHOT# u/g", 2.0, "BatchWriteItem SNAPSHOT# u/t", 1.0, "BatchWriteItem SNAPSHOT# t", 1.0,
                "BatchWriteItem SNAPSHOT# ~seen", 3.0, "BatchWriteItem BUDGET#", 1.0,
                "BatchWriteItem SNAPSHOT# ~seen (delete)", meter.unitsByItem().get("BatchWriteItem SNAPSHOT# ~seen (delete)")),
                meter.unitsByItem());
        assertEquals(8.0, meter.unitsByItem().entrySet().stream().filter(e -> !e.getKey().endsWith("(delete)"))
                .mapToDouble(Map.Entry::getValue).sum());
    }

    @Test
    void anUpdateCostsTheLargerOfBeforeAndAfterAndARefusedConditionStillCosts() {
        dynamo.putItem(b -> b.tableName(table).item(item("u", "s", 2048)));
        dynamo.updateItem(b -> b.tableName(table).key(key("u", "s")).updateExpression("SET n = :n")
                .expressionAttributeValues(Map.of(":n", AttributeValue.fromN("1"))));
        assertEquals(5.0, meter.writeUnits()); // 2 + ceil(2,051 bytes / 1 KB) = 2 + 3

        assertThrows(ConditionalCheckFailedException.class, () -> dynamo.putItem(b -> b.tableName(table).item(item("u", "s", 512))
                .conditionExpression("attribute_not_exists(pk)")));
        assertEquals(6.0, meter.writeUnits());
        assertEquals(1.0, meter.computedUnits());

        dynamo.deleteItem(b -> b.tableName(table).key(key("u", "s")));
        assertEquals(9.0, meter.writeUnits());
    }

    @Test
    void computedUnitsFollowTheGuidesExamples() {
        // BatchGetItem of 1.5 KB and 6.5 KB items: 4 KB + 8 KB = 3 strongly consistent units, not 2.
        assertEquals(3.0, CapacityMeter.readUnits(List.of(1536L, 6656L), true, true));
        // A Query returning the same items: 8 KB summed -> 2 units; eventually consistent 1.
        assertEquals(1.0, CapacityMeter.readUnits(List.of(1536L, 6656L), false, false));
        assertEquals(4.0, CapacityMeter.writeUnits(3584));
        assertEquals(1.0, CapacityMeter.writeUnits(10));
    }
}
