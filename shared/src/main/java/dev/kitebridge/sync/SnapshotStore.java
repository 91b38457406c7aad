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

    /** Removes items of a generation. */
    void delete(String accountId, long generation, List<String> keys);
}
