package dev.kitebridge.state.memory;

import dev.kitebridge.state.SnapshotStoreContract;
import dev.kitebridge.sync.SnapshotStore;

class InMemorySnapshotStoreTest extends SnapshotStoreContract {

    private final InMemorySnapshotStore store = new InMemorySnapshotStore(clock);

    @Override
    protected SnapshotStore store() {
        return store;
    }
}
