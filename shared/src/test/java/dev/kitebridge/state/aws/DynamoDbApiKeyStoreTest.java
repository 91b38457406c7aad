package dev.kitebridge.state.aws;

import dev.kitebridge.state.ApiKeyStoreContract;
import dev.kitebridge.tenants.ApiKeyStore;

class DynamoDbApiKeyStoreTest extends ApiKeyStoreContract {

    private final Dynalite.Table table = Dynalite.get().newTable();
    private final DynamoDbApiKeyStore store = new DynamoDbApiKeyStore(table.client(), table.name());

    @Override
    protected ApiKeyStore store() {
        return store;
    }
}
