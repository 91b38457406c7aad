package dev.kitebridge.state.aws;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import dev.kitebridge.directory.orgdata.OrganizationData;
import dev.kitebridge.directory.orgdata.OrganizationDataStore;
import dev.kitebridge.time.TimeSource;

/**
 * Organization data in DynamoDB. A large organization's data is megabytes, more than an item
 * holds (400 KB), so each save writes the data whole, gzipped, in chunks under a new write id,
 * then moves small pointer items to it: readers never see half a write. Chunks, pointers and the
 * account's index expire a day and an hour after they are written (data older than a day is not
 * served), so whatever a rotate or an unlink leaves behind goes too; a write no pointer reads any
 * more is deleted. Reads are cached in the process by write id, so an unchanged organization is read
 * from DynamoDB once.
 *
 * <p>Two Lambda instances advancing the same build at once both save whole snapshots; the later
 * wins and the other's last steps are read again. Nothing is mixed.
 */
public final class DynamoDbOrganizationDataStore implements OrganizationDataStore {

    static final int CHUNK_BYTES = 350 * 1024;
    static final Duration CHUNK_LIFETIME = Duration.ofHours(25);
    private static final String BUILDING = "BUILDING";

    private final DynamoDbClient dynamo;
    private final String table;
    private final TimeSource time;
    /** Two 10,000-member organizations' data, Buildkite's answers included. */
    static final int REMEMBERED_PROFILES = 20_000;

    private final Map<String, OrganizationData> byWriteId = new ConcurrentHashMap<>();

    public DynamoDbOrganizationDataStore(DynamoDbClient dynamo, String table, TimeSource time) {
        this.dynamo = dynamo;
        this.table = table;
        this.time = time;
    }

    @Override
    public Optional<OrganizationData> complete(String accountId, String organizationSlug, OrganizationData.Part part) {
        return load(accountId, organizationSlug, part.name());
    }

    @Override
    public Optional<OrganizationData> building(String accountId, String organizationSlug) {
        return load(accountId, organizationSlug, BUILDING);
    }

    @Override
    public void save(OrganizationData data) {
        String pk = pk(data.accountId(), data.organizationSlug());
        String writeId = UUID.randomUUID().toString();
        byte[] bytes = gzip(StateJson.write(data.snapshot()));
        int chunks = Math.max(1, (bytes.length + CHUNK_BYTES - 1) / CHUNK_BYTES);
        long expires = time.now().plus(CHUNK_LIFETIME).getEpochSecond();
        for (int i = 0; i < chunks; i++) {
            byte[] chunk = java.util.Arrays.copyOfRange(bytes, i * CHUNK_BYTES, Math.min(bytes.length, (i + 1) * CHUNK_BYTES));
            Map<String, AttributeValue> item = new HashMap<>(KitebridgeTable.key(pk, "WRITE#" + writeId + "#" + i));
            item.put("data", AttributeValue.builder().b(SdkBytes.fromByteArray(chunk)).build());
            item.put(KitebridgeTable.EXPIRES_AT, KitebridgeTable.n(expires));
            dynamo.putItem(b -> b.tableName(table).item(item));
        }
        Map<String, AttributeValue> index = new HashMap<>(KitebridgeTable.key(indexPk(data.accountId()), data.organizationSlug()));
        index.put(KitebridgeTable.EXPIRES_AT, KitebridgeTable.n(expires));
        dynamo.putItem(b -> b.tableName(table).item(index));

        // Every pointer moved off a write may leave that write unread; it is deleted below if so.
        List<Pointer> replaced = new ArrayList<>();
        boolean done = true;
        for (OrganizationData.Part part : OrganizationData.Part.values()) {
            if (data.isComplete(part)) {
                pointer(pk, part.name()).ifPresent(replaced::add);
                point(pk, part.name(), writeId, chunks, expires);
            } else {
                done = false;
            }
        }
        pointer(pk, BUILDING).ifPresent(replaced::add);
        if (done) {
            dynamo.deleteItem(b -> b.tableName(table).key(KitebridgeTable.key(pk, "POINTER#" + BUILDING)));
        } else {
            point(pk, BUILDING, writeId, chunks, expires);
        }
        remember(writeId, data);
        replaced.stream().filter(old -> !old.writeId().equals(writeId)).distinct()
                .filter(old -> !referenced(pk, old.writeId()))
                .forEach(old -> forget(pk, old));
    }

    @Override
    public void forget(String accountId, String organizationSlug) {
        String pk = pk(accountId, organizationSlug);
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        dynamo.queryPaginator(b -> b.tableName(table).keyConditionExpression("pk = :pk").consistentRead(true)
                .expressionAttributeValues(Map.of(":pk", KitebridgeTable.s(pk))).projectionExpression("pk, sk"))
                .items().forEach(items::add);
        items.forEach(item -> dynamo.deleteItem(b -> b.tableName(table).key(KitebridgeTable.key(pk, item.get(KitebridgeTable.SK).s()))));
        dynamo.deleteItem(b -> b.tableName(table).key(KitebridgeTable.key(indexPk(accountId), organizationSlug)));
        byWriteId.values().removeIf(d -> d.accountId().equals(accountId) && d.organizationSlug().equals(organizationSlug));
    }

    @Override
    public void deleteAccount(String accountId) {
        List<String> organizations = new ArrayList<>();
        dynamo.queryPaginator(b -> b.tableName(table).keyConditionExpression("pk = :pk").consistentRead(true)
                .expressionAttributeValues(Map.of(":pk", KitebridgeTable.s(indexPk(accountId))))).items()
                .forEach(item -> organizations.add(item.get(KitebridgeTable.SK).s()));
        organizations.forEach(slug -> forget(accountId, slug));
    }

    private record Pointer(String writeId, int chunks) {}

    /**
     * Keeps a few organizations' data in the process, up to {@link #REMEMBERED_PROFILES} member profiles
     * in all: more would hold memory a Lambda does not have. A sync worker keeps the data of every
     * account it syncs, so the bound counts profiles, not organizations.
     */
    private void remember(String writeId, OrganizationData data) {
        int profiles = byWriteId.values().stream().mapToInt(OrganizationData::profileCount).sum();
        if (byWriteId.size() >= 32 || profiles + data.profileCount() > REMEMBERED_PROFILES) {
            byWriteId.clear();
        }
        byWriteId.put(writeId, data);
    }

    private Optional<OrganizationData> load(String accountId, String organizationSlug, String name) {
        String pk = pk(accountId, organizationSlug);
        for (int attempt = 0; attempt < 3; attempt++) {
            Optional<Pointer> pointer = pointer(pk, name);
            if (pointer.isEmpty()) {
                return Optional.empty();
            }
            OrganizationData cached = byWriteId.get(pointer.get().writeId());
            if (cached != null) {
                return Optional.of(cached);
            }
            Optional<byte[]> bytes = chunks(pk, pointer.get());
            if (bytes.isPresent()) {
                OrganizationData data = OrganizationData.restore(StateJson.read(gunzip(bytes.get()), OrganizationData.Snapshot.class));
                remember(pointer.get().writeId(), data);
                return Optional.of(data);
            }
            // The write was replaced (and its chunks deleted) while it was being read: read the pointer again.
        }
        return Optional.empty();
    }

    private Optional<Pointer> pointer(String pk, String name) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(KitebridgeTable.key(pk, "POINTER#" + name))
                .consistentRead(true)).item();
        if (item == null || item.isEmpty() || KitebridgeTable.expired(item, time.now())) {
            return Optional.empty(); // TTL deletes within a day or two of expiry; until then, reads skip it
        }
        return Optional.of(new Pointer(item.get("write_id").s(), Integer.parseInt(item.get("chunks").n())));
    }

    /** Points {@code name} at a write; the pointer expires with the write's chunks. */
    private void point(String pk, String name, String writeId, int chunks, long expires) {
        Map<String, AttributeValue> item = new HashMap<>(KitebridgeTable.key(pk, "POINTER#" + name));
        item.put("write_id", KitebridgeTable.s(writeId));
        item.put("chunks", KitebridgeTable.n(chunks));
        item.put(KitebridgeTable.EXPIRES_AT, KitebridgeTable.n(expires));
        dynamo.putItem(b -> b.tableName(table).item(item));
    }

    private boolean referenced(String pk, String writeId) {
        for (OrganizationData.Part part : OrganizationData.Part.values()) {
            if (pointer(pk, part.name()).map(p -> p.writeId().equals(writeId)).orElse(false)) {
                return true;
            }
        }
        return pointer(pk, BUILDING).map(p -> p.writeId().equals(writeId)).orElse(false);
    }

    private void forget(String pk, Pointer write) {
        byWriteId.remove(write.writeId());
        for (int i = 0; i < write.chunks(); i++) {
            String sk = "WRITE#" + write.writeId() + "#" + i;
            dynamo.deleteItem(b -> b.tableName(table).key(KitebridgeTable.key(pk, sk)));
        }
    }

    private Optional<byte[]> chunks(String pk, Pointer pointer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < pointer.chunks(); i++) {
            String sk = "WRITE#" + pointer.writeId() + "#" + i;
            Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(KitebridgeTable.key(pk, sk)).consistentRead(true)).item();
            if (item == null || item.isEmpty()) {
                return Optional.empty();
            }
            out.writeBytes(item.get("data").b().asByteArray());
        }
        return Optional.of(out.toByteArray());
    }

    /** Lists the organizations an account has data for, so that it can all be deleted. */
    private static String indexPk(String accountId) {
        return "ACCOUNT#" + accountId + "#ORGDATA";
    }

    private static String pk(String accountId, String organizationSlug) {
        return "ORGDATA#" + accountId + "#" + organizationSlug;
    }

    private static byte[] gzip(String json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static String gunzip(byte[] bytes) {
        try (GZIPInputStream zip = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return new String(zip.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
