package dev.kitebridge.state.aws;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

import dev.kitebridge.state.AccountStore;
import dev.kitebridge.state.IntegratedAccount;

/** Accounts as items under their tenant ({@code TENANT#<tenant>} / {@code ACCOUNT#<id>}): another tenant's id finds nothing. */
public final class DynamoDbAccountStore implements AccountStore {

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDbAccountStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public void save(IntegratedAccount account) {
        Map<String, AttributeValue> item = new HashMap<>(KitebridgeTable.key("TENANT#" + account.tenantId(), "ACCOUNT#" + account.id()));
        item.put("account", KitebridgeTable.s(StateJson.write(account)));
        dynamo.putItem(b -> b.tableName(table).item(item));
    }

    @Override
    public Optional<IntegratedAccount> find(String tenantId, String accountId) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table)
                .key(KitebridgeTable.key("TENANT#" + tenantId, "ACCOUNT#" + accountId)).consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty()
                : Optional.of(StateJson.read(item.get("account").s(), IntegratedAccount.class));
    }

    @Override
    public List<IntegratedAccount> list(String tenantId) {
        List<IntegratedAccount> accounts = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = dynamo.query(b -> b.tableName(table)
                    .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                    .expressionAttributeValues(Map.of(":pk", KitebridgeTable.s("TENANT#" + tenantId), ":prefix", KitebridgeTable.s("ACCOUNT#")))
                    .consistentRead(true)
                    .exclusiveStartKey(from));
            page.items().forEach(item -> accounts.add(StateJson.read(item.get("account").s(), IntegratedAccount.class)));
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        accounts.sort(java.util.Comparator.comparing(IntegratedAccount::createdAt).thenComparing(IntegratedAccount::id));
        return accounts;
    }

    @Override
    public void delete(String tenantId, String accountId) {
        dynamo.deleteItem(b -> b.tableName(table).key(KitebridgeTable.key("TENANT#" + tenantId, "ACCOUNT#" + accountId)));
    }
}
