package dev.kitebridge.state.aws;

import dev.kitebridge.state.EventLogContract;
import dev.kitebridge.sync.EventLog;

class DynamoDbEventLogTest extends EventLogContract {

    private final Dynalite.Table table = Dynalite.get().newTable();
    private final DynamoDbEventLog store = new DynamoDbEventLog(table.client(), table.name());

    @Override
    protected EventLog store() {
        return store;
    }
}
