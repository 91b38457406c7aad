package dev.kitebridge.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.LogCapture;
import dev.kitebridge.contract.ApiJson;
import dev.kitebridge.logging.JsonLogFormatter;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.state.memory.InMemorySnapshotStore;

/** A sync attempt that fails leaves one log line, with its stack, and the run record its short error. */
class SyncFailureLogTest {

    @Test
    void eachFailedAttemptIsOneLineWithItsStackAndTheLastEndsTheRun() throws Exception {
        InMemorySnapshotStore kept = new InMemorySnapshotStore();
        SnapshotStore failing = new SnapshotStore() {
            @Override
            public void put(String accountId, long generation, List<Item> items, java.time.Instant expiresAt) {
                throw new IllegalStateException("the snapshot table is unreachable", new RuntimeException("connect timed out"));
            }

            @Override
            public List<Item> list(String accountId, long generation, String afterKey, int limit) {
                return kept.list(accountId, generation, afterKey, limit);
            }

            @Override
            public List<Item> get(String accountId, long generation, java.util.Collection<String> keys) {
                return kept.get(accountId, generation, keys);
            }

            @Override
            public void delete(String accountId, long generation, List<String> keys) {
                kept.delete(accountId, generation, keys);
            }
        };
        try (Sandbox sandbox = SyncFixture.sandbox(20, 2);
             SyncFixture fixture = new SyncFixture(sandbox, failing)) {
            String runId = fixture.service.start(SyncFixture.TENANT, SyncFixture.ACCOUNT, "api").run().id();
            for (int attempt = 1; attempt <= SyncRunner.MAX_FAILED_ATTEMPTS; attempt++) {
                try (LogCapture logs = LogCapture.of(new JsonLogFormatter(), "dev.kitebridge")) {
                    SyncRunner.Outcome outcome = fixture.runner.work(runId, "worker-" + attempt, fixture.time.now().plus(Duration.ofMinutes(1)));

                    assertEquals(SyncRunner.Outcome.Kind.LATER, outcome.kind());
                    List<JsonNode> failures = failures(logs);
                    assertEquals(1, failures.size(), "one line for the attempt: " + logs.lines());
                    JsonNode line = failures.get(0);
                    boolean last = attempt == SyncRunner.MAX_FAILED_ATTEMPTS;
                    assertEquals(last ? "ERROR" : "WARN", line.get("level").asText());
                    assertEquals(SyncRunner.class.getName(), line.get("logger").asText());
                    String message = line.get("message").asText();
                    assertTrue(message.startsWith("sync run " + runId + " of account " + SyncFixture.ACCOUNT + ": an attempt failed ("
                            + attempt + " in a row)"), message);
                    assertTrue(!last || message.endsWith("the run ends as failed"), message);
                    assertEquals("java.lang.IllegalStateException", line.get("exception").asText());
                    String stack = line.get("stack").asText();
                    assertTrue(stack.startsWith("java.lang.IllegalStateException: the snapshot table is unreachable"), stack);
                    assertTrue(stack.contains("\tat dev.kitebridge.sync.SnapshotSink"), stack);
                    assertTrue(stack.contains("Caused by: java.lang.RuntimeException: connect timed out"), stack);
                }
            }
            // The run keeps its short error, as before; the log has the rest.
            SyncRun run = fixture.syncs.run(runId).orElseThrow();
            assertEquals(SyncRun.Status.FAILED, run.status());
            assertEquals("gave up after 5 failed attempts in a row; the last: an internal error (IllegalStateException)", run.error());
        }
    }

    /** The lines of failures: a warning or worse (the client's debug lines of its calls are captured too), each with a stack. */
    private static List<JsonNode> failures(LogCapture logs) throws Exception {
        List<JsonNode> lines = new java.util.ArrayList<>();
        for (String text : logs.lines()) {
            JsonNode line = ApiJson.MAPPER.readTree(text);
            if (line.has("stack") || List.of("WARN", "ERROR").contains(line.get("level").asText())) {
                lines.add(line);
            }
        }
        return lines;
    }
}
