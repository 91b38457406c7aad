package dev.kitebridge.state.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.events.EventLog;
import dev.kitebridge.state.EventLogContract;

class DynamoDbEventLogTest extends EventLogContract {

    private final Dynalite.Table table = Dynalite.get().newTable();
    private final DynamoDbEventLog store = new DynamoDbEventLog(table.client(), table.name());

    @Override
    protected EventLog store() {
        return store;
    }

    @Test
    void anEventIsKeptThirtyDaysFromWhenItWasFound() {
        Instant found = Instant.parse("2026-11-25T12:00:00Z");
        store.put("acct-1", List.of(new ChangeEvent("evt-1", ChangeEvent.USER_CREATED, "tenant-1", "acct-1", found,
                JsonNodeFactory.instance.objectNode(), null, "000000000001/10/o/org/u/user-1")));
        var item = table.client().getItem(b -> b.tableName(table.name())
                .key(KitebridgeTable.key("EVENTS#acct-1", "000000000001/10/o/org/u/user-1"))).item();
        assertEquals(Long.toString(found.plus(DynamoDbEventLog.RETENTION).getEpochSecond()), item.get(KitebridgeTable.EXPIRES_AT).n());
    }

    @Test
    void anEventIsKeptGzippedAndOneWrittenAsTextBeforeThatIsStillRead() {
        Instant found = Instant.parse("2026-11-25T12:00:00Z");
        var data = JsonNodeFactory.instance.objectNode().put("name", "x".repeat(1_500));
        var before = JsonNodeFactory.instance.objectNode().put("name", "y");
        ChangeEvent event = new ChangeEvent("evt-2", ChangeEvent.USER_UPDATED, "tenant-1", "acct-1", found, data, before, "000000000001/10/o/org/u/user-2");
        store.put("acct-1", List.of(event));
        var item = table.client().getItem(b -> b.tableName(table.name()).key(KitebridgeTable.key("EVENTS#acct-1", event.position()))).item();
        assertTrue(item.get("event_gz").b().asByteArray().length < 1_024, "under a write unit: " + item.get("event_gz").b().asByteArray().length);
        assertEquals(List.of(event), store.list("acct-1", null, null, 10));

        // As a version before gzip wrote it: the event's JSON as text, which the log still reads (events are kept 30 days).
        table.client().putItem(b -> b.tableName(table.name()).item(java.util.Map.of(KitebridgeTable.PK, KitebridgeTable.s("EVENTS#acct-1"),
                KitebridgeTable.SK, KitebridgeTable.s(event.position()), "event", KitebridgeTable.s(StateJson.write(event)))));
        assertEquals(List.of(event), store.list("acct-1", null, null, 10));
    }
}
