package dev.kitebridge.state.aws;

import java.util.List;
import java.util.Map;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import dev.kitebridge.connect.RedirectOriginStore;

/** A tenant's allowed redirect origins, one item under the tenant ({@code TENANT#<tenant>} / {@code CONNECT_ORIGINS}). */
public final class DynamoDbRedirectOriginStore implements RedirectOriginStore {

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDbRedirectOriginStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public List<String> origins(String tenantId) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(key(tenantId)).consistentRead(true)).item();
        return item == null || item.isEmpty() ? List.of() : List.of(StateJson.read(item.get("origins").s(), String[].class));
    }

    @Override
    public void set(String tenantId, List<String> origins) {
        if (origins.isEmpty()) {
            dynamo.deleteItem(b -> b.tableName(table).key(key(tenantId)));
            return;
        }
        Map<String, AttributeValue> item = new java.util.HashMap<>(key(tenantId));
        item.put("origins", KitebridgeTable.s(StateJson.write(origins))); // JSON: a string set would lose their order
        dynamo.putItem(b -> b.tableName(table).item(item));
    }

    private static Map<String, AttributeValue> key(String tenantId) {
        return KitebridgeTable.key("TENANT#" + tenantId, "CONNECT_ORIGINS");
    }
}
