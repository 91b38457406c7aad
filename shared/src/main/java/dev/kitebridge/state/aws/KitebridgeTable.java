package dev.kitebridge.state.aws;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import software.amazon.awssdk.core.retry.backoff.FixedDelayBackoffStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.waiters.DynamoDbWaiter;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * Kitebridge's one table: a string partition key {@code pk}, a string sort key {@code sk}, and
 * {@code expires_at} (epoch seconds) for DynamoDB's TTL, which the reads that depend on expiry also
 * check because TTL deletes late (an event or a run read a little past its time does no harm). template.yaml creates it in AWS; locally and in tests, {@link #create} does.
 */
public final class KitebridgeTable {

    public static final String PK = "pk";
    public static final String SK = "sk";
    public static final String EXPIRES_AT = "expires_at";

    private KitebridgeTable() {}

    public static void create(DynamoDbClient dynamo, String table) {
        try {
            dynamo.createTable(CreateTableRequest.builder()
                    .tableName(table)
                    .attributeDefinitions(
                            AttributeDefinition.builder().attributeName(PK).attributeType(ScalarAttributeType.S).build(),
                            AttributeDefinition.builder().attributeName(SK).attributeType(ScalarAttributeType.S).build())
                    .keySchema(
                            KeySchemaElement.builder().attributeName(PK).keyType(KeyType.HASH).build(),
                            KeySchemaElement.builder().attributeName(SK).keyType(KeyType.RANGE).build())
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .build());
            // Polled every 100 ms, not the SDK's default 20 s: a stand-in's table is there at once, but the
            // first look may still find it CREATING, and each test's table would then cost 20 s.
            try (DynamoDbWaiter waiter = DynamoDbWaiter.builder().client(dynamo)
                    .overrideConfiguration(w -> w.backoffStrategy(FixedDelayBackoffStrategy.create(Duration.ofMillis(100))).maxAttempts(600))
                    .build()) {
                waiter.waitUntilTableExists(b -> b.tableName(table));
            }
        } catch (ResourceInUseException exists) {
            // Already there.
        }
    }

    static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of(PK, s(pk), SK, s(sk));
    }

    static AttributeValue s(String value) {
        return AttributeValue.builder().s(value).build();
    }

    static AttributeValue n(long value) {
        return AttributeValue.builder().n(Long.toString(value)).build();
    }

    /**
     * Puts the item in place of the one written at revision {@code madeFrom}: false if that one is
     * gone or another write came first (the caller reads again).
     */
    static boolean replaceAtRevision(DynamoDbClient dynamo, String table, Map<String, AttributeValue> item, long madeFrom) {
        try {
            dynamo.putItem(b -> b.tableName(table).item(item)
                    .conditionExpression("attribute_exists(pk) AND revision = :made_from")
                    .expressionAttributeValues(Map.of(":made_from", n(madeFrom))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    static AttributeValue expiresAt(Instant when) {
        return n(when.getEpochSecond());
    }

    /** Whether an item read has expired (TTL may not have deleted it yet). */
    static boolean expired(Map<String, AttributeValue> item, Instant now) {
        AttributeValue expires = item.get(EXPIRES_AT);
        return expires != null && Long.parseLong(expires.n()) <= now.getEpochSecond();
    }
}
