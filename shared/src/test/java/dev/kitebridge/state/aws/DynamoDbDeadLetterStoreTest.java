package dev.kitebridge.state.aws;

import dev.kitebridge.state.DeadLetterStoreContract;
import dev.kitebridge.webhooks.DeadLetterStore;

class DynamoDbDeadLetterStoreTest extends DeadLetterStoreContract {

    private final Dynalite.Table table = Dynalite.get().newTable();
    private final DynamoDbDeadLetterStore store = new DynamoDbDeadLetterStore(table.client(), table.name());

    @Override
    protected DeadLetterStore store() {
        return store;
    }
}
