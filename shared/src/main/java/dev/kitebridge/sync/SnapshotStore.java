package dev.kitebridge.sync;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What sync runs read, one item per part of a directory record, by account and generation: a run
 * writes the next generation while the last complete one stays as it was, and compares the two
 * item by item in key order, so neither has to fit in memory.
 */
public interface SnapshotStore {

    /** A part of a record: its key orders it beside the other parts of its record (see {@link SnapshotKeys}). */
    record Item(String key, JsonNode data) {}

    /** Writes items into a generation; writing one again replaces it. */
    void put(String accountId, long generation, List<Item> items);

    /** Items of a generation in key order after {@code afterKey} (null: from the first), at most {@code limit}. */
    List<Item> list(String accountId, long generation, String afterKey, int limit);

    /**
     * The items of a generation with these keys, those that are there (in no particular order): a
     * run looks up each page it reads in the account's current generation, to write only what changed.
     */
    List<Item> get(String accountId, long generation, java.util.Collection<String> keys);

    /** Removes items of a generation. */
    void delete(String accountId, long generation, List<String> keys);

    /** Every item of one record in a generation: the record's own key and its parts ({@code KEY/...}). */
    default List<Item> record(String accountId, long generation, String recordKey) {
        List<Item> items = new java.util.ArrayList<>();
        String after = recordKey.substring(0, recordKey.length() - 1); // sorts just before the record's first item
        while (true) {
            List<Item> page = list(accountId, generation, after, 100);
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
