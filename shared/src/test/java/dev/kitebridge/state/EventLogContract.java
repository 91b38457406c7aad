package dev.kitebridge.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.events.EventLog;

/** What every EventLog adapter must do; each adapter's test extends this. */
public abstract class EventLogContract {

    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00.123456789Z");

    protected abstract EventLog store();

    /** A position as the sync engine makes them: the run's ordinal, the event's rank, the record's key. */
    private static String position(long ordinal, int rank, String key) {
        return String.format(Locale.ROOT, "%012d/%02d/%s", ordinal, rank, key);
    }

    private static String firstOfRun(long ordinal) {
        return String.format(Locale.ROOT, "%012d/", ordinal);
    }

    private static ChangeEvent event(String account, String position) {
        return new ChangeEvent("evt-" + position, ChangeEvent.USER_CREATED, "tenant-1", account, T0,
                JsonNodeFactory.instance.objectNode().put("id", position), null, position);
    }

    /** {@code perRun} events in each of runs 1 to {@code runs}, shuffled. */
    private static List<ChangeEvent> events(String account, int runs, int perRun) {
        List<ChangeEvent> events = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            for (int i = 0; i < perRun; i++) {
                events.add(event(account, position(run, i % 2 == 0 ? 10 : 50, "o/acme/u/user-" + String.format("%03d", i))));
            }
        }
        Collections.shuffle(events, new Random(7));
        return events;
    }

    private static List<String> positions(List<ChangeEvent> events) {
        return events.stream().map(ChangeEvent::position).toList();
    }

    private static List<String> sorted(List<ChangeEvent> events) {
        List<String> sorted = new ArrayList<>(positions(events));
        Collections.sort(sorted);
        return sorted;
    }

    @Test
    void eventsAreListedInPositionOrderBelowTheBound() {
        List<ChangeEvent> written = events("acct-1", 3, 40); // 120 events in one write: more than a batch holds
        store().put("acct-1", written);
        List<String> all = sorted(written);

        assertEquals(all, positions(store().list("acct-1", null, firstOfRun(4), 1000)));
        assertEquals(all.subList(0, 80), positions(store().list("acct-1", null, firstOfRun(3), 1000)), "runs 1 and 2 only");
        assertEquals(all.subList(0, 5), positions(store().list("acct-1", null, firstOfRun(3), 5)));

        List<String> paged = new ArrayList<>();
        String after = null;
        for (List<ChangeEvent> page = store().list("acct-1", null, firstOfRun(3), 9); !page.isEmpty();
             page = store().list("acct-1", after, firstOfRun(3), 9)) {
            assertTrue(page.size() <= 9);
            paged.addAll(positions(page));
            after = page.get(page.size() - 1).position();
        }
        assertEquals(all.subList(0, 80), paged, "page by page, each page after the last one's position");
    }

    @Test
    void afterAndBeforeAreExclusiveAndNeedNotBeStored() {
        String a = position(1, 10, "o/acme/u/a");
        String b = position(1, 10, "o/acme/u/b");
        String c = position(1, 50, "o/acme/u/a/t/team-1");
        String d = position(2, 10, "o/acme/u/d");
        store().put("acct-1", List.of(event("acct-1", d), event("acct-1", b), event("acct-1", c), event("acct-1", a)));

        assertEquals(List.of(b, c), positions(store().list("acct-1", a, d, 10)));
        assertEquals(List.of(b), positions(store().list("acct-1", a, c, 10)));
        assertEquals(List.of(c), positions(store().list("acct-1", position(1, 20, ""), firstOfRun(2), 10)));
        assertEquals(List.of(a, b, c), positions(store().list("acct-1", null, firstOfRun(2), 10)));
        assertEquals(List.of(d), positions(store().list("acct-1", c, firstOfRun(3), 10)));
        assertTrue(store().list("acct-1", b, b, 10).isEmpty(), "nothing is both after and before a position");
        assertTrue(store().list("acct-1", d, firstOfRun(2), 10).isEmpty(), "a reader ahead of the bound gets nothing (not an error)");
        assertTrue(store().list("acct-1", null, firstOfRun(1), 10).isEmpty());
    }

    @Test
    void writingAnEventAgainReplacesIt() {
        List<ChangeEvent> run = events("acct-1", 1, 30);
        store().put("acct-1", run);
        store().put("acct-1", run); // a resumed run writes the same events again

        ChangeEvent first = event("acct-1", sorted(run).get(0));
        ChangeEvent changed = new ChangeEvent(first.id(), ChangeEvent.USER_UPDATED, first.tenantId(), first.integratedAccountId(),
                T0.plusSeconds(1), JsonNodeFactory.instance.objectNode().put("name", "new"),
                JsonNodeFactory.instance.objectNode().put("name", "old"), first.position());
        store().put("acct-1", List.of(changed));

        List<ChangeEvent> listed = store().list("acct-1", null, firstOfRun(2), 100);
        assertEquals(sorted(run), positions(listed));
        assertEquals(changed, listed.get(0));
    }

    @Test
    void deletingRemovesOnlyThoseEventsOfThatAccount() {
        List<ChangeEvent> mine = events("acct-1", 2, 30);
        store().put("acct-1", mine);
        store().put("acct-2", events("acct-2", 2, 30));

        List<String> held = sorted(mine).subList(30, 60); // run 2's
        store().delete("acct-1", held);
        store().delete("acct-1", List.of(position(9, 90, "o/acme/u/nobody")));
        store().delete("acct-1", List.of());
        store().put("acct-1", List.of());

        assertEquals(sorted(mine).subList(0, 30), positions(store().list("acct-1", null, firstOfRun(3), 100)));
        assertEquals(60, store().list("acct-2", null, firstOfRun(3), 100).size(), "another account's log is untouched");
    }

    @Test
    void accountsHaveLogsOfTheirOwn() {
        String p = position(1, 10, "o/acme/u/a");
        store().put("acct-1", List.of(event("acct-1", p)));
        store().put("acct-11", List.of(event("acct-11", p)));
        assertEquals(List.of(event("acct-1", p)), store().list("acct-1", null, firstOfRun(2), 10));
        assertEquals(List.of(event("acct-11", p)), store().list("acct-11", null, firstOfRun(2), 10));
        assertTrue(store().list("acct-2", null, firstOfRun(2), 10).isEmpty());
    }

    @Test
    void everyFieldOfAnEventRoundTrips() {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("id", "user-1").put("name", "Zoë Núñez 山田 🚀").put("admin", true).putNull("avatar_url");
        data.putArray("groups").addObject().put("id", "team-1").put("role", "maintainer");
        ObjectNode previous = JsonNodeFactory.instance.objectNode().put("name", "Zoe").put("admin", false);
        ChangeEvent updated = new ChangeEvent("evt-updated", ChangeEvent.USER_UPDATED, "tenant-1", "acct-1", T0, data, previous,
                position(1, 40, "o/acme/u/user-1"));
        ChangeEvent created = new ChangeEvent("evt-created", ChangeEvent.USER_CREATED, "tenant-1", "acct-1", T0.plusNanos(1), data, null,
                position(1, 10, "o/acme/u/user-1"));
        store().put("acct-1", List.of(updated, created));

        List<ChangeEvent> read = store().list("acct-1", null, firstOfRun(2), 10);
        assertEquals(List.of(created, updated), read);
        assertNull(read.get(0).previousAttributes(), "no previous attributes stay none (not a JSON null)");
        assertEquals(previous, read.get(1).previousAttributes());
        assertEquals(T0, read.get(1).createdAt());
    }
}
