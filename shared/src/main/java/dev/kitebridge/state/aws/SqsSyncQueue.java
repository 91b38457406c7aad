package dev.kitebridge.state.aws;

import java.time.Duration;

import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

import dev.kitebridge.sync.SyncQueue;
import dev.kitebridge.sync.SyncWork;

/** The sync queue in SQS: one message per run to work on, delayed up to SQS's 15 minutes. */
public final class SqsSyncQueue implements SyncQueue {

    /** SQS delays a message 15 minutes at most; a run that must wait longer is taken up then and sent back again. */
    static final Duration MAX_DELAY = Duration.ofMinutes(15);

    private final SqsClient sqs;
    private final String queueUrl;

    public SqsSyncQueue(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    @Override
    public void enqueue(String runId, Duration delay) {
        long seconds = Math.max(0, Math.min(MAX_DELAY.toSeconds(), (delay.toMillis() + 999) / 1000));
        sqs.sendMessage(SendMessageRequest.builder().queueUrl(queueUrl).messageBody(SyncWork.message(runId))
                .delaySeconds((int) seconds).build());
    }
}
