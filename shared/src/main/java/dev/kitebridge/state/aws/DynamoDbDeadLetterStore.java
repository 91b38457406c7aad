package dev.kitebridge.state.aws;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import dev.kitebridge.webhooks.DeadLetterStore;

/**
 * Parked deliveries under their tenant ({@code TENANT#<tenant>} /
 * {@code DEADLETTER#<webhook>#<account>#<position>}): the sort key gives a subscription's parked
 * deliveries by account, then in their log's order.
 */
public final class DynamoDbDeadLetterStore implements DeadLetterStore {

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDbDeadLetterStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public void park(ParkedDelivery delivery) {
        Map<String, AttributeValue> item = new HashMap<>(key(delivery));
        item.put("parked", KitebridgeTable.s(StateJson.write(delivery)));
        dynamo.putItem(b -> b.tableName(table).item(item));
    }

    @Override
    public List<ParkedDelivery> list(String tenantId, String webhookId) {
        return dynamo.queryPaginator(b -> b.tableName(table)
                        .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                        .expressionAttributeValues(Map.of(":pk", KitebridgeTable.s("TENANT#" + tenantId),
                                ":prefix", KitebridgeTable.s("DEADLETTER#" + webhookId + "#")))
                        .consistentRead(true))
                .items().stream()
                .map(item -> StateJson.read(item.get("parked").s(), ParkedDelivery.class))
                .toList();
    }

    @Override
    public void remove(ParkedDelivery delivery) {
        dynamo.deleteItem(b -> b.tableName(table).key(key(delivery)));
    }

    private static Map<String, AttributeValue> key(ParkedDelivery delivery) {
        return KitebridgeTable.key("TENANT#" + delivery.tenantId(),
                "DEADLETTER#" + delivery.webhookId() + "#" + delivery.accountId() + "#" + delivery.position());
    }
}
