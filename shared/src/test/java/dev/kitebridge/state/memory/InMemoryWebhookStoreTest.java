package dev.kitebridge.state.memory;

import dev.kitebridge.state.WebhookStoreContract;
import dev.kitebridge.webhooks.WebhookStore;

class InMemoryWebhookStoreTest extends WebhookStoreContract {

    private final InMemoryWebhookStore store = new InMemoryWebhookStore();

    @Override
    protected WebhookStore store() {
        return store;
    }
}
