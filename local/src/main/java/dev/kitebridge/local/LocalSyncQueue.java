package dev.kitebridge.local;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import dev.kitebridge.sync.SyncQueue;
import dev.kitebridge.sync.SyncRunner;
import dev.kitebridge.sync.SyncWorker;
import dev.kitebridge.time.TimeSource;
import dev.kitebridge.webhooks.WebhookRounds;

/**
 * The dev server's sync queue: one worker thread in the process takes the runs, as the worker
 * function takes them from SQS in AWS, each for up to five minutes at a time, and delivers a run's
 * events to the webhooks once it ends; a tick every minute delivers what is due (retries).
 */
final class LocalSyncQueue implements SyncQueue, AutoCloseable {

    private static final Duration WORKER_TIME = Duration.ofMinutes(5);
    /** Sooner than SQS's {@link SyncWorker#BUSY_RETRY}: here the other holder is a run of this process, or a dev server beside it. */
    private static final Duration BUSY_RETRY = Duration.ofSeconds(5);
    /** As often as the delivery function's schedule in template.yaml. */
    private static final Duration TICK = Duration.ofMinutes(1);
    private static final System.Logger LOG = System.getLogger(LocalSyncQueue.class.getName());

    private final ExecutorService worker = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "kitebridge-local-sync");
        thread.setDaemon(true);
        return thread;
    });
    private final TimeSource time;
    private volatile SyncWorker syncWorker;
    private final ExecutorService tick = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "kitebridge-local-webhooks");
        thread.setDaemon(true);
        return thread;
    });

    LocalSyncQueue(TimeSource time) {
        this.time = time;
    }

    /** The runner and the deliveries are made with the application, after its queue. */
    void attach(SyncRunner syncRunner, WebhookRounds rounds) {
        // A run that ends has its events delivered on a worker's time of its own, as the worker function's next invocation would.
        this.syncWorker = new SyncWorker(syncRunner, (tenantId, accountId, published, deadline) -> deliver(() -> rounds.afterRun(tenantId, accountId, published, time.now().plus(WORKER_TIME))),
                this::enqueue, time, BUSY_RETRY);
        // On the runtime's clock, which a sandbox may run faster than real time: retries come due on it.
        tick.submit(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    time.sleep(TICK);
                    deliver(() -> rounds.everyAccount(time.now().plus(WORKER_TIME)));
                }
            } catch (InterruptedException stopping) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private static void deliver(Runnable round) {
        try {
            round.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "delivering webhooks failed", e);
        }
    }

    @Override
    public void enqueue(String runId, Duration delay) {
        if (worker.isShutdown()) {
            return; // the dev server is stopping: the run stays where its checkpoint left it
        }
        worker.submit(() -> {
            try {
                time.sleep(delay);
                syncWorker.work(runId, "local", time.now().plus(WORKER_TIME));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "sync run " + runId + " failed", e);
            }
        });
    }

    @Override
    public void close() {
        tick.shutdownNow();
        worker.shutdownNow();
    }
}
