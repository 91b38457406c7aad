package dev.kitebridge.state.memory;

import dev.kitebridge.connect.ConnectSessionStore;
import dev.kitebridge.state.ConnectSessionStoreContract;

class InMemoryConnectSessionStoreTest extends ConnectSessionStoreContract {

    private final InMemoryConnectSessionStore store = new InMemoryConnectSessionStore();

    @Override
    protected ConnectSessionStore store() {
        return store;
    }
}
