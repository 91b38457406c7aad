package dev.kitebridge.state.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

import dev.kitebridge.state.WebhookStoreContract;
import dev.kitebridge.webhooks.DeliveryState;
import dev.kitebridge.webhooks.Webhook;
import dev.kitebridge.webhooks.WebhookStore;

class DynamoDbWebhookStoreTest extends WebhookStoreContract {

    private final Dynalite.Table table = Dynalite.get().newTable();
    private final DynamoDbWebhookStore store = new DynamoDbWebhookStore(table.client(), table.name());

    @Override
    protected WebhookStore store() {
        return store;
    }

    /** Every account's delivery round lists its tenant's subscriptions each minute: eventually consistent, at half the price. */
    @Test
    void theRoundsListingIsReadAtHalfThePriceAndTheApisStrongly() {
        List<Boolean> consistent = new ArrayList<>();
        ExecutionInterceptor reads = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof QueryRequest query) {
                    consistent.add(query.consistentRead());
                }
            }
        };
        DynamoDbClient client = DynamoDbClient.builder().region(Region.US_EAST_1).endpointOverride(table.config().dynamoDbEndpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .overrideConfiguration(c -> c.addExecutionInterceptor(reads))
                .build();
        DynamoDbWebhookStore counted = new DynamoDbWebhookStore(client, table.name());
        Webhook webhook = new Webhook("wh_1", "tenant-1", "https://example.com/hook", List.of("user.created"), null,
                Instant.parse("2026-12-07T00:00:00Z"), "secret");
        counted.create(webhook);
        assertEquals(List.of(webhook), counted.listForRounds("tenant-1"));
        assertEquals(List.of(false), consistent, "the rounds' listing");
        assertEquals(List.of(webhook), counted.list("tenant-1"));
        assertEquals(List.of(false, true), consistent, "the API's");
    }

    /** A delivery turn reads its subscription's delivery state at half the price; the rest strongly. */
    @Test
    void aTurnsReadOfItsDeliveryStateIsAtHalfThePrice() {
        List<Boolean> consistent = new ArrayList<>();
        ExecutionInterceptor reads = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof software.amazon.awssdk.services.dynamodb.model.GetItemRequest get) {
                    consistent.add(get.consistentRead());
                }
            }
        };
        DynamoDbClient client = DynamoDbClient.builder().region(Region.US_EAST_1).endpointOverride(table.config().dynamoDbEndpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .overrideConfiguration(c -> c.addExecutionInterceptor(reads))
                .build();
        DynamoDbWebhookStore counted = new DynamoDbWebhookStore(client, table.name());
        DeliveryState state = DeliveryState.startingAt("tenant-1", "wh_1", "acct_1", null);
        counted.createDelivery(state);
        assertEquals(java.util.Optional.of(state), counted.recentDelivery("tenant-1", "wh_1", "acct_1"));
        assertEquals(List.of(false), consistent, "a turn's read");
        assertEquals(java.util.Optional.of(state), counted.delivery("tenant-1", "wh_1", "acct_1"));
        assertEquals(List.of(false, true), consistent);
    }
}
