package dev.kitebridge.state.aws;

import dev.kitebridge.directory.CursorStore;
import dev.kitebridge.state.CursorStoreContract;

class DynamoDbCursorStoreTest extends CursorStoreContract {

    private final Dynalite.Table table = Dynalite.get().newTable();
    private final DynamoDbCursorStore store = new DynamoDbCursorStore(table.client(), table.name());

    @Override
    protected CursorStore store() {
        return store;
    }
}
