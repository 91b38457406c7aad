package dev.kitebridge.buildkite.graphql;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.buildkite.BuildkiteJson;

/**
 * One page of a GraphQL connection: {@code count} is the whole list's size, {@code endCursor} the
 * cursor to ask for the next page with.
 */
public record Connection<T>(int count, List<T> nodes, List<JsonNode> raw, boolean hasNextPage, String endCursor) {

    public Connection {
        nodes = List.copyOf(nodes);
        raw = List.copyOf(raw);
    }

    /** The cursor for the next page, or empty on the last. */
    public Optional<String> next() {
        return hasNextPage && endCursor != null ? Optional.of(endCursor) : Optional.empty();
    }

    static <T> Connection<T> from(JsonNode connection, Class<T> type) {
        List<T> nodes = new ArrayList<>();
        List<JsonNode> raw = new ArrayList<>();
        for (JsonNode edge : connection.path("edges")) {
            JsonNode node = edge.path("node");
            if (node.isObject()) {
                nodes.add(BuildkiteJson.read(node, type));
                raw.add(node);
            }
        }
        JsonNode pageInfo = connection.path("pageInfo");
        return new Connection<>(connection.path("count").asInt(nodes.size()), nodes, raw,
                pageInfo.path("hasNextPage").asBoolean(false),
                pageInfo.path("endCursor").isTextual() ? pageInfo.path("endCursor").asText() : null);
    }
}
