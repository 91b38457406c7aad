package dev.kitebridge.state.memory;

import dev.kitebridge.state.IdempotencyStore;
import dev.kitebridge.state.IdempotencyStoreContract;

class InMemoryIdempotencyStoreTest extends IdempotencyStoreContract {

    private final InMemoryIdempotencyStore store = new InMemoryIdempotencyStore();

    @Override
    protected IdempotencyStore store() {
        return store;
    }
}
