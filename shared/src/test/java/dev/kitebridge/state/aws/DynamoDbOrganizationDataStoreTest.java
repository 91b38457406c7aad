package dev.kitebridge.state.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import dev.kitebridge.directory.orgdata.OrganizationData;
import dev.kitebridge.directory.orgdata.OrganizationDataStore;
import dev.kitebridge.state.OrganizationDataStoreContract;
import dev.kitebridge.time.TimeSource;

class DynamoDbOrganizationDataStoreTest extends OrganizationDataStoreContract {

    private final Dynalite.Table table = Dynalite.get().newTable();

    /** A fresh store per read, so that every read goes to DynamoDB rather than the process's cache. */
    @Override
    protected OrganizationDataStore store() {
        return new DynamoDbOrganizationDataStore(table.client(), table.name(), TimeSource.SYSTEM);
    }

    private List<Map<String, AttributeValue>> items() {
        return table.client().scan(b -> b.tableName(table.name())).items();
    }

    @Test
    void writesNoPointerReadsAnyMoreAreDeleted() {
        store().save(data("acct-5", 30, true, false));
        store().save(data("acct-5", 40, true, false));
        store().save(data("acct-5", 50, true, true));
        store().save(data("acct-5", 60, true, true));
        long writes = items().stream().map(i -> i.get("sk").s()).filter(sk -> sk.startsWith("WRITE#"))
                .map(sk -> sk.substring(0, sk.lastIndexOf('#'))).distinct().count();
        assertEquals(1, writes, "only the newest complete write is left: " + items());
        assertEquals(60, store().complete("acct-5", "acme", OrganizationData.Part.PROFILES).orElseThrow().profileCount());
    }

    @Test
    void everythingExpiresAndExpiredItemsAreNotRead() {
        store().save(data("acct-6", 30, true, false));
        assertTrue(items().stream().allMatch(i -> i.containsKey(KitebridgeTable.EXPIRES_AT)),
                "chunks, pointers and the index all expire, so what an unlink or a rotate races with goes too: " + items());
        TimeSource later = TimeSource.fixed(Instant.now().plus(DynamoDbOrganizationDataStore.CHUNK_LIFETIME).plus(Duration.ofMinutes(1)));
        DynamoDbOrganizationDataStore afterExpiry = new DynamoDbOrganizationDataStore(table.client(), table.name(), later);
        assertTrue(afterExpiry.complete("acct-6", "acme", OrganizationData.Part.PROFILES).isEmpty(), "TTL may not have run yet");
        assertTrue(afterExpiry.building("acct-6", "acme").isEmpty());
    }
}
