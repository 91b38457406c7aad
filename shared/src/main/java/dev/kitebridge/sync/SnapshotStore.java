package dev.kitebridge.sync;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What sync runs read, one item per part of a directory record, by account and generation: a run
 * writes the next generation while the last complete one stays as it was, and compares the two
 * item by item in key order, so neither has to fit in memory.
 *
 * <p>A run's scratch (what a pass of changes, or a full run in place, writes into its own
 * generation: see {@link SyncRun#scratchExpiresAt}) is written to expire: DynamoDB's TTL deletes it
 * for free, where a delete costs the write units of the item's size. TTL deletes late (up to two
 * days), so an item whose expiry has passed is neither listed nor got, on the store's clock.
 */
public interface SnapshotStore {

    /**
     * A part of a record: its key orders it beside the other parts of its record (see {@link SnapshotKeys}).
     * A binary field at the top of its data (a marker's packed ids: see {@link InPlace}) is kept as
     * bytes; read back, it may come after the other fields.
     */
    record Item(String key, JsonNode data) {}

    /** Writes items into a generation, never to expire; writing one again replaces it. */
    default void put(String accountId, long generation, List<Item> items) {
        put(accountId, generation, items, null);
    }

    /**
     * Writes items into a generation that expire at {@code expiresAt} (null: never); writing one
     * again replaces it, with the expiry given then.
     */
    void put(String accountId, long generation, List<Item> items, Instant expiresAt);

    /** Items of a generation in key order after {@code afterKey} (null: from the first), at most {@code limit}; none expired. */
    List<Item> list(String accountId, long generation, String afterKey, int limit);

    /**
     * Items of a generation in key order after {@code afterKey} and before {@code beforeKey}
     * (exclusive), at most {@code limit}, none expired: a record or a prefix read without reading past its end
     * (DynamoDB charges a query for every item it reads).
     */
    default List<Item> list(String accountId, long generation, String afterKey, String beforeKey, int limit) {
        return list(accountId, generation, afterKey, limit).stream().filter(i -> i.key().compareTo(beforeKey) < 0).toList();
    }

    /**
     * As {@link #list(String, long, String, String, int)} ({@code beforeKey} null: to the last), of a generation
     * nothing has written into since {@code writtenBefore} but what the caller can read as it was before the write
     * (a run's base generation, before its own PUBLISH: see {@link SyncRun#baseWrittenBefore}): where that was long enough
     * ago, an adapter may read it as of a moment since then rather than this very one (DynamoDB: an eventually
     * consistent read, half the read units). {@code writtenBefore} null: read as {@code list} does.
     */
    default List<Item> listSettled(String accountId, long generation, String afterKey, String beforeKey, Instant writtenBefore, int limit) {
        return beforeKey == null ? list(accountId, generation, afterKey, limit) : list(accountId, generation, afterKey, beforeKey, limit);
    }

    /** Every item of a generation whose key begins with {@code prefix}, in key order, read in pages. */
    default List<Item> prefixed(String accountId, long generation, String prefix) {
        // Up to prefix + "~": after every key under it (keys are ids, slashes and letters).
        return between(accountId, generation, prefix, prefix + "~").stream().filter(i -> i.key().startsWith(prefix)).toList();
    }

    /**
     * Every item of a generation after {@code afterKey} and before {@code beforeKey} (null: from the first, to the
     * last), in key order, read in pages.
     */
    default List<Item> between(String accountId, long generation, String afterKey, String beforeKey) {
        List<Item> items = new java.util.ArrayList<>();
        String after = afterKey;
        while (true) {
            List<Item> page = beforeKey == null ? list(accountId, generation, after, 500) : list(accountId, generation, after, beforeKey, 500);
            items.addAll(page);
            if (page.size() < 500) {
                return items;
            }
            after = page.get(page.size() - 1).key();
        }
    }

    /**
     * The items of a generation with these keys, those that are there and not expired (in no particular order): a
     * run looks up each page it reads in the account's current generation, to write only what changed.
     */
    List<Item> get(String accountId, long generation, java.util.Collection<String> keys);

    /** Removes items of a generation. */
    void delete(String accountId, long generation, List<String> keys);

    /** Every item of one record in a generation: the record's own key and its parts ({@code KEY/...}). */
    default List<Item> record(String accountId, long generation, String recordKey) {
        List<Item> items = new java.util.ArrayList<>();
        String after = recordKey.substring(0, recordKey.length() - 1); // sorts just before the record's first item
        String end = recordKey + "/~"; // after the record's last part
        while (true) {
            List<Item> page = list(accountId, generation, after, end, 100);
            for (Item item : page) {
                if (item.key().equals(recordKey) || item.key().startsWith(recordKey + "/")) {
                    items.add(item);
                } else if (item.key().compareTo(recordKey) > 0) {
                    return items;
                }
            }
            if (page.size() < 100) {
                return items;
            }
            after = page.get(page.size() - 1).key();
        }
    }
}
