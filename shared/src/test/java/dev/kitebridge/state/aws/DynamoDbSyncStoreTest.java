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
import dev.kitebridge.sync.Confirmed;
import dev.kitebridge.sync.CountsSeen;
import dev.kitebridge.sync.DataKind;
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
        lostAnswers.lost.set(2); // its index item's and its own
        lossy.createRun(run);
        lostAnswers.lost.set(1);
        SyncRun started = lossy.replaceRun(run.started(now, List.of())).orElseThrow();
        assertEquals(started, store.run("run-1").orElseThrow());

        assertEquals(10, lostAnswers.puts.get(), "each put was sent twice");
        assertEquals(List.of(started), store.runs("acct-1", Long.MAX_VALUE, 10), "listed once");
    }

    /**
     * The schedule's listing of every account, each minute, is read eventually consistent (half the
     * read units); an account's own state, which a full run is started on, strongly.
     */
    @Test
    void theSchedulesListingIsReadAtHalfThePrice() {
        List<Boolean> consistent = new java.util.ArrayList<>();
        ExecutionInterceptor reads = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof software.amazon.awssdk.services.dynamodb.model.QueryRequest query) {
                    consistent.add(query.consistentRead());
                }
                if (context.request() instanceof software.amazon.awssdk.services.dynamodb.model.GetItemRequest get) {
                    consistent.add(get.consistentRead());
                }
            }
        };
        DynamoDbClient client = DynamoDbClient.builder().region(Region.US_EAST_1).endpointOverride(table.config().dynamoDbEndpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .overrideConfiguration(c -> c.addExecutionInterceptor(reads))
                .build();
        DynamoDbSyncStore listed = new DynamoDbSyncStore(client, table.name());
        assertTrue(listed.createAccount(AccountSync.first("acct-1", "tenant-1")));
        assertEquals(1, listed.accounts().size());
        assertEquals(List.of(false), consistent, "the listing");
        listed.account("acct-1").orElseThrow();
        assertEquals(List.of(false, true), consistent, "an account's own state");
    }

    /** A state stored before the account kept when its data was confirmed reads as never confirmed. */
    @Test
    void anAccountsStateStoredBeforeConfirmedWasKeptStillReads() {
        String old = "{\"accountId\":\"acct-old\",\"tenantId\":\"tenant-1\",\"nextOrdinal\":3,\"currentGeneration\":2,"
                + "\"publishedThrough\":2,\"activeRunId\":null,\"leaseOwner\":null,\"leaseExpiresAt\":null,\"revision\":4}";
        table.client().putItem(b -> b.tableName(table.name()).item(java.util.Map.of("pk", KitebridgeTable.s("SYNCACCOUNTS"),
                "sk", KitebridgeTable.s("acct-old"), "sync", KitebridgeTable.s(old), "revision", KitebridgeTable.n(4))));
        AccountSync read = store.account("acct-old").orElseThrow();
        assertEquals(new AccountSync("acct-old", "tenant-1", 3, 2, 2, null, null, null, Confirmed.NEVER, java.util.Map.of(), CountsSeen.NONE, 4), read);
        Instant at = Instant.parse("2026-11-25T12:00:00Z");
        AccountSync confirmed = store.replaceAccount(read.confirming(java.util.EnumSet.of(DataKind.USERS), at)).orElseThrow();
        assertEquals(new Confirmed(at, null, null, null), store.account("acct-old").orElseThrow().confirmed());
        assertEquals(confirmed, store.accounts().get(0));
    }

    /**
     * An account's sync state is kept gzipped: the schedule reads every account's each minute, and
     * an organization's counts kept team by team make it tens of KB (its UUIDs gzip to some 60%;
     * DynamoDB charges a read unit per 4 KB and a write unit per KB). One kept as JSON text still
     * reads (above).
     */
    @Test
    void anAccountsStateIsKeptGzipped() {
        java.util.Map<String, Long> twoFactor = new java.util.HashMap<>();
        java.util.Random random = new java.util.Random(42);
        for (int team = 0; team < 250; team++) {
            twoFactor.put(new java.util.UUID(random.nextLong(), random.nextLong()).toString(), (long) random.nextInt(200));
        }
        AccountSync first = AccountSync.first("acct-zipped", "tenant-1");
        assertTrue(store.createAccount(first));
        AccountSync counted = store.replaceAccount(first.withCounts(new CountsSeen(Instant.parse("2026-11-25T12:00:00Z"), java.util.Map.of(),
                java.util.Set.of(), java.util.Set.of(), java.util.Map.of("org-1", twoFactor)))).orElseThrow();

        var stored = table.client().getItem(b -> b.tableName(table.name()).key(KitebridgeTable.key("SYNCACCOUNTS", "acct-zipped"))).item();
        assertTrue(stored.containsKey("sync_gz") && !stored.containsKey("sync"), "kept gzipped: " + stored.keySet());
        int json = StateJson.write(counted).length();
        int gzipped = stored.get("sync_gz").b().asByteArray().length;
        assertTrue(json > 10_000 && gzipped < json * 0.6, gzipped + " bytes gzipped, " + json + " of JSON");
        assertEquals(counted, store.account("acct-zipped").orElseThrow());
        assertEquals(List.of(counted), store.accounts());
    }

    /**
     * The schedule lists every account's state every minute: a state stored as the last listing read it
     * is not unzipped and parsed again (the same object comes back); a changed one is, and so is one
     * listed anew after a listing that did not hold it.
     */
    @Test
    void theListingDecodesOnlyTheStatesThatChangedSinceTheLastListing() {
        AccountSync quiet = AccountSync.first("acct-quiet", "tenant-1");
        AccountSync busy = AccountSync.first("acct-busy", "tenant-1");
        assertTrue(store.createAccount(quiet));
        assertTrue(store.createAccount(busy));
        java.util.Map<String, AccountSync> first = byAccount(store.accounts());
        AccountSync moved = store.replaceAccount(busy.withCounts(new CountsSeen(Instant.parse("2026-11-25T12:00:00Z"), java.util.Map.of(),
                java.util.Set.of(), java.util.Set.of(), java.util.Map.of()))).orElseThrow();

        java.util.Map<String, AccountSync> second = byAccount(store.accounts());
        org.junit.jupiter.api.Assertions.assertSame(first.get("acct-quiet"), second.get("acct-quiet"), "not decoded again");
        assertEquals(moved, second.get("acct-busy"), "decoded anew");

        store.deleteAccount("acct-quiet");
        assertEquals(java.util.Set.of("acct-busy"), byAccount(store.accounts()).keySet());
        assertTrue(store.createAccount(quiet));
        AccountSync again = byAccount(store.accounts()).get("acct-quiet");
        assertEquals(quiet, again);
        assertTrue(again != first.get("acct-quiet"), "a listing keeps only what the last one held");
    }

    private static java.util.Map<String, AccountSync> byAccount(List<AccountSync> states) {
        java.util.Map<String, AccountSync> map = new java.util.HashMap<>();
        states.forEach(s -> map.put(s.accountId(), s));
        return map;
    }

    /** A run whose index item was written but not the run itself (a crash between the two) is passed over. */
    @Test
    void anIndexItemWithoutItsRunIsPassedOver() {
        Instant now = Instant.parse("2026-11-25T12:00:00Z");
        store.createRun(SyncRun.queued("run-1", "tenant-1", "acct-1", 2, "schedule", false, now, 0));
        table.client().putItem(b -> b.tableName(table.name()).item(java.util.Map.of("pk", KitebridgeTable.s("SYNCRUNS#acct-1"),
                "sk", KitebridgeTable.s(String.format("%020d", 3)), "run_id", KitebridgeTable.s("run-never-written"))));
        assertEquals(List.of("run-1"), store.runs("acct-1", Long.MAX_VALUE, 10).stream().map(SyncRun::id).toList());
    }

    /**
     * A run is kept gzipped (it is rewritten at every step, and DynamoDB charges a write unit a
     * kilobyte); one kept as JSON text by the version before still reads, lists and is replaced.
     */
    @Test
    void aRunIsKeptGzippedAndOneKeptAsTextStillReads() {
        Instant now = Instant.parse("2026-11-25T12:00:00Z");
        SyncRun run = SyncRun.queued("run-zipped", "tenant-1", "acct-1", 2, "schedule", false, now, 0);
        store.createRun(run);
        var stored = table.client().getItem(b -> b.tableName(table.name()).key(KitebridgeTable.key("SYNCRUN#run-zipped", "RUN"))).item();
        assertTrue(stored.containsKey("run_gz") && !stored.containsKey("run"), "kept gzipped: " + stored.keySet());
        assertTrue(stored.get("run_gz").b().asByteArray().length < StateJson.write(run).length(), "and smaller than its JSON");

        SyncRun old = SyncRun.queued("run-text", "tenant-1", "acct-1", 3, "schedule", false, now, 0);
        table.client().putItem(b -> b.tableName(table.name()).item(java.util.Map.of("pk", KitebridgeTable.s("SYNCRUN#run-text"),
                "sk", KitebridgeTable.s("RUN"), "run", KitebridgeTable.s(StateJson.write(old)), "revision", KitebridgeTable.n(0))));
        table.client().putItem(b -> b.tableName(table.name()).item(java.util.Map.of("pk", KitebridgeTable.s("SYNCRUNS#acct-1"),
                "sk", KitebridgeTable.s(String.format("%020d", 3)), "run_id", KitebridgeTable.s("run-text"))));
        assertEquals(old, store.run("run-text").orElseThrow());
        assertEquals(List.of("run-text", "run-zipped"), store.runs("acct-1", Long.MAX_VALUE, 10).stream().map(SyncRun::id).toList());
        SyncRun started = store.replaceRun(old.started(now, List.of())).orElseThrow();
        assertEquals(started, store.run("run-text").orElseThrow());
    }
}
