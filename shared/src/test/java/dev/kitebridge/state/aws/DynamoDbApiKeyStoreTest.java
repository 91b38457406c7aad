package dev.kitebridge.state.aws;

import dev.kitebridge.state.ApiKeyStore;
import dev.kitebridge.state.ApiKeyStoreContract;

class DynamoDbApiKeyStoreTest extends ApiKeyStoreContract {

    private final Dynalite.Table table = Dynalite.get().newTable();
    private final DynamoDbApiKeyStore store = new DynamoDbApiKeyStore(table.client(), table.name());

    @Override
    protected ApiKeyStore store() {
        return store;
    }
}
