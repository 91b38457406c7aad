package dev.kitebridge.state.aws;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import dev.kitebridge.directory.CursorStore;

/** Cursors as items {@code CURSOR#<id>}, expiring with {@code expires_at} (checked on read). */
public final class DynamoDbCursorStore implements CursorStore {

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDbCursorStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public String save(Cursor cursor) {
        String id = CursorStore.newId();
        Map<String, AttributeValue> item = new java.util.HashMap<>(KitebridgeTable.key("CURSOR#" + id, "CURSOR"));
        item.put("cursor", KitebridgeTable.s(StateJson.write(cursor)));
        item.put(KitebridgeTable.EXPIRES_AT, KitebridgeTable.expiresAt(cursor.expiresAt()));
        dynamo.putItem(b -> b.tableName(table).item(item));
        return id;
    }

    @Override
    public Optional<Cursor> find(String id, Instant now) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(KitebridgeTable.key("CURSOR#" + id, "CURSOR"))
                .consistentRead(true)).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        Cursor cursor = StateJson.read(item.get("cursor").s(), Cursor.class);
        return now.isBefore(cursor.expiresAt()) ? Optional.of(cursor) : Optional.empty();
    }
}
