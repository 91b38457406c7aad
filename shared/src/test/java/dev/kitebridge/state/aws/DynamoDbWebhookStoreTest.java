package dev.kitebridge.state.aws;

import dev.kitebridge.state.WebhookStoreContract;
import dev.kitebridge.webhooks.WebhookStore;

class DynamoDbWebhookStoreTest extends WebhookStoreContract {

    private final Dynalite.Table table = Dynalite.get().newTable();
    private final DynamoDbWebhookStore store = new DynamoDbWebhookStore(table.client(), table.name());

    @Override
    protected WebhookStore store() {
        return store;
    }
}
