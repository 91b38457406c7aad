package dev.kitebridge.state.aws;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import dev.kitebridge.connect.ConnectSession;
import dev.kitebridge.connect.ConnectSessionStore;

/**
 * Connect sessions as items of their own ({@code CONNECT#<hash of the URL's secret>} / {@code SESSION}),
 * kept a day past their expiry (the TTL), so that a late visit is told the link expired rather than
 * that it never existed. A token waiting for confirmation is in the item sealed, never in clear.
 */
public final class DynamoDbConnectSessionStore implements ConnectSessionStore {

    /** How long an expired session's item stays, for its page to say it expired. */
    static final Duration KEPT_AFTER_EXPIRY = Duration.ofDays(1);

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDbConnectSessionStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public void create(ConnectSession session) {
        try {
            dynamo.putItem(b -> b.tableName(table).item(item(session)).conditionExpression("attribute_not_exists(pk)"));
        } catch (ConditionalCheckFailedException e) {
            throw new IllegalStateException("a connect session with this key exists already");
        }
    }

    @Override
    public Optional<ConnectSession> find(String secretHash) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(key(secretHash)).consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(StateJson.read(item.get("session").s(), ConnectSession.class));
    }

    @Override
    public Optional<ConnectSession> replace(ConnectSession changed) {
        ConnectSession next = changed.nextRevision();
        return KitebridgeTable.replaceAtRevision(dynamo, table, item(next), changed.revision()) ? Optional.of(next) : Optional.empty();
    }

    private static Map<String, AttributeValue> key(String secretHash) {
        return KitebridgeTable.key("CONNECT#" + secretHash, "SESSION");
    }

    private static Map<String, AttributeValue> item(ConnectSession session) {
        Map<String, AttributeValue> item = new HashMap<>(key(session.secretHash()));
        item.put("session", KitebridgeTable.s(StateJson.write(session)));
        item.put("revision", AttributeValue.fromN(Long.toString(session.revision())));
        item.put(KitebridgeTable.EXPIRES_AT, KitebridgeTable.expiresAt(session.expiresAt().plus(KEPT_AFTER_EXPIRY)));
        return item;
    }
}
