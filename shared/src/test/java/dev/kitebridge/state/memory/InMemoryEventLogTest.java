package dev.kitebridge.state.memory;

import dev.kitebridge.events.EventLog;
import dev.kitebridge.state.EventLogContract;

class InMemoryEventLogTest extends EventLogContract {

    private final InMemoryEventLog store = new InMemoryEventLog();

    @Override
    protected EventLog store() {
        return store;
    }
}
