package dev.kitebridge.functions.sync;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;

import dev.kitebridge.functions.Dependencies;
import dev.kitebridge.sync.SyncRunner;
import dev.kitebridge.sync.SyncService;
import dev.kitebridge.sync.SyncWork;
import dev.kitebridge.sync.SyncWorker;
import dev.kitebridge.time.Deadline;
import dev.kitebridge.time.TimeSource;
import dev.kitebridge.webhooks.WebhookRounds;

/**
 * The sync worker: takes run messages from the queue and works on each run until it is done or
 * the invocation's time is nearly up. A run that must go on later is sent again (with a delay
 * until its budget refills) and its message consumed; so is a run whose account another worker
 * holds, sent back for a minute later. A message that fails (the run, or sending it back) is logged
 * and reported as a failed item, for SQS to deliver again. A run that ends has its events delivered
 * to the account's webhooks at once.
 */
public final class SyncWorkerHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

    private static final System.Logger LOG = System.getLogger(SyncWorkerHandler.class.getName());

    private final SyncWorker worker;
    private final TimeSource time;

    public SyncWorkerHandler() {
        this(Dependencies.application().syncRunner(), Dependencies.application().syncService(), Dependencies.application().webhookRounds(),
                Dependencies.application().time());
    }

    /** @param time the clock the runs compare their deadline with: the invocation's deadline is computed on it */
    public SyncWorkerHandler(SyncRunner runner, SyncService syncs, WebhookRounds webhooks, TimeSource time) {
        // A delivery that fails is the delivery tick's to retry; a run sent back is consumed, not SQS's to retry.
        this.worker = new SyncWorker(runner, webhooks::afterRun, syncs::continueLater, time, SyncWorker.BUSY_RETRY);
        this.time = time;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        Duration remaining = Duration.ofMillis(context == null ? 60_000 : context.getRemainingTimeInMillis());
        Instant deadline = Deadline.in(time, remaining.minus(SyncWorker.RESERVE)).instant();
        for (SQSEvent.SQSMessage message : event.getRecords()) {
            String runId;
            try {
                runId = SyncWork.runIdOf(message.getBody());
            } catch (IllegalArgumentException malformed) {
                // Nothing any worker could do with it: consumed, not retried (its body is not logged: it could be anything).
                LOG.log(System.Logger.Level.WARNING, "SQS message " + message.getMessageId() + " names no sync run; dropped");
                continue;
            }
            try {
                worker.work(runId, workerId(context, message), deadline);
            } catch (RuntimeException e) {
                // The one line for it: an attempt that fails inside the run is the runner's to log, and does not come here.
                LOG.log(System.Logger.Level.ERROR, "sync run " + runId + " (SQS message " + message.getMessageId()
                        + ") failed; SQS delivers it again", e);
                failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
            }
        }
        return new SQSBatchResponse(failures);
    }

    private static String workerId(Context context, SQSEvent.SQSMessage message) {
        return (context == null ? "local" : context.getAwsRequestId()) + "/" + message.getMessageId();
    }
}
