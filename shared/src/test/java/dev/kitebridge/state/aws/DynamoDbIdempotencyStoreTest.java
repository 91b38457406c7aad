package dev.kitebridge.state.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;

import dev.kitebridge.state.IdempotencyStoreContract;
import dev.kitebridge.tenants.IdempotencyStore.Claim;
import dev.kitebridge.tenants.IdempotencyStore.StoredResponse;
import dev.kitebridge.tenants.IdempotencyStore;

class DynamoDbIdempotencyStoreTest extends IdempotencyStoreContract {

    private final Dynalite.Table table = Dynalite.get().newTable();
    private final DynamoDbIdempotencyStore store = new DynamoDbIdempotencyStore(table.client(), table.name());

    @Override
    protected IdempotencyStore store() {
        return store;
    }

    /** Every write lands, its answer is lost, and it is sent again, as the SDK's retries do. */
    private record LostAnswers(DynamoDbClient dynamo) implements DynamoDbClient {

        @Override
        public PutItemResponse putItem(PutItemRequest request) {
            dynamo.putItem(request);
            return dynamo.putItem(request);
        }

        @Override
        public DeleteItemResponse deleteItem(DeleteItemRequest request) {
            dynamo.deleteItem(request);
            return dynamo.deleteItem(request);
        }

        @Override
        public GetItemResponse getItem(GetItemRequest request) {
            return dynamo.getItem(request);
        }

        @Override
        public String serviceName() {
            return dynamo.serviceName();
        }

        @Override
        public void close() {}
    }

    @Test
    void aClaimWhoseAnswerWasLostIsStillGranted() {
        IdempotencyStore retried = new DynamoDbIdempotencyStore(new LostAnswers(table.client()), table.name());
        Instant now = Instant.parse("2026-11-25T12:00:00Z");
        Duration lease = Duration.ofSeconds(30);
        String claim = assertInstanceOf(Claim.Granted.class, retried.claim("tenant-a", "lost-1", "hash-1", now, lease),
                "its own claim, not another's").claimId();
        assertEquals(new Claim.InProgress(now.plus(lease)), retried.claim("tenant-a", "lost-1", "hash-1", now.plusSeconds(1), lease));

        StoredResponse created = new StoredResponse(201, "{}");
        retried.complete("tenant-a", "lost-1", claim, "hash-1", created, now.plus(Duration.ofHours(1)));
        assertEquals(new Claim.Replay(created), retried.claim("tenant-a", "lost-1", "hash-1", now.plusSeconds(2), lease));

        String other = assertInstanceOf(Claim.Granted.class, retried.claim("tenant-a", "lost-2", "hash-1", now, lease)).claimId();
        retried.release("tenant-a", "lost-2", other);
        assertInstanceOf(Claim.Granted.class, retried.claim("tenant-a", "lost-2", "hash-1", now.plusSeconds(1), lease));
    }
}
