package dev.kitebridge.functions.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.buildkite.ratelimit.InMemoryRateLimitGovernor;
import dev.kitebridge.contract.ApiJson;
import dev.kitebridge.events.EventFeed;
import dev.kitebridge.logging.JsonLogFormatter;
import dev.kitebridge.state.memory.InMemoryAccountStore;
import dev.kitebridge.state.memory.InMemoryEventLog;
import dev.kitebridge.state.memory.InMemorySnapshotStore;
import dev.kitebridge.state.memory.InMemoryTokenVault;
import dev.kitebridge.sync.SyncRunner;
import dev.kitebridge.sync.SyncService;
import dev.kitebridge.sync.SyncStore;
import dev.kitebridge.sync.SyncWork;
import dev.kitebridge.time.TimeSource;
import dev.kitebridge.webhooks.WebhookRounds;

/** A message the worker cannot work on is a failed item for SQS, and one log line with its stack. */
class SyncWorkerHandlerTest {

    private static final String RUN = "run_0123456789abcdef0123456789abcdef";

    @Test
    void aFailedItemIsReportedToSqsAndLoggedOnceWithItsStack() throws Exception {
        // Every read of the sync state fails, as it would with DynamoDB out of reach.
        SyncStore unreachable = (SyncStore) Proxy.newProxyInstance(SyncStore.class.getClassLoader(), new Class<?>[] {SyncStore.class},
                (proxy, method, args) -> {
                    throw new IllegalStateException("the sync table is unreachable");
                });
        InMemoryAccountStore accounts = new InMemoryAccountStore();
        BuildkiteAccess access = new BuildkiteAccess(accounts, new InMemoryTokenVault(), new InMemoryRateLimitGovernor(),
                new BuildkiteAccess.Endpoints(URI.create("http://127.0.0.1:9/v2"), URI.create("http://127.0.0.1:9/graphql")), TimeSource.SYSTEM);
        SyncRunner runner = new SyncRunner(access, unreachable, new InMemorySnapshotStore(), new InMemoryEventLog(), TimeSource.SYSTEM, 0.2);
        SyncService syncs = new SyncService(accounts, unreachable, (runId, delay) -> { }, new EventFeed(new InMemoryEventLog(), unreachable),
                new dev.kitebridge.state.memory.InMemoryCursorStore(), TimeSource.SYSTEM);
        SyncWorkerHandler worker = new SyncWorkerHandler(runner, syncs, new WebhookRounds(unreachable, null), TimeSource.SYSTEM); // no run ends: nothing to deliver

        SQSEvent.SQSMessage message = new SQSEvent.SQSMessage();
        message.setMessageId("msg-1");
        message.setBody(SyncWork.message(RUN));
        SQSEvent event = new SQSEvent();
        event.setRecords(List.of(message));
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            private final JsonLogFormatter format = new JsonLogFormatter();

            @Override
            public void publish(LogRecord record) {
                lines.add(format.format(record));
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger kitebridge = Logger.getLogger("dev.kitebridge");
        kitebridge.addHandler(capture);
        SQSBatchResponse response;
        try {
            response = worker.handleRequest(event, null);
        } finally {
            kitebridge.removeHandler(capture);
        }

        assertEquals(List.of("msg-1"), response.getBatchItemFailures().stream().map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList());
        assertEquals(1, lines.size(), "one line for the failure: " + lines);
        JsonNode line = ApiJson.MAPPER.readTree(lines.get(0));
        assertEquals("ERROR", line.get("level").asText());
        assertEquals(SyncWorkerHandler.class.getName(), line.get("logger").asText());
        assertEquals("sync run " + RUN + " (SQS message msg-1) failed; SQS delivers it again", line.get("message").asText());
        assertEquals("java.lang.IllegalStateException", line.get("exception").asText());
        String stack = line.get("stack").asText();
        assertTrue(stack.startsWith("java.lang.IllegalStateException: the sync table is unreachable"), stack);
        assertTrue(stack.contains("\tat dev.kitebridge.sync.SyncRunner.work"), stack);
    }
}
