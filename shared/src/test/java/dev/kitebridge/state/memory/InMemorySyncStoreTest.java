package dev.kitebridge.state.memory;

import dev.kitebridge.state.SyncStoreContract;
import dev.kitebridge.sync.SyncStore;

class InMemorySyncStoreTest extends SyncStoreContract {

    private final InMemorySyncStore store = new InMemorySyncStore();

    @Override
    protected SyncStore store() {
        return store;
    }
}
