package dev.kitebridge.state.memory;

import dev.kitebridge.state.ApiKeyStoreContract;
import dev.kitebridge.tenants.ApiKeyStore;

class InMemoryApiKeyStoreTest extends ApiKeyStoreContract {

    private final InMemoryApiKeyStore store = new InMemoryApiKeyStore();

    @Override
    protected ApiKeyStore store() {
        return store;
    }
}
