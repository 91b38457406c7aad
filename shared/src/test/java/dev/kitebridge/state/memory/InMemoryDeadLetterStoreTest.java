package dev.kitebridge.state.memory;

import dev.kitebridge.state.DeadLetterStoreContract;
import dev.kitebridge.webhooks.DeadLetterStore;

class InMemoryDeadLetterStoreTest extends DeadLetterStoreContract {

    private final InMemoryDeadLetterStore store = new InMemoryDeadLetterStore();

    @Override
    protected DeadLetterStore store() {
        return store;
    }
}
