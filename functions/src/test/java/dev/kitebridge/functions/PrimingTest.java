package dev.kitebridge.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;

import dev.kitebridge.api.Application;
import dev.kitebridge.buildkite.TimeSource;
import dev.kitebridge.buildkite.ratelimit.InMemoryRateLimitGovernor;
import dev.kitebridge.directory.BuildkiteAccess;
import dev.kitebridge.state.memory.InMemoryAccountStore;
import dev.kitebridge.state.memory.InMemoryApiKeyStore;
import dev.kitebridge.state.memory.InMemoryCursorStore;
import dev.kitebridge.state.memory.InMemoryIdempotencyStore;
import dev.kitebridge.state.memory.InMemoryOrganizationDataStore;
import dev.kitebridge.state.memory.InMemoryTokenVault;

/** Priming before a SnapStart snapshot runs the request path without calling Buildkite, writing state or logging a request. */
class PrimingTest {

    @Test
    void primingTouchesNothingOutside() throws Exception {
        InMemoryAccountStore accounts = new InMemoryAccountStore();
        InMemoryCursorStore cursors = new InMemoryCursorStore();
        // "Buildkite" counts the connections made to it.
        java.net.ServerSocket buildkite = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
        Thread listener = new Thread(() -> {
            while (!buildkite.isClosed()) {
                try (java.net.Socket ignored = buildkite.accept()) {
                    connections.incrementAndGet();
                } catch (java.io.IOException closed) {
                    return;
                }
            }
        });
        listener.start();
        String base = "http://127.0.0.1:" + buildkite.getLocalPort();
        Application application = Application.create(new Application.Wiring(accounts, new InMemoryTokenVault(), cursors,
                new InMemoryOrganizationDataStore(), new InMemoryApiKeyStore(), new InMemoryIdempotencyStore(), new InMemoryRateLimitGovernor(),
                new BuildkiteAccess.Endpoints(URI.create(base), URI.create(base + "/graphql")), TimeSource.SYSTEM));
        List<LogRecord> requestLines = new CopyOnWriteArrayList<>();
        Logger requests = Logger.getLogger("dev.kitebridge.requests");
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                requestLines.add(record);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        requests.addHandler(handler);
        try {
            Priming.prime(application);
        } finally {
            requests.removeHandler(handler);
        }
        buildkite.close();
        listener.join();
        assertEquals(0, connections.get(), "no call to Buildkite");
        assertTrue(accounts.list("priming").isEmpty());
        assertEquals(List.of(), requestLines);
    }
}
