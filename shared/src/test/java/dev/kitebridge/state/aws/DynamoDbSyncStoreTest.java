package dev.kitebridge.state.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import dev.kitebridge.state.SyncStoreContract;
import dev.kitebridge.sync.AccountSync;
import dev.kitebridge.sync.SyncRun;
import dev.kitebridge.sync.SyncStore;

class DynamoDbSyncStoreTest extends SyncStoreContract {

    private final Dynalite.Table table = Dynalite.get().newTable();
    private final DynamoDbSyncStore store = new DynamoDbSyncStore(table.client(), table.name());

    @Override
    protected SyncStore store() {
        return store;
    }

    /** Loses the answers of the next {@code lost} puts: they land, but the SDK sees a 500 and puts again. */
    private static final class LostAnswers implements ExecutionInterceptor {
        final AtomicInteger lost = new AtomicInteger();
        final AtomicInteger puts = new AtomicInteger();

        @Override
        public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
            if (!"PutItem".equals(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME))) {
                return context.httpResponse();
            }
            puts.incrementAndGet();
            return lost.getAndDecrement() > 0 ? context.httpResponse().toBuilder().statusCode(500).build() : context.httpResponse();
        }
    }

    @Test
    void aWriteWhoseAnswerWasLostIsNotTakenForAConflict() {
        LostAnswers lostAnswers = new LostAnswers();
        DynamoDbClient client = DynamoDbClient.builder().region(Region.US_EAST_1).endpointOverride(table.config().dynamoDbEndpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .overrideConfiguration(c -> c.addExecutionInterceptor(lostAnswers))
                .build();
        DynamoDbSyncStore lossy = new DynamoDbSyncStore(client, table.name());
        Instant now = Instant.parse("2026-11-25T12:00:00Z");

        AccountSync state = AccountSync.first("acct-1", "tenant-1");
        lostAnswers.lost.set(1);
        assertTrue(lossy.createAccount(state));
        lostAnswers.lost.set(1);
        AccountSync taken = lossy.replaceAccount(state.withActiveRun("run-1", 1)).orElseThrow();
        assertEquals(taken, store.account("acct-1").orElseThrow());

        SyncRun run = SyncRun.queued("run-1", "tenant-1", "acct-1", 1, "schedule", false, now, 0);
        lostAnswers.lost.set(1);
        lossy.createRun(run);
        lostAnswers.lost.set(1);
        SyncRun started = lossy.replaceRun(run.started(now, List.of())).orElseThrow();
        assertEquals(started, store.run("run-1").orElseThrow());

        assertEquals(8, lostAnswers.puts.get(), "each put was sent twice");
    }
}
