package dev.kitebridge.state.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
