package dev.kitebridge.state.memory;

import dev.kitebridge.state.ApiKeyStore;
import dev.kitebridge.state.ApiKeyStoreContract;

class InMemoryApiKeyStoreTest extends ApiKeyStoreContract {

    private final InMemoryApiKeyStore store = new InMemoryApiKeyStore();

    @Override
    protected ApiKeyStore store() {
        return store;
    }
}
