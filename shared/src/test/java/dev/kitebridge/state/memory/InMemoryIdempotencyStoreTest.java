package dev.kitebridge.state.memory;

import dev.kitebridge.state.IdempotencyStoreContract;
import dev.kitebridge.tenants.IdempotencyStore;

class InMemoryIdempotencyStoreTest extends IdempotencyStoreContract {

    private final InMemoryIdempotencyStore store = new InMemoryIdempotencyStore();

    @Override
    protected IdempotencyStore store() {
        return store;
    }
}
