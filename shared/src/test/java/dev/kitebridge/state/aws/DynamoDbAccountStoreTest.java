package dev.kitebridge.state.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

import dev.kitebridge.access.AccountStore;
import dev.kitebridge.access.IntegratedAccount;
import dev.kitebridge.state.AccountStoreContract;

class DynamoDbAccountStoreTest extends AccountStoreContract {

    private final Dynalite.Table table = Dynalite.get().newTable();
    private final DynamoDbAccountStore store = new DynamoDbAccountStore(table.client(), table.name());

    @Override
    protected AccountStore store() {
        return store;
    }

    /**
     * The schedule's read of every account every minute is eventually consistent (half a read unit);
     * any other read of an account is strongly consistent.
     */
    @Test
    void onlyARecentReadIsEventuallyConsistent() {
        List<Boolean> consistent = new ArrayList<>();
        DynamoDbClient client = table.client();
        DynamoDbClient watched = new DynamoDbClient() {
            @Override
            public GetItemResponse getItem(GetItemRequest request) {
                consistent.add(Boolean.TRUE.equals(request.consistentRead()));
                return client.getItem(request);
            }

            @Override
            public String serviceName() {
                return client.serviceName();
            }

            @Override
            public void close() {
            }
        };
        AccountStore accounts = new DynamoDbAccountStore(watched, table.name());
        store.create(IntegratedAccount.linked("acct-r", "tenant-r", "label", List.of("graphql"), List.of(), null,
                Instant.parse("2026-11-01T00:00:00Z"), "user:local"));
        accounts.findRecent("tenant-r", "acct-r").orElseThrow();
        accounts.find("tenant-r", "acct-r").orElseThrow();
        assertEquals(List.of(false, true), consistent);
    }
}
