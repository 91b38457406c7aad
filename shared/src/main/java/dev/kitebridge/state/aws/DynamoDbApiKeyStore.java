package dev.kitebridge.state.aws;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import dev.kitebridge.tenants.ApiKeyStore;

/**
 * Two items per key, written one after the other (no transactions): the lookup item
 * {@code APIKEY#<hash>} the authorizer reads, and a listing item under the tenant. A key is
 * listed before it works, and stops working before it leaves the list.
 */
public final class DynamoDbApiKeyStore implements ApiKeyStore {

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDbApiKeyStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public void save(StoredKey key) {
        String json = StateJson.write(key);
        Map<String, AttributeValue> listing = new HashMap<>(KitebridgeTable.key("TENANT#" + key.tenantId(), "APIKEY#" + key.prefix()));
        listing.put("key", KitebridgeTable.s(json));
        try {
            // The listing first: a key whose prefix is taken is never usable, since it could not be revoked.
            dynamo.putItem(b -> b.tableName(table).item(listing).conditionExpression("attribute_not_exists(pk)"));
        } catch (ConditionalCheckFailedException e) {
            throw new IllegalStateException("tenant " + key.tenantId() + " has a key with prefix " + key.prefix());
        }
        Map<String, AttributeValue> lookup = new HashMap<>(KitebridgeTable.key("APIKEY#" + key.hash(), "APIKEY"));
        lookup.put("key", KitebridgeTable.s(json));
        dynamo.putItem(b -> b.tableName(table).item(lookup));
    }

    @Override
    public Optional<String> tenantOf(String keyHash) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(KitebridgeTable.key("APIKEY#" + keyHash, "APIKEY"))).item();
        return item == null || item.isEmpty() ? Optional.empty()
                : Optional.of(StateJson.read(item.get("key").s(), StoredKey.class).tenantId());
    }

    @Override
    public List<StoredKey> list(String tenantId) {
        List<StoredKey> keys = new ArrayList<>();
        dynamo.queryPaginator(b -> b.tableName(table)
                        .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                        .expressionAttributeValues(Map.of(":pk", KitebridgeTable.s("TENANT#" + tenantId), ":prefix", KitebridgeTable.s("APIKEY#")))
                        .consistentRead(true))
                .items().forEach(item -> keys.add(StateJson.read(item.get("key").s(), StoredKey.class)));
        keys.sort(java.util.Comparator.comparing(StoredKey::createdAt));
        return keys;
    }

    @Override
    public boolean revoke(String tenantId, String prefix) {
        Map<String, AttributeValue> listing = dynamo.getItem(b -> b.tableName(table)
                .key(KitebridgeTable.key("TENANT#" + tenantId, "APIKEY#" + prefix)).consistentRead(true)).item();
        if (listing == null || listing.isEmpty()) {
            return false;
        }
        StoredKey key = StateJson.read(listing.get("key").s(), StoredKey.class);
        dynamo.deleteItem(b -> b.tableName(table).key(KitebridgeTable.key("APIKEY#" + key.hash(), "APIKEY")));
        dynamo.deleteItem(b -> b.tableName(table).key(KitebridgeTable.key("TENANT#" + tenantId, "APIKEY#" + prefix)));
        return true;
    }
}
