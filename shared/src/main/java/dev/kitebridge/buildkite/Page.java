package dev.kitebridge.buildkite;

import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One page of a REST list: the records, the JSON each was read from (for callers that keep
 * Buildkite's data as received), and the request for the next page, absent on the last.
 */
public record Page<T>(List<T> items, List<JsonNode> raw, Optional<PageRequest> next) {

    public Page {
        items = List.copyOf(items);
        raw = List.copyOf(raw);
        if (items.size() != raw.size()) {
            throw new IllegalArgumentException("every item needs its JSON");
        }
    }

    public boolean isLast() {
        return next.isEmpty();
    }
}
