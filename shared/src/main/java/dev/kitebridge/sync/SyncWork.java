package dev.kitebridge.sync;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.contract.ApiJson;

/** The message a queue carries for a sync worker: {@code {"run_id": "…"}}. */
public final class SyncWork {

    private SyncWork() {}

    public static String message(String runId) {
        return ApiJson.MAPPER.createObjectNode().put("run_id", runId).toString();
    }

    /** @throws IllegalArgumentException for a message that names no run */
    public static String runIdOf(String message) {
        try {
            JsonNode run = ApiJson.MAPPER.readTree(message == null ? "" : message).path("run_id");
            if (run.isTextual() && run.asText().matches("run_[0-9a-f]{32}")) {
                return run.asText();
            }
        } catch (JsonProcessingException e) {
            // answered below
        }
        throw new IllegalArgumentException("a sync message names its run: {\"run_id\": \"run_…\"}");
    }
}
