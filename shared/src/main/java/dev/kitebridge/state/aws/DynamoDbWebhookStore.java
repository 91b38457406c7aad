package dev.kitebridge.state.aws;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import dev.kitebridge.webhooks.DeliveryState;
import dev.kitebridge.webhooks.Webhook;
import dev.kitebridge.webhooks.WebhookStore;

/**
 * Subscriptions as items under their tenant ({@code TENANT#<tenant>} / {@code WEBHOOK#<id>}), and
 * their delivery states beside them ({@code WEBHOOKDELIVERY#<id>#<account>}). The signing secret
 * is kept in the subscription's item as is: it must be read to sign, the table is encrypted at
 * rest, and only the functions given the table's policy read it.
 */
public final class DynamoDbWebhookStore implements WebhookStore {

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDbWebhookStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public void create(Webhook webhook) {
        Map<String, AttributeValue> item = new HashMap<>(KitebridgeTable.key(tenant(webhook.tenantId()), "WEBHOOK#" + webhook.id()));
        item.put("webhook", KitebridgeTable.s(StateJson.write(webhook)));
        try {
            dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
        } catch (ConditionalCheckFailedException e) {
            throw new IllegalStateException("a webhook with id " + webhook.id() + " exists already");
        }
    }

    @Override
    public Optional<Webhook> find(String tenantId, String webhookId) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                .key(KitebridgeTable.key(tenant(tenantId), "WEBHOOK#" + webhookId)).consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(StateJson.read(item.get("webhook").s(), Webhook.class));
    }

    @Override
    public List<Webhook> list(String tenantId) {
        return webhooks(query(tenantId, "WEBHOOK#"));
    }

    /** Read eventually consistent, at half the price of {@link #list}: every account's round reads it each minute. */
    @Override
    public List<Webhook> listForRounds(String tenantId) {
        return webhooks(query(tenantId, "WEBHOOK#", false));
    }

    private static List<Webhook> webhooks(List<Map<String, AttributeValue>> items) {
        return items.stream()
                .map(item -> StateJson.read(item.get("webhook").s(), Webhook.class))
                .sorted(Comparator.comparing(Webhook::createdAt).thenComparing(Webhook::id))
                .toList();
    }

    @Override
    public boolean delete(String tenantId, String webhookId) {
        try {
            dynamo.deleteItem(b -> b.tableName(table).key(KitebridgeTable.key(tenant(tenantId), "WEBHOOK#" + webhookId))
                    .conditionExpression("attribute_exists(pk)"));
        } catch (ConditionalCheckFailedException none) {
            return false;
        }
        for (Map<String, AttributeValue> item : query(tenantId, "WEBHOOKDELIVERY#" + webhookId + "#")) {
            dynamo.deleteItem(b -> b.tableName(table).key(KitebridgeTable.key(tenant(tenantId), item.get(KitebridgeTable.SK).s())));
        }
        return true;
    }

    @Override
    public Optional<DeliveryState> delivery(String tenantId, String webhookId, String accountId) {
        return delivery(tenantId, webhookId, accountId, true);
    }

    /** Eventually consistent: half a read unit for a delivery's item (under 4 KB), where {@link #delivery} pays one. */
    @Override
    public Optional<DeliveryState> recentDelivery(String tenantId, String webhookId, String accountId) {
        return delivery(tenantId, webhookId, accountId, false);
    }

    private Optional<DeliveryState> delivery(String tenantId, String webhookId, String accountId, boolean consistent) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                .key(KitebridgeTable.key(tenant(tenantId), deliveryKey(webhookId, accountId))).consistentRead(consistent)).item();
        return item == null || item.isEmpty() ? Optional.empty()
                : Optional.of(StateJson.read(item.get("delivery").s(), DeliveryState.class));
    }

    @Override
    public boolean createDelivery(DeliveryState state) {
        try {
            dynamo.putItem(b -> b.tableName(table).item(item(state)).conditionExpression("attribute_not_exists(pk)"));
            return true;
        } catch (ConditionalCheckFailedException exists) {
            return false;
        }
    }

    @Override
    public Optional<DeliveryState> replaceDelivery(DeliveryState changed) {
        DeliveryState next = changed.nextRevision();
        return KitebridgeTable.replaceAtRevision(dynamo, table, item(next), changed.revision()) ? Optional.of(next) : Optional.empty();
    }

    private static Map<String, AttributeValue> item(DeliveryState state) {
        Map<String, AttributeValue> item = new HashMap<>(KitebridgeTable.key(tenant(state.tenantId()),
                deliveryKey(state.webhookId(), state.accountId())));
        item.put("delivery", KitebridgeTable.s(StateJson.write(state)));
        item.put("revision", KitebridgeTable.n(state.revision()));
        return item;
    }

    private List<Map<String, AttributeValue>> query(String tenantId, String skPrefix) {
        return query(tenantId, skPrefix, true);
    }

    private List<Map<String, AttributeValue>> query(String tenantId, String skPrefix, boolean consistent) {
        return dynamo.queryPaginator(b -> b.tableName(table)
                        .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                        .expressionAttributeValues(Map.of(":pk", KitebridgeTable.s(tenant(tenantId)), ":prefix", KitebridgeTable.s(skPrefix)))
                        .consistentRead(consistent))
                .items().stream().toList();
    }

    private static String tenant(String tenantId) {
        return "TENANT#" + tenantId;
    }

    private static String deliveryKey(String webhookId, String accountId) {
        return "WEBHOOKDELIVERY#" + webhookId + "#" + accountId;
    }
}
