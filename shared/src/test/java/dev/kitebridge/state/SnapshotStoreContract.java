package dev.kitebridge.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kitebridge.VirtualTime;
import dev.kitebridge.sync.SnapshotKeys;
import dev.kitebridge.sync.SnapshotStore.Item;
import dev.kitebridge.sync.SnapshotStore;

/** What every SnapshotStore adapter must do; each adapter's test extends this. */
public abstract class SnapshotStoreContract {

    /** The clock the adapter's store judges expiry on (each adapter's test makes its store with it). */
    protected final VirtualTime clock = new VirtualTime();

    protected abstract SnapshotStore store();

    private static Item item(String key, String name) {
        return new Item(key, JsonNodeFactory.instance.objectNode().put("name", name));
    }

    /** A user's parts and a team, in the order a run reads them, not the order they sort in. */
    private static List<Item> organization(String org, int users) {
        List<Item> items = new ArrayList<>();
        for (int i = users - 1; i >= 0; i--) {
            String user = "user-" + String.format("%03d", i);
            items.add(item(SnapshotKeys.member(org, user), "member " + i));
            items.add(item(SnapshotKeys.profile(org, user), "profile " + i));
            items.add(item(SnapshotKeys.membership(org, user, "team-1"), "in team-1"));
        }
        items.add(item(SnapshotKeys.group(org, "team-1"), "Platform"));
        return items;
    }

    private static List<String> keys(List<Item> items) {
        return items.stream().map(Item::key).toList();
    }

    /** Every item of a generation, page by page. */
    private List<Item> all(String account, long generation, int pageSize) {
        List<Item> all = new ArrayList<>();
        String after = null;
        for (List<Item> page = store().list(account, generation, null, pageSize); !page.isEmpty();
             page = store().list(account, generation, after, pageSize)) {
            assertTrue(page.size() <= pageSize, "at most the limit");
            all.addAll(page);
            after = page.get(page.size() - 1).key();
        }
        return all;
    }

    @Test
    void aGenerationIsListedInKeyOrderPageByPage() {
        List<Item> written = organization("acme", 40); // 121 items: more than a batch of writes holds
        store().put("acct-1", 1, written);

        List<String> sorted = new ArrayList<>(keys(written));
        Collections.sort(sorted);
        assertEquals(sorted, keys(all("acct-1", 1, 7)));
        assertEquals(sorted, keys(store().list("acct-1", 1, null, 1000)));
        assertEquals(SnapshotKeys.group("acme", "team-1"), sorted.get(0), "teams sort before members");
        assertEquals(sorted.subList(0, 3), keys(store().list("acct-1", 1, null, 3)));
    }

    @Test
    void aListStartsAfterItsKeyWhetherOrNotThatKeyIsStored() {
        store().put("acct-1", 1, List.of(item("o/acme/u/a/g", "a"), item("o/acme/u/b/g", "b"), item("o/acme/u/c/g", "c")));
        assertEquals(List.of("o/acme/u/b/g", "o/acme/u/c/g"), keys(store().list("acct-1", 1, "o/acme/u/a/g", 10)));
        assertEquals(List.of("o/acme/u/b/g", "o/acme/u/c/g"), keys(store().list("acct-1", 1, "o/acme/u/a/m", 10)),
                "after a key that is not stored: from the next one");
        assertEquals(List.of("o/acme/u/a/g", "o/acme/u/b/g"), keys(store().list("acct-1", 1, "o/acme/", 2)));
        assertTrue(store().list("acct-1", 1, "o/acme/u/c/g", 10).isEmpty());
        assertTrue(store().list("acct-1", 1, "o/zeta/", 10).isEmpty());
    }

    /** A record or a prefix is read up to its end and no further: DynamoDB charges for every item a query reads. */
    @Test
    void aListStopsBeforeItsEndKeyAndARecordOrPrefixReadsNothingPastIt() {
        store().put("acct-1", 1, organization("acme", 30));
        store().put("acct-1", 1, List.of(item("o/acme/t/team-1/user-001", "entry"), item("o/acme/t/team-2/user-002", "entry")));
        assertEquals(List.of("o/acme/u/user-001/g", "o/acme/u/user-001/m", "o/acme/u/user-001/t/team-1"),
                keys(store().list("acct-1", 1, "o/acme/u/user-000/~", "o/acme/u/user-001/~", 100)));
        assertEquals(List.of("o/acme/g/team-1"), keys(store().list("acct-1", 1, null, "o/acme/g/team-1/", 100)));
        assertTrue(store().list("acct-1", 1, "o/acme/u/user-002", "o/acme/u/user-001", 10).isEmpty(), "an end before the start");
        assertEquals(keys(store().list("acct-1", 1, "o/acme/u/user-004", 3)).subList(0, 3),
                keys(store().list("acct-1", 1, "o/acme/u/user-004", "o/acme/u/user-009", 3)), "at most the limit");
        assertEquals(List.of("o/acme/t/team-1/user-001"), keys(store().prefixed("acct-1", 1, "o/acme/t/team-1/")));
        assertEquals(List.of("o/acme/u/user-007/g", "o/acme/u/user-007/m", "o/acme/u/user-007/t/team-1"),
                keys(store().record("acct-1", 1, "o/acme/u/user-007")));
    }

    @Test
    void writingAnItemAgainReplacesIt() {
        store().put("acct-1", 1, List.of(item("o/acme/g/t1", "before"), item("o/acme/g/t2", "kept")));
        store().put("acct-1", 1, List.of(item("o/acme/g/t1", "after")));
        assertEquals(List.of(item("o/acme/g/t1", "after"), item("o/acme/g/t2", "kept")), store().list("acct-1", 1, null, 10));

        store().put("acct-1", 1, List.of(item("o/acme/g/t3", "first"), item("o/acme/g/t3", "last")));
        assertEquals(item("o/acme/g/t3", "last"), store().list("acct-1", 1, "o/acme/g/t2", 10).get(0),
                "of one write's items with the same key, the last is kept");
    }

    @Test
    void deletingRemovesOnlyThoseItemsOfThatGeneration() {
        List<Item> written = organization("acme", 20);
        store().put("acct-1", 1, written);
        store().put("acct-1", 2, written);

        List<String> gone = keys(written).stream().filter(key -> key.endsWith("/m")).toList(); // 20 members
        store().delete("acct-1", 1, gone);
        store().delete("acct-1", 1, List.of("o/acme/u/nobody/g", gone.get(0)));
        store().delete("acct-1", 1, List.of());
        store().put("acct-1", 1, List.of());

        List<String> left = keys(all("acct-1", 1, 50));
        assertEquals(written.size() - gone.size(), left.size());
        assertTrue(left.stream().noneMatch(gone::contains), left.toString());
        assertEquals(written.size(), all("acct-1", 2, 50).size(), "generation 2 is untouched");
    }

    @Test
    void generationsAndAccountsAreSeparate() {
        store().put("acct-1", 1, List.of(item("o/acme/g/t1", "acct-1 gen 1")));
        store().put("acct-1", 2, List.of(item("o/acme/g/t1", "acct-1 gen 2")));
        store().put("acct-1", 12, List.of(item("o/acme/g/t1", "acct-1 gen 12")));
        store().put("acct-11", 2, List.of(item("o/acme/g/t1", "acct-11 gen 2")));

        assertEquals(List.of(item("o/acme/g/t1", "acct-1 gen 1")), store().list("acct-1", 1, null, 10));
        assertEquals(List.of(item("o/acme/g/t1", "acct-1 gen 2")), store().list("acct-1", 2, null, 10));
        assertEquals(List.of(item("o/acme/g/t1", "acct-1 gen 12")), store().list("acct-1", 12, null, 10));
        assertEquals(List.of(item("o/acme/g/t1", "acct-11 gen 2")), store().list("acct-11", 2, null, 10));
        assertTrue(store().list("acct-1", 3, null, 10).isEmpty(), "a generation never written is empty");
        assertTrue(store().list("acct-2", 1, null, 10).isEmpty());
    }

    @Test
    void itemDataRoundTrips() {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("name", "Zoë Núñez 山田 \"quoted\" \\ 🚀").put("count", 12_345_678_901L).put("ratio", 0.25).put("admin", true)
                .putNull("email");
        data.putArray("teams").add("t1").addObject().put("role", "MAINTAINER");
        data.putObject("nested").putObject("deeper").putArray("empty");
        store().put("acct-1", 1, List.of(new Item("o/acme/u/user-1/g", data)));
        JsonNode read = store().list("acct-1", 1, null, 1).get(0).data();
        assertEquals(data, read);
    }

    /**
     * A binary field reads back as bytes, equal to what was written, from every read. (Only an adapter that stores the
     * item as text, DynamoDB's, can fail it: the in-memory one keeps the item as written.)
     */
    @Test
    void anItemsBinaryFieldsRoundTripAsBytes() {
        byte[] bytes = new byte[1_600];
        new Random(7).nextBytes(bytes);
        ObjectNode data = JsonNodeFactory.instance.objectNode().put("o", "acme").put("u", bytes).put("p", "m");
        store().put("acct-1", 1, List.of(new Item("~seen/acme/m/-/abc", data)), null);
        for (Item read : List.of(store().list("acct-1", 1, null, 1).get(0), store().get("acct-1", 1, List.of("~seen/acme/m/-/abc")).get(0),
                store().prefixed("acct-1", 1, "~seen/").get(0))) {
            assertEquals(data, read.data(), "(in any order)");
            assertTrue(read.data().get("u").isBinary(), "bytes, as written");
        }
    }

    @Test
    void aListReachesItsLimitAcrossDynamoDbsOneMegabytePages() {
        // 300 items of 5 KB (the most a snapshot item holds is a few KB): 1.5 MB, more than one Query answers.
        String filler = new Random(1).ints(5_000, 'a', 'z' + 1).collect(StringBuilder::new, StringBuilder::appendCodePoint,
                StringBuilder::append).toString();
        List<Item> big = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            big.add(new Item(SnapshotKeys.profile("acme", String.format("user-%04d", i)),
                    JsonNodeFactory.instance.objectNode().put("i", i).put("filler", filler)));
        }
        store().put("acct-1", 1, big);
        assertEquals(keys(big), keys(store().list("acct-1", 1, null, 300)));
        assertEquals(keys(big), keys(store().list("acct-1", 1, null, 1000)));
        assertEquals(keys(big.subList(11, 261)), keys(store().list("acct-1", 1, big.get(10).key(), 250)));
    }

    @Test
    void aBatchGetFindsTheItemsThatAreThereAcrossManyCallsOfAHundred() {
        List<Item> written = organization("acme", 90); // 271 items: three calls of 100 keys
        store().put("acct-1", 1, written);
        store().put("acct-1", 2, List.of(item(SnapshotKeys.group("acme", "team-1"), "another generation")));
        List<String> asked = new ArrayList<>(keys(written));
        asked.add(SnapshotKeys.member("acme", "nobody"));
        asked.add(asked.get(0)); // a key asked twice is found once
        Collections.shuffle(asked, new Random(3));

        List<Item> found = new ArrayList<>(store().get("acct-1", 1, asked));
        found.sort(java.util.Comparator.comparing(Item::key));
        List<Item> expected = new ArrayList<>(written);
        expected.sort(java.util.Comparator.comparing(Item::key));
        assertEquals(expected, found);
        assertEquals(List.of(item(SnapshotKeys.group("acme", "team-1"), "another generation")),
                store().get("acct-1", 2, List.of(SnapshotKeys.group("acme", "team-1"), SnapshotKeys.group("acme", "team-2"))));
        assertTrue(store().get("acct-1", 3, asked).isEmpty(), "a generation never written has nothing");
        assertTrue(store().get("acct-1", 1, List.of()).isEmpty());
    }

    /**
     * A run's scratch expires (DynamoDB's TTL deletes it late, up to two days): once its expiry has
     * passed, an item is neither listed nor got, whatever page or range is asked; an item written to
     * never expire stays; a page's limit counts the items it returns, so a short page still means the end.
     */
    @Test
    void anItemWhoseExpiryHasPassedIsNeitherListedNorGot() {
        Instant expires = clock.now().plus(Duration.ofDays(2));
        List<Item> scratch = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            scratch.add(item(SnapshotKeys.profile("acme", String.format("user-%03d", i)), "scratch " + i));
        }
        store().put("acct-1", 5, scratch, expires);
        Item kept = item(SnapshotKeys.profile("acme", "user-015a"), "kept"); // sorts among them
        store().put("acct-1", 5, List.of(kept));
        store().put("acct-1", 6, List.of(item(SnapshotKeys.profile("acme", "user-000"), "another generation")), expires.plusSeconds(3600));

        clock.advance(Duration.ofDays(2).minusSeconds(1));
        assertEquals(31, store().list("acct-1", 5, null, 100).size(), "not yet expired");
        assertEquals(30, store().get("acct-1", 5, keys(scratch)).size());

        clock.advance(Duration.ofSeconds(1));
        assertEquals(List.of(kept), store().list("acct-1", 5, null, 100));
        assertEquals(List.of(kept), store().list("acct-1", 5, null, 1), "a page of one: the first item not expired");
        assertEquals(List.of(kept), store().list("acct-1", 5, SnapshotKeys.profile("acme", "user-000"), 10));
        assertEquals(List.of(kept), store().list("acct-1", 5, null, SnapshotKeys.profile("acme", "user-999"), 10));
        assertEquals(List.of(kept), store().prefixed("acct-1", 5, SnapshotKeys.organization("acme")));
        assertTrue(store().get("acct-1", 5, keys(scratch)).isEmpty());
        assertEquals(List.of(kept), store().get("acct-1", 5, List.of(scratch.get(0).key(), kept.key())));
        assertEquals(1, store().list("acct-1", 6, null, 10).size(), "an expiry of its own, not yet passed");

        store().put("acct-1", 5, List.of(scratch.get(3)));
        assertEquals(List.of(scratch.get(3), kept), store().list("acct-1", 5, null, 100), "written again: the expiry given then");
    }
}
