package dev.kitebridge.sync;

import java.time.Duration;
import java.time.Instant;

import dev.kitebridge.events.Publication;
import dev.kitebridge.time.TimeSource;

/**
 * A worker's turn at a sync run, the same in the worker function (runs from SQS) and in the dev
 * server (runs on a thread): the runner works on the run until it ends or the deadline nears; then
 * a run that ended has its events delivered, a run that must go on later is queued again for when
 * its budget refills, and a run whose account another worker holds is queued again after a while.
 */
public final class SyncWorker {

    /** When a run whose account another worker holds is tried again, on SQS (not its visibility timeout: half an hour). */
    public static final Duration BUSY_RETRY = Duration.ofMinutes(1);
    /** Kept for saving the last checkpoint and answering the queue, before the worker's time is up. */
    public static final Duration RESERVE = Duration.ofSeconds(30);
    /**
     * A run queued again for a budget's refill comes this much before it, and sleeps the rest (less
     * than {@link SyncRunner#LONGEST_SLEEP}): so that it takes the refill at its instant, as callers
     * that sleep for it do, not after them (SQS rounds a delay up to whole seconds, and delivers a
     * moment later).
     */
    static final Duration EARLY = Duration.ofSeconds(3);

    /**
     * What a run's end sets off: its account's events delivered to its webhooks (which sync does not
     * know), through the account's publication mark where the worker's turn saw the run published
     * ({@link Publication#UNKNOWN}: not known here, to be read), from the run's events where the turn
     * published them (see {@link Publication#events}).
     */
    public interface RunEnded {
        void ended(String tenantId, String accountId, Publication published, Instant deadline);
    }

    /** Queues a run again, to be worked on after a delay. */
    public interface Requeue {
        void send(String runId, Duration delay);
    }

    private final SyncRunner runner;
    private final RunEnded ended;
    private final Requeue requeue;
    private final TimeSource time;
    private final Duration busyRetry;

    public SyncWorker(SyncRunner runner, RunEnded ended, Requeue requeue, TimeSource time, Duration busyRetry) {
        this.runner = runner;
        this.ended = ended;
        this.requeue = requeue;
        this.time = time;
        this.busyRetry = busyRetry;
    }

    /** One turn at the run; a failure is the caller's to log and retry as its queue does. */
    public void work(String runId, String workerId, Instant deadline) {
        SyncRunner.Outcome outcome = runner.work(runId, workerId, deadline);
        switch (outcome.kind()) {
            case DONE -> {
                if (outcome.ended() != null) {
                    ended.ended(outcome.ended().tenantId(), outcome.ended().accountId(), outcome.published(), deadline);
                }
            }
            case LATER -> {
                Duration delay = Duration.between(time.now(), outcome.at()).minus(EARLY);
                requeue.send(runId, delay.isNegative() ? Duration.ZERO : delay);
            }
            case BUSY -> requeue.send(runId, busyRetry);
        }
    }
}
