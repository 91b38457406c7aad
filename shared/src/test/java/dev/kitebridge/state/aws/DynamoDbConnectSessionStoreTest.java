package dev.kitebridge.state.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import dev.kitebridge.connect.ConnectSession;
import dev.kitebridge.connect.ConnectSessionStore;
import dev.kitebridge.state.ConnectSessionStoreContract;

class DynamoDbConnectSessionStoreTest extends ConnectSessionStoreContract {

    private final Dynalite.Table table = Dynalite.get().newTable();
    private final DynamoDbConnectSessionStore store = new DynamoDbConnectSessionStore(table.client(), table.name());

    @Override
    protected ConnectSessionStore store() {
        return store;
    }

    @Test
    void anItemIsKeptADayPastItsSessionsExpiryUnderItsOwnPartition() {
        Instant expires = Instant.parse("2026-11-25T12:30:00Z");
        store.create(ConnectSession.opened("cs_1", "hash-ttl", "tenant-a", null, null, null, List.of(), expires.minusSeconds(1800), expires));
        Map<String, AttributeValue> item = table.client().getItem(b -> b.tableName(table.name())
                .key(KitebridgeTable.key("CONNECT#hash-ttl", "SESSION"))).item();
        assertEquals(Long.toString(expires.plusSeconds(86_400).getEpochSecond()), item.get(KitebridgeTable.EXPIRES_AT).n());
    }
}
