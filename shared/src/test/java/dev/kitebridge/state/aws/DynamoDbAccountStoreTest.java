package dev.kitebridge.state.aws;

import dev.kitebridge.access.AccountStore;
import dev.kitebridge.state.AccountStoreContract;

class DynamoDbAccountStoreTest extends AccountStoreContract {

    private final Dynalite.Table table = Dynalite.get().newTable();
    private final DynamoDbAccountStore store = new DynamoDbAccountStore(table.client(), table.name());

    @Override
    protected AccountStore store() {
        return store;
    }
}
