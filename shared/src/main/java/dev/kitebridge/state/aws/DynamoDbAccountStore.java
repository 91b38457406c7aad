package dev.kitebridge.state.aws;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import dev.kitebridge.access.AccountStore;
import dev.kitebridge.access.IntegratedAccount;

/** Accounts as items under their tenant ({@code TENANT#<tenant>} / {@code ACCOUNT#<id>}): another tenant's id finds nothing. */
public final class DynamoDbAccountStore implements AccountStore {

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDbAccountStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public void create(IntegratedAccount account) {
        try {
            dynamo.putItem(b -> b.tableName(table).item(item(account)).conditionExpression("attribute_not_exists(pk)"));
        } catch (ConditionalCheckFailedException e) {
            throw new IllegalStateException("an account with id " + account.id() + " exists already");
        }
    }

    @Override
    public Optional<IntegratedAccount> replace(IntegratedAccount changed) {
        IntegratedAccount next = changed.nextRevision();
        return KitebridgeTable.replaceAtRevision(dynamo, table, item(next), changed.revision()) ? Optional.of(next) : Optional.empty();
    }

    private static Map<String, AttributeValue> item(IntegratedAccount account) {
        Map<String, AttributeValue> item = new HashMap<>(KitebridgeTable.key("TENANT#" + account.tenantId(), "ACCOUNT#" + account.id()));
        item.put("account", KitebridgeTable.s(StateJson.write(account)));
        item.put("revision", AttributeValue.fromN(Long.toString(account.revision())));
        return item;
    }

    @Override
    public Optional<IntegratedAccount> find(String tenantId, String accountId) {
        return read(tenantId, accountId, true);
    }

    /** Eventually consistent: half a read unit for an account's item (under 4 KB), where {@link #find} pays one. */
    @Override
    public Optional<IntegratedAccount> findRecent(String tenantId, String accountId) {
        return read(tenantId, accountId, false);
    }

    private Optional<IntegratedAccount> read(String tenantId, String accountId, boolean consistent) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                .key(KitebridgeTable.key("TENANT#" + tenantId, "ACCOUNT#" + accountId)).consistentRead(consistent)).item();
        return item == null || item.isEmpty() ? Optional.empty()
                : Optional.of(StateJson.read(item.get("account").s(), IntegratedAccount.class));
    }

    @Override
    public List<IntegratedAccount> list(String tenantId) {
        return dynamo.queryPaginator(b -> b.tableName(table)
                        .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                        .expressionAttributeValues(Map.of(":pk", KitebridgeTable.s("TENANT#" + tenantId), ":prefix", KitebridgeTable.s("ACCOUNT#")))
                        .consistentRead(true))
                .items().stream()
                .map(item -> StateJson.read(item.get("account").s(), IntegratedAccount.class))
                .sorted(Comparator.comparing(IntegratedAccount::createdAt).thenComparing(IntegratedAccount::id))
                .toList();
    }

    @Override
    public void delete(String tenantId, String accountId) {
        dynamo.deleteItem(b -> b.tableName(table).key(KitebridgeTable.key("TENANT#" + tenantId, "ACCOUNT#" + accountId)));
    }
}
