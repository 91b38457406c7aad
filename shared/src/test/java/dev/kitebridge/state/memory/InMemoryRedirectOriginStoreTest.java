package dev.kitebridge.state.memory;

import dev.kitebridge.connect.RedirectOriginStore;
import dev.kitebridge.state.RedirectOriginStoreContract;

class InMemoryRedirectOriginStoreTest extends RedirectOriginStoreContract {

    private final InMemoryRedirectOriginStore store = new InMemoryRedirectOriginStore();

    @Override
    protected RedirectOriginStore store() {
        return store;
    }
}
