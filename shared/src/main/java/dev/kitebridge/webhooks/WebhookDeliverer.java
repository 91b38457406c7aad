package dev.kitebridge.webhooks;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

import dev.kitebridge.contract.ApiJson;
import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.events.EventFeed;
import dev.kitebridge.events.EventPositions;
import dev.kitebridge.events.Publication;
import dev.kitebridge.metrics.Metrics;
import dev.kitebridge.time.TimeSource;

/**
 * Delivers an account's published events to a subscription, one at a time and in order: each
 * event is sent until the receiver takes it (2xx), and only then is the next one sent. A receiver
 * that is down gets everything, in order, once it is back; an event it keeps refusing past the
 * policy's limits, or refuses for good (4xx other than 429), is parked in the dead-letter store and
 * delivery goes on. One deliverer at a time per subscription and account, by a lease. The cursor
 * is written with the lease's release, every {@link #SAVE_EVERY} deliveries, and with each failure
 * or parked event: a deliverer that dies in a turn leaves its last deliveries to be sent again
 * (at least once; the contract keeps an event's id stable so that a receiver deduplicates), where a
 * write after each delivery cost a write unit per event.
 *
 * <p>Nothing here waits for a receiver's time to come: a failed attempt stores when the next may be
 * made (the backoff, and never before the receiver's {@code Retry-After}) and ends the turn, and the
 * next round that finds it due tries again. A turn is bounded too ({@link Policy#sendsPerTurn},
 * {@link Policy#turn}), and turns run side by side, so that a slow, failing or 429-ing receiver costs
 * the others nothing.
 */
public final class WebhookDeliverer {

    private static final System.Logger LOG = System.getLogger(WebhookDeliverer.class.getName());
    private static final int PAGE = 100;
    /** Deliveries after which the turn writes its cursor before going on (besides at its end). */
    static final int SAVE_EVERY = 20;
    private static final int PARALLEL_TURNS = 8;
    /** The process's deliverers, one turn each at a time; daemons, so that a Lambda's process can freeze and end. */
    private static final ExecutorService TURNS = Executors.newFixedThreadPool(PARALLEL_TURNS, runnable -> {
        Thread thread = new Thread(runnable, "kitebridge-webhooks");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * When to retry and when to give up, and how much one turn may do.
     *
     * @param maxAttempts an event is parked only after this many failed attempts...
     * @param parkAfter ...and once it has failed for this long, so a receiver down for less loses nothing
     * @param firstBackoff the wait after the first failure, doubled after each (with jitter) up to {@code maxBackoff};
     *     a receiver's Retry-After makes it longer, never shorter
     * @param requestTimeout how long one delivery may take; the lease outlives the deadline by this much
     * @param sendsPerTurn requests one subscription makes for one account in one round, at most
     * @param turn how long one subscription may work on one account in one round, at most
     */
    public record Policy(int maxAttempts, Duration parkAfter, Duration firstBackoff, Duration maxBackoff, Duration requestTimeout,
                         int sendsPerTurn, Duration turn) {
        /** A turn fits three rounds' worth in the delivery function's minute, on few threads. */
        public static final Policy DEFAULT = new Policy(20, Duration.ofHours(24), Duration.ofSeconds(10), Duration.ofHours(1),
                Duration.ofSeconds(10), 100, Duration.ofSeconds(15));
    }

    public enum Status {
        /**
         * Every event published when the turn read the feed is dealt with (or was, when this process last looked at the
         * same publication mark); one published since waits for the next round.
         */
        CAUGHT_UP,
        /** An event is still to deliver: call again at {@code retryAt}. */
        RETRY_LATER,
        /** Another deliverer holds the lease (or took it over): nothing was done here. */
        BUSY
    }

    /** What one call did. */
    public record Report(String webhookId, String accountId, Status status, int delivered, int skipped, int parked, Instant retryAt) {}

    /**
     * One integrated account of a tenant, whose events the tenant's subscriptions deliver.
     *
     * @param published its publication mark as the caller last read it (a moment behind at most: a run published
     *     since is delivered by the next round), with the events of that run where the worker that published it
     *     has them (a turn whose cursor has dealt with every run before it sends them, not reading them again);
     *     {@link Publication#UNKNOWN} where not read
     */
    public record Account(String tenantId, String accountId, Publication published) {
        public Account(String tenantId, String accountId) {
            this(tenantId, accountId, Publication.UNKNOWN);
        }

        long publishedThrough() {
            return published.through();
        }
    }

    private final WebhookStore webhooks;
    private final DeadLetterStore deadLetters;
    private final EventFeed feed;
    private final WebhookTargets targets;
    private final PinnedPost http;
    private final TimeSource time;
    private final Policy policy;

    /** Over TLS with the JDK's trusted certificate authorities. */
    public WebhookDeliverer(WebhookStore webhooks, DeadLetterStore deadLetters, EventFeed feed, WebhookTargets targets, TimeSource time,
                            Policy policy) {
        this(webhooks, deadLetters, feed, targets, PinnedPost.withDefaultTrust(), time, policy);
    }

    WebhookDeliverer(WebhookStore webhooks, DeadLetterStore deadLetters, EventFeed feed, WebhookTargets targets, PinnedPost http,
                     TimeSource time, Policy policy) {
        this.webhooks = webhooks;
        this.deadLetters = deadLetters;
        this.feed = feed;
        this.targets = targets;
        this.http = http;
        this.time = time;
        this.policy = policy;
    }

    /**
     * A round: each subscription's turn at each account it covers, side by side and in a new order
     * every round (so that, were there more turns than the round holds, the same ones do not always
     * come last). One turn's failure is logged and the others go on. Returns once every turn has
     * ended: each ends by its own bounds, and one starting after {@code deadline} does nothing.
     */
    public List<Report> deliverAccounts(List<Account> accounts, Instant deadline) {
        Map<String, Optional<List<Webhook>>> byTenant = new HashMap<>();
        List<Callable<Report>> turns = new ArrayList<>();
        Map<String, Integer> turnsOf = new HashMap<>();
        List<Account> looked = new ArrayList<>();
        for (Account account : accounts) {
            Long quietAt = quiet.get(quietKey(account));
            if (quietAt != null && quietAt == account.publishedThrough()) {
                continue; // nothing published since this process found every subscription of it caught up: see quiet
            }
            Optional<List<Webhook>> subscriptions = byTenant.computeIfAbsent(account.tenantId(), this::subscriptions);
            if (subscriptions.isEmpty()) {
                continue;
            }
            looked.add(account);
            for (Webhook webhook : subscriptions.get()) {
                if (webhook.covers(account.accountId())) {
                    turns.add(() -> deliver(webhook, account.accountId(), account.publishedThrough(), account.published().events(), deadline));
                    turnsOf.merge(account.accountId(), 1, Integer::sum);
                }
            }
        }
        Collections.shuffle(turns);
        List<Future<Report>> running = turns.stream().map(TURNS::submit).toList();
        List<Report> reports = new ArrayList<>();
        for (Future<Report> turn : running) {
            try {
                reports.add(turn.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running.forEach(r -> r.cancel(true));
                throw new IllegalStateException("interrupted while delivering webhooks", e);
            } catch (ExecutionException e) {
                LOG.log(Level.ERROR, "a webhook delivery failed; the next round retries it", e.getCause());
            }
        }
        Map<String, Integer> caughtUpTurns = new HashMap<>();
        reports.stream().filter(r -> r.status() == Status.CAUGHT_UP).forEach(r -> caughtUpTurns.merge(r.accountId(), 1, Integer::sum));
        for (Account account : looked) {
            if (account.publishedThrough() != Publication.NOT_KNOWN
                    && caughtUpTurns.getOrDefault(account.accountId(), 0).equals(turnsOf.getOrDefault(account.accountId(), 0))) {
                if (quiet.size() >= QUIET_REMEMBERED) {
                    quiet.clear();
                }
                quiet.put(quietKey(account), account.publishedThrough());
            }
        }
        return reports;
    }

    private static String quietKey(Account account) {
        return account.tenantId() + "|" + account.accountId();
    }

    /** The tenant's subscriptions; none this round (empty, logged) if they cannot be read, so that the other tenants' go on. */
    private Optional<List<Webhook>> subscriptions(String tenantId) {
        try {
            return Optional.of(webhooks.listForRounds(tenantId));
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "reading the webhooks of tenant " + tenantId + " failed; the next round retries", e);
            return Optional.empty();
        }
    }

    /** One turn, the account's publication mark not known: see {@link #deliver(Webhook, String, long, Instant)}. */
    public Report deliver(Webhook webhook, String accountId, Instant deadline) {
        return deliver(webhook, accountId, Publication.NOT_KNOWN, deadline);
    }

    /**
     * One turn: delivers the account's events after the subscription's cursor until they are all
     * dealt with, an attempt fails, or the turn's bounds are reached. A subscription waiting out a
     * backoff costs one read; so does one whose cursor has dealt with every run through
     * {@code publishedThrough} (no lease is written, no event read).
     */
    public Report deliver(Webhook webhook, String accountId, long publishedThrough, Instant deadline) {
        return deliver(webhook, accountId, publishedThrough, null, deadline);
    }

    /** One turn, with the events of run {@code publishedThrough} at hand where {@code runEvents} is not null (see {@link Account}). */
    private Report deliver(Webhook webhook, String accountId, long publishedThrough, List<ChangeEvent> runEvents, Instant deadline) {
        Counts counts = new Counts();
        Instant turnEnds = earlierOf(deadline, time.now().plus(policy.turn()));
        if (!fits(turnEnds)) {
            return counts.report(webhook, accountId, Status.RETRY_LATER, time.now()); // the round is over before the turn began: no read
        }
        Optional<DeliveryState> current = current(webhook, accountId);
        if (current.isEmpty() || current.get().leasedAt(time.now())) {
            return counts.report(webhook, accountId, Status.BUSY, null);
        }
        if (current.get().retryAt() != null && current.get().retryAt().isAfter(time.now())) {
            return counts.report(webhook, accountId, Status.RETRY_LATER, current.get().retryAt()); // not due: no write
        }
        if (current.get().failures() == 0 && EventPositions.caughtUp(current.get().position(), publishedThrough)) {
            // The minute's round over a quiet account: no lease taken and given back (two writes), no feed read.
            return counts.report(webhook, accountId, Status.CAUGHT_UP, null);
        }
        Optional<DeliveryState> leased = webhooks.replaceDelivery(
                current.get().leasedTo(UUID.randomUUID().toString(), turnEnds.plus(policy.requestTimeout())));
        if (leased.isEmpty()) {
            return counts.report(webhook, accountId, Status.BUSY, null);
        }
        DeliveryState state = leased.get();
        boolean released = false;
        try {
            int unsaved = 0;
            // Read once a turn where the caller did not (the rounds pass the listing's); a run published since waits.
            long through = publishedThrough == Publication.NOT_KNOWN ? feed.publishedThrough(accountId) : publishedThrough;
            // The run's events at hand are all there is to send where the cursor has dealt with every run before it (a cursor
            // still inside an earlier run, or a subscription behind, reads the feed).
            boolean atHand = runEvents != null && publishedThrough != Publication.NOT_KNOWN
                    && EventPositions.caughtUp(state.position(), publishedThrough - 1);
            boolean more = true;
            while (more) {
                List<ChangeEvent> page;
                if (atHand) {
                    String after = state.position(); // not null: caught up through the run before
                    page = runEvents.stream().filter(e -> e.position().compareTo(after) > 0).toList();
                    more = false;
                } else {
                    page = feed.after(accountId, state.position(), through, PAGE);
                    more = page.size() == PAGE; // a page short of one is the feed's end as it read: a later event waits for the next round
                }
                for (ChangeEvent event : page) {
                    if (!webhook.eventTypes().contains(event.event())) {
                        state = state.advancedTo(event.position()); // saved with the cursor's next write
                        counts.skipped++;
                        continue;
                    }
                    if (counts.sent == policy.sendsPerTurn() || !fits(turnEnds)) {
                        // The turn is over, not the delivery: due at once, in the next round.
                        return counts.report(webhook, accountId, Status.RETRY_LATER, time.now());
                    }
                    long revision = state.revision();
                    state = deliverOne(webhook, state, event, counts);
                    if (!event.position().equals(state.position())) {
                        return counts.report(webhook, accountId, Status.RETRY_LATER, state.retryAt());
                    }
                    if (state.revision() != revision) {
                        unsaved = 0; // a parked event's write
                    } else if (++unsaved == SAVE_EVERY) {
                        state = save(state);
                        unsaved = 0;
                    }
                }
            }
            // Caught up only once stored (a rounds' process takes the account for quiet on it: see deliverAccounts), and
            // with no failure pending (one at an event past the mark the caller read: due at once, in the next round).
            released = true;
            Status status = !release(state) ? Status.BUSY : state.failures() > 0 ? Status.RETRY_LATER : Status.CAUGHT_UP;
            return counts.report(webhook, accountId, status, status == Status.RETRY_LATER ? time.now() : null);
        } catch (LeaseLost lost) {
            return counts.report(webhook, accountId, Status.BUSY, null);
        } finally {
            if (!released) {
                release(state);
            }
        }
    }

    /**
     * Sends the subscription's parked deliveries again, in order, once each, removing each one
     * delivered; stops at the first one that is not (it stays parked) or at {@code deadline}. The
     * answer is the same whatever kept a delivery from being taken (a refusal, a 5xx, a timeout, an
     * address not allowed): a replay is no probe of what answers where.
     */
    public Report replay(Webhook webhook, Instant deadline) {
        Counts counts = new Counts();
        for (DeadLetterStore.ParkedDelivery parked : deadLetters.list(webhook.tenantId(), webhook.id())) {
            if (!fits(deadline)) {
                return counts.report(webhook, null, Status.RETRY_LATER, time.now().plus(policy.firstBackoff()));
            }
            Attempt attempt = send(webhook, parked.eventId(), parked.body());
            if (!attempt.delivered()) {
                LOG.log(Level.WARNING, "webhook " + webhook.id() + " did not take parked event " + parked.eventId() + " again: "
                        + attempt.reason(), attempt.error());
                return counts.report(webhook, null, Status.RETRY_LATER, time.now().plus(policy.firstBackoff()));
            }
            deadLetters.remove(parked);
            counts.delivered++;
        }
        return counts.report(webhook, null, Status.CAUGHT_UP, null);
    }

    /**
     * One attempt at the event: delivered or parked, the state moves past it; failed, the state
     * stays before it with the failure and when to try next. Saved where it failed or was parked.
     */
    private DeliveryState deliverOne(Webhook webhook, DeliveryState state, ChangeEvent event, Counts counts) {
        String body = ApiJson.write(event);
        Attempt attempt = send(webhook, event.id(), body);
        counts.sent++;
        if (attempt.delivered()) {
            counts.delivered++;
            return state.advancedTo(event.position()); // written with the turn's release, or sooner (see SAVE_EVERY)
        }
        Instant now = time.now();
        DeliveryState failed = state.failed(now, nextTry(state.failures() + 1, attempt));
        boolean exhausted = failed.failures() >= policy.maxAttempts() && !now.isBefore(failed.failingSince().plus(policy.parkAfter()));
        if (!attempt.retryable() || exhausted) {
            park(webhook, state.accountId(), event, body, attempt, failed.failures());
            counts.parked++;
            return save(state.advancedTo(event.position()));
        }
        LOG.log(Level.INFO, "webhook " + webhook.id() + " failed to deliver event " + event.id() + " (attempt " + failed.failures()
                + "): " + attempt.reason() + "; next try at " + failed.retryAt(), attempt.error());
        return save(failed);
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

    /** One request to the target, at the addresses its host resolves to now, once they are checked. */
    private Attempt send(Webhook webhook, String eventId, String body) {
        WebhookTargets.Target target;
        try {
            target = targets.resolve(webhook.targetUrl());
        } catch (WebhookTargets.Refused refused) {
            return new Attempt(false, false, refused.getMessage(), null);
        } catch (UnknownHostException e) {
            return new Attempt(false, true, "network error: the target's host does not resolve", null, e);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", "Kitebridge-Webhooks");
        headers.put("Kitebridge-Event-Id", eventId);
        headers.put(WebhookSignature.HEADER, WebhookSignature.header(webhook.signingSecret(), time.now(), body));
        try {
            PinnedPost.Answer answer = http.post(target, headers, body.getBytes(StandardCharsets.UTF_8), policy.requestTimeout());
            int status = answer.status();
            if (status >= 200 && status < 300) {
                return new Attempt(true, false, null, null);
            }
            boolean retryable = status >= 500 || status == 429;
            Duration retryAfter = status == 429 || status == 503 ? answer.retryAfter().map(this::retryAfter).orElse(null) : null;
            return new Attempt(false, retryable, "the receiver answered " + status, retryAfter);
        } catch (IOException e) {
            return new Attempt(false, true, "network error: " + e.getClass().getSimpleName(), null, e);
        }
    }

    /**
     * After the {@code failures}-th failure: exponential backoff with jitter, or the receiver's
     * Retry-After if that is later (up to {@code parkAfter}): a receiver saying "1 second" forever
     * is asked less and less often, never sooner than it said.
     */
    private Instant nextTry(int failures, Attempt attempt) {
        long cap = policy.maxBackoff().toMillis();
        long backoff = Math.min(cap, policy.firstBackoff().toMillis() << Math.min(failures - 1, 30));
        // Half fixed, half random: receivers coming back are not hit by every deliverer at once.
        long jittered = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
        Duration wait = Duration.ofMillis(jittered);
        if (attempt.retryAfter() != null && attempt.retryAfter().compareTo(wait) > 0) {
            wait = attempt.retryAfter().compareTo(policy.parkAfter()) > 0 ? policy.parkAfter() : attempt.retryAfter();
        }
        return time.now().plus(wait);
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

    /** Whether a request started now ends before {@code deadline}. */
    private boolean fits(Instant deadline) {
        return !time.now().plus(policy.requestTimeout()).isAfter(deadline);
    }

    private void park(Webhook webhook, String accountId, ChangeEvent event, String body, Attempt last, int attempts) {
        LOG.log(Level.WARNING, "webhook " + webhook.id() + " parked event " + event.id() + " of account " + accountId + " after "
                + attempts + " attempt(s): " + last.reason(), last.error());
        deadLetters.park(new DeadLetterStore.ParkedDelivery(webhook.tenantId(), webhook.id(), accountId, event.position(), event.id(),
                body, last.reason(), attempts, time.now()));
    }

    /**
     * The subscription's delivery state for the account. An account without one was linked after
     * the subscription was made: its delivery starts at its first event.
     */
    private Optional<DeliveryState> current(Webhook webhook, String accountId) {
        // As stored a moment ago (see WebhookStore#recentDelivery): what a turn writes is written over the revision read.
        Optional<DeliveryState> current = webhooks.recentDelivery(webhook.tenantId(), webhook.id(), accountId);
        // None: an account linked after a tenant-wide subscription, delivered from its first event. Or a subscription removed
        // since the round listed it (the rounds' listing may be a moment behind), whose states went with it: asked again.
        if (current.isEmpty() && webhooks.find(webhook.tenantId(), webhook.id()).isPresent()) {
            webhooks.createDelivery(DeliveryState.startingAt(webhook.tenantId(), webhook.id(), accountId, null));
            current = webhooks.delivery(webhook.tenantId(), webhook.id(), accountId);
        }
        return current;
    }

    /**
     * Accounts (tenant and id) all of whose subscriptions this process found caught up in a round, with the publication
     * mark then: a round at the same mark skips them, their subscriptions not even listed. Until an account's mark moves
     * nothing of it is to deliver — a failure or a backlog comes only of a run published since (the mark moved), a
     * subscription made since starts at the log's end, and one removed is sent nothing — so a quiet account costs a
     * round nothing. Bounded: a fleet over {@link #QUIET_REMEMBERED} accounts forgets them all and looks again.
     */
    private final Map<String, Long> quiet = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int QUIET_REMEMBERED = 100_000;

    private DeliveryState save(DeliveryState state) {
        return webhooks.replaceDelivery(state).orElseThrow(LeaseLost::new);
    }

    /**
     * Gives the lease back, with the cursor as the turn left it (what it delivered and skipped since its last write);
     * a lease lost meanwhile is left alone. Whether it was written.
     */
    private boolean release(DeliveryState state) {
        return webhooks.replaceDelivery(state.released()).isPresent();
    }

    private static Instant earlierOf(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    /** Another deliverer took the delivery over (our lease expired): stop without writing. */
    private static final class LeaseLost extends RuntimeException {
        LeaseLost() {
            super(null, null, false, false);
        }
    }

    private final class Counts {
        int sent;
        int delivered;
        int skipped;
        int parked;

        /** The call's report; what it delivered and parked also goes to the stack's metrics. */
        Report report(Webhook webhook, String accountId, Status status, Instant retryAt) {
            if (delivered + parked > 0) {
                Metrics.emit("webhook_deliveries", Map.of("webhook_id", webhook.id(), "tenant", webhook.tenantId()),
                        List.of(Metrics.Metric.count("WebhookDeliveries", delivered), Metrics.Metric.count("WebhookDeliveriesParked", parked)),
                        time.now());
            }
            return new Report(webhook.id(), accountId, status, delivered, skipped, parked, retryAt);
        }
    }
}
