package dev.kitebridge.state.memory;

import dev.kitebridge.directory.CursorStore;
import dev.kitebridge.state.CursorStoreContract;

class InMemoryCursorStoreTest extends CursorStoreContract {

    private final InMemoryCursorStore store = new InMemoryCursorStore();

    @Override
    protected CursorStore store() {
        return store;
    }
}
