package dev.kitebridge.sync;

import java.time.Duration;

/** Where sync work waits for a worker: SQS in AWS, a thread in the local dev server, a list in tests. */
public interface SyncQueue {

    /** Asks for the run to be worked on after {@code delay} (zero: as soon as a worker is free). */
    void enqueue(String runId, Duration delay);
}
