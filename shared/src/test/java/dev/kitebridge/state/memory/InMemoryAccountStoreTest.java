package dev.kitebridge.state.memory;

import dev.kitebridge.access.AccountStore;
import dev.kitebridge.state.AccountStoreContract;

class InMemoryAccountStoreTest extends AccountStoreContract {

    private final InMemoryAccountStore store = new InMemoryAccountStore();

    @Override
    protected AccountStore store() {
        return store;
    }
}
