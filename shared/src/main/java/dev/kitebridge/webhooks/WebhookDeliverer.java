package dev.kitebridge.webhooks;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

import dev.kitebridge.api.ApiJson;
import dev.kitebridge.api.Metrics;
import dev.kitebridge.buildkite.TimeSource;
import dev.kitebridge.sync.ChangeEvent;
import dev.kitebridge.sync.EventFeed;

/**
 * Delivers an account's published events to a subscription, one at a time and in order: each
 * event is sent until the receiver takes it (2xx), and only then is the next one sent. A receiver
 * that is down gets everything, in order, once it is back; an event it keeps refusing past the
 * policy's limits, or refuses for good (4xx other than 429), is parked in the dead-letter store and
 * delivery goes on. One deliverer at a time per subscription and account, by a lease.
 */
public final class WebhookDeliverer {

    private static final System.Logger LOG = System.getLogger(WebhookDeliverer.class.getName());
    private static final int PAGE = 100;
    private static final int PARALLEL_SUBSCRIPTIONS = 8;
    /** The process's deliverers, one subscription each at a time; daemons, so that a Lambda's process can freeze and end. */
    private static final ExecutorService SUBSCRIPTIONS = Executors.newFixedThreadPool(PARALLEL_SUBSCRIPTIONS, runnable -> {
        Thread thread = new Thread(runnable, "kitebridge-webhooks");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * When to retry and when to give up.
     *
     * @param maxAttempts an event is parked only after this many failed attempts...
     * @param parkAfter ...and once it has failed for this long, so a receiver down for less loses nothing
     * @param firstBackoff the wait after the first failure, doubled after each (with jitter) up to {@code maxBackoff}
     * @param requestTimeout how long one delivery may take; the lease outlives the deadline by this much
     */
    public record Policy(int maxAttempts, Duration parkAfter, Duration firstBackoff, Duration maxBackoff, Duration requestTimeout) {
        public static final Policy DEFAULT = new Policy(20, Duration.ofHours(24), Duration.ofSeconds(10), Duration.ofHours(1),
                Duration.ofSeconds(10));
    }

    public enum Status {
        /** Every published event is dealt with. */
        CAUGHT_UP,
        /** Time ran out with an event still to deliver: call again at {@code retryAt}. */
        RETRY_LATER,
        /** Another deliverer holds the lease (or took it over): nothing was done here. */
        BUSY,
        /** A replay met a parked delivery the receiver refuses for good (4xx): it stays parked, and the replay stopped there. */
        REFUSED
    }

    /** What one call did. */
    public record Report(String webhookId, String accountId, Status status, int delivered, int skipped, int parked, Instant retryAt) {}

    private final WebhookStore webhooks;
    private final DeadLetterStore deadLetters;
    private final EventFeed feed;
    private final HttpClient http;
    private final TimeSource time;
    private final Policy policy;

    /** @param http must not follow redirects (see {@link #httpClient}): a redirect could lead anywhere, the metadata service too */
    public WebhookDeliverer(WebhookStore webhooks, DeadLetterStore deadLetters, EventFeed feed, HttpClient http, TimeSource time,
                            Policy policy) {
        if (http.followRedirects() != HttpClient.Redirect.NEVER) {
            throw new IllegalArgumentException("the webhook HTTP client must not follow redirects");
        }
        this.webhooks = webhooks;
        this.deadLetters = deadLetters;
        this.feed = feed;
        this.http = http;
        this.time = time;
        this.policy = policy;
    }

    /** The HTTP client deliveries need: a connect timeout, and redirects never followed. */
    public static HttpClient httpClient(Duration connectTimeout) {
        return HttpClient.newBuilder().connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * Delivers an account's new events to every subscription of its tenant that covers it, side by
     * side so that a receiver that is down does not hold up the others: what to call when a sync
     * run's events are published, and again at the earliest {@code retryAt} of the reports.
     */
    public List<Report> deliverAccount(String tenantId, String accountId, Instant deadline) {
        List<Webhook> covering = webhooks.list(tenantId).stream().filter(w -> w.covers(accountId)).toList();
        if (covering.isEmpty()) {
            return List.of();
        }
        try {
            List<Future<Report>> running = covering.stream().map(w -> SUBSCRIPTIONS.submit(() -> deliver(w, accountId, deadline))).toList();
            List<Report> reports = new ArrayList<>();
            for (Future<Report> report : running) {
                reports.add(report.get());
            }
            return reports;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while delivering webhooks", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a webhook delivery failed", e.getCause()); // the others end by their deadline
        }
    }

    /** Delivers the account's events after the subscription's cursor, until they are all dealt with or {@code deadline}. */
    public Report deliver(Webhook webhook, String accountId, Instant deadline) {
        Counts counts = new Counts();
        Optional<DeliveryState> leased = lease(webhook, accountId, deadline);
        if (leased.isEmpty()) {
            return counts.report(webhook, accountId, Status.BUSY, null);
        }
        DeliveryState state = leased.get();
        try {
            while (true) {
                List<ChangeEvent> page = feed.after(accountId, state.position(), PAGE);
                if (page.isEmpty()) {
                    return counts.report(webhook, accountId, Status.CAUGHT_UP, null);
                }
                for (ChangeEvent event : page) {
                    if (!webhook.eventTypes().contains(event.event())) {
                        state = state.advancedTo(event.position()); // saved with the next delivery, or at the end
                        counts.skipped++;
                        continue;
                    }
                    state = deliverOne(webhook, state, event, deadline, counts);
                    if (!event.position().equals(state.position())) {
                        return counts.report(webhook, accountId, Status.RETRY_LATER, laterOf(state.retryAt(), time.now()));
                    }
                }
            }
        } catch (LeaseLost lost) {
            return counts.report(webhook, accountId, Status.BUSY, null);
        } finally {
            release(state);
        }
    }

    /**
     * Sends the subscription's parked deliveries again, in order, removing each one delivered; stops
     * at the first one that is not (it stays parked) or at {@code deadline}.
     */
    public Report replay(Webhook webhook, Instant deadline) {
        Counts counts = new Counts();
        for (DeadLetterStore.ParkedDelivery parked : deadLetters.list(webhook.tenantId(), webhook.id())) {
            Instant retryAt = time.now();
            int failures = 0;
            while (true) {
                if (!waitUntil(retryAt, deadline)) {
                    return counts.report(webhook, null, Status.RETRY_LATER, retryAt);
                }
                Attempt attempt = send(webhook, parked.eventId(), parked.body());
                if (attempt.delivered()) {
                    deadLetters.remove(parked);
                    counts.delivered++;
                    break;
                }
                if (!attempt.retryable()) {
                    LOG.log(Level.WARNING, "webhook " + webhook.id() + " refused parked event " + parked.eventId() + " again: "
                            + attempt.reason());
                    return counts.report(webhook, null, Status.REFUSED, null);
                }
                retryAt = nextTry(++failures, attempt);
            }
        }
        return counts.report(webhook, null, Status.CAUGHT_UP, null);
    }

    /**
     * Tries the event until it is delivered or parked (the state moves past it, saved), or until
     * the next try would not end before {@code deadline} (the state stays before it, with its failures).
     */
    private DeliveryState deliverOne(Webhook webhook, DeliveryState state, ChangeEvent event, Instant deadline, Counts counts) {
        String body = ApiJson.write(event);
        while (true) {
            if (!waitUntil(state.retryAt() == null ? time.now() : state.retryAt(), deadline)) {
                return save(state);
            }
            Attempt attempt = send(webhook, event.id(), body);
            if (attempt.delivered()) {
                counts.delivered++;
                return save(state.advancedTo(event.position()));
            }
            Instant now = time.now();
            DeliveryState failed = state.failed(now, nextTry(state.failures() + 1, attempt));
            boolean exhausted = failed.failures() >= policy.maxAttempts()
                    && !now.isBefore(failed.failingSince().plus(policy.parkAfter()));
            if (!attempt.retryable() || exhausted) {
                park(webhook, state.accountId(), event, body, attempt, failed.failures());
                counts.parked++;
                return save(state.advancedTo(event.position()));
            }
            LOG.log(Level.INFO, "webhook " + webhook.id() + " failed to deliver event " + event.id() + " (attempt " + failed.failures()
                    + "): " + attempt.reason() + "; next try at " + failed.retryAt(), attempt.error());
            state = save(failed);
        }
    }

    /**
     * One delivery's outcome: 2xx delivered; network errors, 5xx and 429 retryable; anything else refused for good.
     * The reason is short (it is kept with a parked delivery); a network error's exception goes to the log.
     */
    private record Attempt(boolean delivered, boolean retryable, String reason, Duration retryAfter, Throwable error) {
        Attempt(boolean delivered, boolean retryable, String reason, Duration retryAfter) {
            this(delivered, retryable, reason, retryAfter, null);
        }
    }

    private Attempt send(Webhook webhook, String eventId, String body) {
        URI target = URI.create(webhook.targetUrl());
        if (WebhookTargets.resolvesToForbidden(target)) {
            return new Attempt(false, false, "the target's host resolves to a link-local or metadata address", null);
        }
        HttpRequest request = HttpRequest.newBuilder(target)
                .timeout(policy.requestTimeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "Kitebridge-Webhooks")
                .header("Kitebridge-Event-Id", eventId)
                .header(WebhookSignature.HEADER, WebhookSignature.header(webhook.signingSecret(), time.now(), body))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return new Attempt(true, false, null, null);
            }
            boolean retryable = status >= 500 || status == 429;
            Duration retryAfter = status == 429 || status == 503
                    ? response.headers().firstValue("Retry-After").map(this::retryAfter).orElse(null) : null;
            return new Attempt(false, retryable, "the receiver answered " + status, retryAfter);
        } catch (IOException e) {
            return new Attempt(false, true, "network error: " + e.getClass().getSimpleName(), null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Attempt(false, true, "interrupted", null);
        }
    }

    /** After the {@code failures}-th failure: the receiver's Retry-After, or exponential backoff with jitter. */
    private Instant nextTry(int failures, Attempt attempt) {
        if (attempt.retryAfter() != null) {
            return time.now().plus(attempt.retryAfter());
        }
        long cap = policy.maxBackoff().toMillis();
        long backoff = Math.min(cap, policy.firstBackoff().toMillis() << Math.min(failures - 1, 30));
        // Half fixed, half random: receivers coming back are not hit by every deliverer at once.
        long jittered = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
        return time.now().plusMillis(jittered);
    }

    /** Retry-After in seconds or as an HTTP date; null if it is neither. */
    private Duration retryAfter(String value) {
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration until = Duration.between(time.now(), ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME));
                return until.isNegative() ? Duration.ZERO : until;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }

    /** Waits until {@code when} if that leaves time for a delivery before {@code deadline}; false if it does not. */
    private boolean waitUntil(Instant when, Instant deadline) {
        if (when.plus(policy.requestTimeout()).isAfter(deadline)) {
            return false;
        }
        Duration wait = Duration.between(time.now(), when);
        if (wait.isNegative() || wait.isZero()) {
            return true;
        }
        try {
            time.sleep(wait);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void park(Webhook webhook, String accountId, ChangeEvent event, String body, Attempt last, int attempts) {
        LOG.log(Level.WARNING, "webhook " + webhook.id() + " parked event " + event.id() + " of account " + accountId + " after "
                + attempts + " attempt(s): " + last.reason(), last.error());
        deadLetters.park(new DeadLetterStore.ParkedDelivery(webhook.tenantId(), webhook.id(), accountId, event.position(), event.id(),
                body, last.reason(), attempts, time.now()));
    }

    /**
     * Takes the lease on the subscription's delivery of the account, until the deadline and one
     * request more. An account without a delivery state was linked after the subscription was
     * made: its delivery starts at its first event.
     */
    private Optional<DeliveryState> lease(Webhook webhook, String accountId, Instant deadline) {
        Optional<DeliveryState> current = webhooks.delivery(webhook.tenantId(), webhook.id(), accountId);
        if (current.isEmpty()) {
            webhooks.createDelivery(DeliveryState.startingAt(webhook.tenantId(), webhook.id(), accountId, null));
            current = webhooks.delivery(webhook.tenantId(), webhook.id(), accountId);
        }
        if (current.isEmpty() || current.get().leasedAt(time.now())) {
            return Optional.empty();
        }
        return webhooks.replaceDelivery(current.get().leasedTo(UUID.randomUUID().toString(), deadline.plus(policy.requestTimeout())));
    }

    private DeliveryState save(DeliveryState state) {
        return webhooks.replaceDelivery(state).orElseThrow(LeaseLost::new);
    }

    /** Gives the lease back, with the cursor of events skipped since the last save; a lease lost meanwhile is left alone. */
    private void release(DeliveryState state) {
        webhooks.replaceDelivery(state.released());
    }

    private static Instant laterOf(Instant retryAt, Instant now) {
        return retryAt == null || retryAt.isBefore(now) ? now : retryAt;
    }

    /** Another deliverer took the delivery over (our lease expired): stop without writing. */
    private static final class LeaseLost extends RuntimeException {
        LeaseLost() {
            super(null, null, false, false);
        }
    }

    private static final class Counts {
        int delivered;
        int skipped;
        int parked;

        /** The call's report; what it delivered and parked also goes to the stack's metrics. */
        Report report(Webhook webhook, String accountId, Status status, Instant retryAt) {
            if (delivered + parked > 0) {
                Metrics.emit("webhook_deliveries", Map.of("webhook_id", webhook.id(), "tenant", webhook.tenantId()),
                        List.of(Metrics.Metric.count("WebhookDeliveries", delivered), Metrics.Metric.count("WebhookDeliveriesParked", parked)),
                        Instant.now());
            }
            return new Report(webhook.id(), accountId, status, delivered, skipped, parked, retryAt);
        }
    }
}
