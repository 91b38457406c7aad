package dev.kitebridge.state.aws;

import dev.kitebridge.connect.RedirectOriginStore;
import dev.kitebridge.state.RedirectOriginStoreContract;

class DynamoDbRedirectOriginStoreTest extends RedirectOriginStoreContract {

    private final Dynalite.Table table = Dynalite.get().newTable();
    private final DynamoDbRedirectOriginStore store = new DynamoDbRedirectOriginStore(table.client(), table.name());

    @Override
    protected RedirectOriginStore store() {
        return store;
    }
}
