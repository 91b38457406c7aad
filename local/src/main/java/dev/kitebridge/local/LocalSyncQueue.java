package dev.kitebridge.local;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import dev.kitebridge.buildkite.TimeSource;
import dev.kitebridge.sync.SyncQueue;
import dev.kitebridge.sync.SyncRunner;

/**
 * The dev server's sync queue: one worker thread in the process takes the runs, as the worker
 * function takes them from SQS in AWS, each for up to five minutes at a time.
 */
final class LocalSyncQueue implements SyncQueue, AutoCloseable {

    private static final Duration WORKER_TIME = Duration.ofMinutes(5);
    private static final System.Logger LOG = System.getLogger(LocalSyncQueue.class.getName());

    private final ExecutorService worker = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "kitebridge-local-sync");
        thread.setDaemon(true);
        return thread;
    });
    private final TimeSource time;
    private volatile SyncRunner runner;

    LocalSyncQueue(TimeSource time) {
        this.time = time;
    }

    /** The runner is made with the application, after its queue. */
    void attach(SyncRunner syncRunner) {
        this.runner = syncRunner;
    }

    @Override
    public void enqueue(String runId, Duration delay) {
        if (worker.isShutdown()) {
            return; // the dev server is stopping: the run stays where its checkpoint left it
        }
        worker.submit(() -> {
            try {
                time.sleep(delay);
                SyncRunner.Outcome outcome = runner.work(runId, "local", time.now().plus(WORKER_TIME));
                switch (outcome.kind()) {
                    case DONE -> { }
                    case LATER -> enqueue(runId, Duration.between(time.now(), outcome.at()));
                    case BUSY -> enqueue(runId, Duration.ofSeconds(5));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "sync run " + runId + " failed: " + e.getClass().getName());
            }
        });
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
