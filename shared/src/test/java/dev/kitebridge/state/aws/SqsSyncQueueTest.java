package dev.kitebridge.state.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import dev.kitebridge.contract.ApiJson;
import dev.kitebridge.sync.SyncWork;

/**
 * The sync queue through the real SDK client against moto's SQS (skipped where moto_server is absent):
 * what is queued arrives as the message the worker parses, delayed as asked, up to SQS's 15 minutes.
 */
class SqsSyncQueueTest {

    private static final AtomicInteger QUEUES = new AtomicInteger();

    private final MotoServer moto = MotoServer.require();
    private final SqsClient sqs = AwsClients.sqs(new AwsConfig("us-east-1", "unused", "unused/", null, null), moto.endpoint());
    // As template.yaml declares SyncQueue: a standard queue (not FIFO, so no group or deduplication id), 30 minutes' visibility.
    private final String queueUrl = sqs.createQueue(b -> b.queueName("kitebridge-sync-" + QUEUES.incrementAndGet())
            .attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "1800"))).queueUrl();
    private final SqsSyncQueue queue = new SqsSyncQueue(sqs, queueUrl);

    @Test
    void aRunQueuedNowArrivesAtOnceAsTheMessageTheWorkerParses() {
        String run = "run_" + "0".repeat(31) + "1";
        queue.enqueue(run, Duration.ZERO);

        Message message = receive();
        assertEquals(run, SyncWork.runIdOf(message.body()));
        assertEquals(0, delaySeconds(run));
    }

    @Test
    void aDelayedRunArrivesOnlyAfterItsDelayInWholeSecondsRoundedUp() {
        String run = "run_" + "0".repeat(31) + "2";
        queue.enqueue(run, Duration.ofMillis(1_500));

        assertEquals(2, delaySeconds(run));
        Message message = receive();
        assertEquals(run, SyncWork.runIdOf(message.body()));
        long sent = Long.parseLong(message.attributes().get(MessageSystemAttributeName.SENT_TIMESTAMP));
        long received = Long.parseLong(message.attributes().get(MessageSystemAttributeName.APPROXIMATE_FIRST_RECEIVE_TIMESTAMP));
        assertTrue(received - sent >= 2_000, "received " + (received - sent) + " ms after it was sent");
    }

    @Test
    void aDelayBeyondSqsLimitIsCappedAtFifteenMinutes() {
        String run = "run_" + "0".repeat(31) + "3";
        // SQS refuses DelaySeconds over 900: the run is taken up then, and sent back for the rest.
        queue.enqueue(run, Duration.ofHours(2));

        assertEquals(900, delaySeconds(run));
        assertEquals("1", sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED))
                .attributes().get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED));
    }

    @Test
    void aDelayAlreadyPastIsNoDelay() {
        String run = "run_" + "0".repeat(31) + "4";
        // The worker asks for the time until its budget refills, which may have passed by then.
        queue.enqueue(run, Duration.ofSeconds(-5));

        assertEquals(0, delaySeconds(run));
        assertEquals(run, SyncWork.runIdOf(receive().body()));
    }

    /** The queue's one message, long-polled for up to a minute in 20-second turns (SQS's longest wait). */
    private Message receive() {
        for (int turn = 0; turn < 3; turn++) {
            List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(queueUrl).waitTimeSeconds(20).maxNumberOfMessages(10)
                    .messageSystemAttributeNames(MessageSystemAttributeName.SENT_TIMESTAMP,
                            MessageSystemAttributeName.APPROXIMATE_FIRST_RECEIVE_TIMESTAMP)).messages();
            if (!messages.isEmpty()) {
                assertEquals(1, messages.size(), "one message per run");
                return messages.get(0);
            }
        }
        throw new AssertionError("no message within a minute");
    }

    /**
     * The DelaySeconds SQS took for the run's message, from moto's view of its state (its own API):
     * it keeps when a message was sent and until when it is delayed, both in milliseconds.
     */
    private int delaySeconds(String run) {
        try (InputStream data = moto.endpoint().resolve("/moto-api/data.json").toURL().openStream()) {
            for (JsonNode message : ApiJson.MAPPER.readTree(data).path("sqs").path("Message")) {
                if (message.path("body").asText().equals(SyncWork.message(run))) {
                    double until = message.path("delayed_until").asDouble();
                    return until == 0 ? 0 : (int) ((until - message.path("sent_timestamp").asLong()) / 1000);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("moto holds no message for " + run);
    }
}
