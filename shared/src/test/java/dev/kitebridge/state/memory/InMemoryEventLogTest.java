package dev.kitebridge.state.memory;

import dev.kitebridge.state.EventLogContract;
import dev.kitebridge.sync.EventLog;

class InMemoryEventLogTest extends EventLogContract {

    private final InMemoryEventLog store = new InMemoryEventLog();

    @Override
    protected EventLog store() {
        return store;
    }
}
