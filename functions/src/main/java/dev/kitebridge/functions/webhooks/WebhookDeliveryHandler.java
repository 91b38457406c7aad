package dev.kitebridge.functions.webhooks;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;

import dev.kitebridge.functions.Dependencies;
import dev.kitebridge.time.Deadline;
import dev.kitebridge.time.TimeSource;
import dev.kitebridge.webhooks.WebhookDeliverer;
import dev.kitebridge.webhooks.WebhookRounds;

/**
 * The delivery tick (EventBridge, every minute): every account's subscriptions get what is due,
 * retries whose backoff has passed and receivers that are back included.
 */
public final class WebhookDeliveryHandler implements RequestHandler<ScheduledEvent, Map<String, Integer>> {

    /** Kept for the last delivery's answer and saving its cursor, before Lambda's deadline. */
    static final Duration RESERVE = Duration.ofSeconds(10);

    private final WebhookRounds rounds;
    private final TimeSource time;

    public WebhookDeliveryHandler() {
        this(Dependencies.application().webhookRounds(), Dependencies.application().time());
    }

    /** @param time the clock deliveries compare their deadline with: the invocation's deadline is computed on it */
    public WebhookDeliveryHandler(WebhookRounds rounds, TimeSource time) {
        this.rounds = rounds;
        this.time = time;
    }

    @Override
    public Map<String, Integer> handleRequest(ScheduledEvent event, Context context) {
        Duration remaining = Duration.ofMillis(context == null ? 60_000 : context.getRemainingTimeInMillis());
        Instant deadline = Deadline.in(time, remaining.minus(RESERVE)).instant();
        List<WebhookDeliverer.Report> reports = rounds.everyAccount(deadline);
        return Map.of("delivered", reports.stream().mapToInt(WebhookDeliverer.Report::delivered).sum(),
                "parked", reports.stream().mapToInt(WebhookDeliverer.Report::parked).sum());
    }
}
