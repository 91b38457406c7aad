package dev.kitebridge.state.aws;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

import dev.kitebridge.sync.AccountSync;
import dev.kitebridge.sync.SyncRun;
import dev.kitebridge.sync.SyncStore;

/**
 * Every account's sync state in one partition, {@code SYNCACCOUNTS} / {@code <account>}, so that
 * the schedule lists them all with a Query (no scan); each run its own item, {@code SYNCRUN#<run>}
 * / {@code RUN}. Each is kept as its JSON, gzipped, beside its revision, and replaced by a put on the
 * condition that the stored revision is the one the change was made from. An account's runs are
 * listed from an index of them in one partition, {@code SYNCRUNS#<account>} / {@code <ordinal>}
 * (20 digits, so that sort-key order is the runs' order), each naming its run: a Query newest
 * first, then the runs by BatchGetItem. The index item is written before its run and expires with
 * it; one whose run was never written (a crash between the two) is passed over.
 *
 * <p>The SDK retries a put whose answer was lost; if the first one landed, the retry fails its
 * condition, and the write's own nonce on the item tells that apart from a real conflict, so that
 * a worker does not give up a run it holds.
 */
public final class DynamoDbSyncStore implements SyncStore {

    private static final String ACCOUNTS = "SYNCACCOUNTS";
    private static final String RUN = "RUN";
    private static final String RUNS_OF = "SYNCRUNS#";
    /** The most keys BatchGetItem takes in one call. */
    private static final int BATCH_GET = 100;
    private static final String EXISTS_AT_REVISION = "attribute_exists(pk) AND revision = :made_from";

    private final DynamoDbClient dynamo;
    private final String table;
    /**
     * Each account's sync state as the last listing decoded it, with its stored bytes: the schedule lists every
     * account every minute, and most states have not changed since (the same bytes are the same state, which is
     * immutable), so unzipping and parsing them again is work for nothing. Only what the last listing held is kept.
     */
    private volatile Map<String, Decoded> listed = Map.of();

    private record Decoded(byte[] stored, AccountSync state) {}

    public DynamoDbSyncStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /** Read eventually consistent, at half the price: see {@link SyncStore#accounts}. */
    @Override
    public List<AccountSync> accounts() {
        Map<String, Decoded> before = listed;
        Map<String, Decoded> now = new HashMap<>();
        List<AccountSync> states = dynamo.queryPaginator(b -> b.tableName(table).keyConditionExpression("pk = :pk")
                        .expressionAttributeValues(Map.of(":pk", KitebridgeTable.s(ACCOUNTS))).consistentRead(false))
                .items().stream()
                .map(item -> {
                    Decoded known = before.get(item.get(KitebridgeTable.SK).s());
                    AttributeValue gz = item.get("sync_gz");
                    if (gz == null) {
                        return state(item);
                    }
                    byte[] stored = gz.b().asByteArrayUnsafe();
                    Decoded decoded = known != null && java.util.Arrays.equals(known.stored(), stored) ? known
                            : new Decoded(stored, StateJson.readGzipped(stored, AccountSync.class));
                    now.put(item.get(KitebridgeTable.SK).s(), decoded);
                    return decoded.state();
                })
                .toList();
        listed = now;
        return states;
    }

    @Override
    public Optional<AccountSync> account(String accountId) {
        return find(KitebridgeTable.key(ACCOUNTS, accountId)).map(DynamoDbSyncStore::state);
    }

    @Override
    public boolean createAccount(AccountSync state) {
        return put(item(state), "attribute_not_exists(pk)", Map.of());
    }

    @Override
    public Optional<AccountSync> replaceAccount(AccountSync changed) {
        AccountSync next = changed.nextRevision();
        return put(item(next), EXISTS_AT_REVISION, Map.of(":made_from", KitebridgeTable.n(changed.revision()))) ? Optional.of(next)
                : Optional.empty();
    }

    @Override
    public void deleteAccount(String accountId) {
        dynamo.deleteItem(b -> b.tableName(table).key(KitebridgeTable.key(ACCOUNTS, accountId)));
    }

    @Override
    public void createRun(SyncRun run) {
        dynamo.putItem(b -> b.tableName(table).item(indexItem(run)));
        if (!put(item(run), "attribute_not_exists(pk)", Map.of())) {
            throw new IllegalStateException("a sync run with id " + run.id() + " exists already");
        }
    }

    @Override
    public Optional<SyncRun> run(String runId) {
        return find(KitebridgeTable.key("SYNCRUN#" + runId, RUN)).map(DynamoDbSyncStore::run);
    }

    @Override
    public Optional<SyncRun> replaceRun(SyncRun changed) {
        SyncRun next = changed.nextRevision();
        return put(item(next), EXISTS_AT_REVISION, Map.of(":made_from", KitebridgeTable.n(changed.revision()))) ? Optional.of(next)
                : Optional.empty();
    }

    @Override
    public List<SyncRun> runs(String accountId, long beforeOrdinal, int limit) {
        List<String> ids = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = dynamo.query(b -> b.tableName(table).keyConditionExpression("pk = :pk AND sk < :before")
                    .expressionAttributeValues(Map.of(":pk", KitebridgeTable.s(RUNS_OF + accountId),
                            ":before", KitebridgeTable.s(ordinalKey(beforeOrdinal))))
                    .scanIndexForward(false).limit(limit - ids.size()).exclusiveStartKey(from).consistentRead(true));
            page.items().forEach(item -> ids.add(item.get("run_id").s()));
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null && ids.size() < limit);
        Map<String, SyncRun> found = new HashMap<>();
        for (int from = 0; from < ids.size(); from += BATCH_GET) {
            List<Map<String, AttributeValue>> keys = ids.subList(from, Math.min(ids.size(), from + BATCH_GET)).stream()
                    .map(id -> KitebridgeTable.key("SYNCRUN#" + id, RUN)).toList();
            Map<String, KeysAndAttributes> asked = Map.of(table, KeysAndAttributes.builder().keys(keys).consistentRead(true).build());
            while (!asked.isEmpty()) {
                Map<String, KeysAndAttributes> now = asked;
                BatchGetItemResponse answer = dynamo.batchGetItem(b -> b.requestItems(now));
                answer.responses().getOrDefault(table, List.of()).forEach(item -> {
                    SyncRun run = run(item);
                    found.put(run.id(), run);
                });
                asked = answer.hasUnprocessedKeys() ? answer.unprocessedKeys() : Map.of();
            }
        }
        return ids.stream().map(found::get).filter(java.util.Objects::nonNull).toList();
    }

    private static String ordinalKey(long ordinal) {
        return String.format(java.util.Locale.ROOT, "%020d", ordinal);
    }

    private static Map<String, AttributeValue> indexItem(SyncRun run) {
        Map<String, AttributeValue> item = new HashMap<>(KitebridgeTable.key(RUNS_OF + run.accountId(), ordinalKey(run.ordinal())));
        item.put("run_id", KitebridgeTable.s(run.id()));
        item.put(KitebridgeTable.EXPIRES_AT, KitebridgeTable.expiresAt(run.createdAt().plus(DynamoDbEventLog.RETENTION)));
        return item;
    }

    private static Map<String, AttributeValue> item(AccountSync state) {
        Map<String, AttributeValue> item = new HashMap<>(KitebridgeTable.key(ACCOUNTS, state.accountId()));
        // Gzipped: the schedule reads every account's each minute, and runs and looks rewrite it; where an organization's
        // counts are kept team by team (see CountsSeen) its JSON is tens of KB (about 30 at 250 teams), gzipped some 60% of it.
        item.put("sync_gz", AttributeValue.builder().b(SdkBytes.fromByteArray(StateJson.writeGzipped(state))).build());
        item.put("revision", KitebridgeTable.n(state.revision()));
        return item;
    }

    private static Map<String, AttributeValue> item(SyncRun run) {
        Map<String, AttributeValue> item = new HashMap<>(KitebridgeTable.key("SYNCRUN#" + run.id(), RUN));
        // Gzipped: a run is rewritten at every step of it, and its JSON (counts, subjects, where its read stands) is a few KB.
        item.put("run_gz", AttributeValue.builder().b(SdkBytes.fromByteArray(StateJson.writeGzipped(run))).build());
        item.put("revision", KitebridgeTable.n(run.revision()));
        // Kept as long as its events (an account whose run is gone just starts a new one).
        item.put(KitebridgeTable.EXPIRES_AT, KitebridgeTable.expiresAt(run.createdAt().plus(DynamoDbEventLog.RETENTION)));
        return item;
    }

    /** An account's sync state as stored: gzipped, or as JSON text by a version before that. */
    private static AccountSync state(Map<String, AttributeValue> item) {
        return item.containsKey("sync_gz") ? StateJson.readGzipped(item.get("sync_gz").b().asByteArray(), AccountSync.class)
                : StateJson.read(item.get("sync").s(), AccountSync.class);
    }

    /** A run as stored: gzipped, or as JSON text by a version before that (kept 30 days). */
    private static SyncRun run(Map<String, AttributeValue> item) {
        return item.containsKey("run_gz") ? StateJson.readGzipped(item.get("run_gz").b().asByteArray(), SyncRun.class)
                : StateJson.read(item.get("run").s(), SyncRun.class);
    }

    private Optional<Map<String, AttributeValue>> find(Map<String, AttributeValue> key) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(key).consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(item);
    }

    /** @return whether the item is written: false if the condition failed on someone else's write */
    private boolean put(Map<String, AttributeValue> item, String condition, Map<String, AttributeValue> values) {
        String nonce = UUID.randomUUID().toString();
        Map<String, AttributeValue> written = new HashMap<>(item);
        written.put("nonce", KitebridgeTable.s(nonce));
        try {
            dynamo.putItem(b -> b.tableName(table).item(written).conditionExpression(condition)
                    .expressionAttributeValues(values.isEmpty() ? null : values)); // DynamoDB refuses an empty map
            return true;
        } catch (ConditionalCheckFailedException conflict) {
            return find(KitebridgeTable.key(item.get(KitebridgeTable.PK).s(), item.get(KitebridgeTable.SK).s()))
                    .map(stored -> stored.containsKey("nonce") && nonce.equals(stored.get("nonce").s()))
                    .orElse(false);
        }
    }
}
