package dev.kitebridge.state.aws;

import dev.kitebridge.state.SnapshotStoreContract;
import dev.kitebridge.sync.SnapshotStore;

class DynamoDbSnapshotStoreTest extends SnapshotStoreContract {

    private final Dynalite.Table table = Dynalite.get().newTable();
    private final DynamoDbSnapshotStore store = new DynamoDbSnapshotStore(table.client(), table.name());

    @Override
    protected SnapshotStore store() {
        return store;
    }
}
