package dev.kitebridge.buildkite;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One record and the JSON it was read from, for callers that keep Buildkite's data as received
 * (the directory's {@code remote_data}); {@link Page} is the same for a list.
 */
public record WithJson<T>(T value, JsonNode json) {

    /** The record read from {@code json}. */
    public static <T> WithJson<T> read(JsonNode json, Class<T> type) {
        return new WithJson<>(BuildkiteJson.read(json, type), json);
    }
}
