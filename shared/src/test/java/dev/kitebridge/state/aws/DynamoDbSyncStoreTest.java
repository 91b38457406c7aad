package dev.kitebridge.state.aws;

import dev.kitebridge.state.SyncStoreContract;
import dev.kitebridge.sync.SyncStore;

class DynamoDbSyncStoreTest extends SyncStoreContract {

    private final Dynalite.Table table = Dynalite.get().newTable();
    private final DynamoDbSyncStore store = new DynamoDbSyncStore(table.client(), table.name());

    @Override
    protected SyncStore store() {
        return store;
    }
}
