package dev.kitebridge.webhooks;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import dev.kitebridge.access.IntegratedAccount;
import dev.kitebridge.contract.ApiJson;
import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.events.EventFeed;
import dev.kitebridge.state.memory.InMemoryAccountStore;
import dev.kitebridge.state.memory.InMemoryDeadLetterStore;
import dev.kitebridge.state.memory.InMemoryEventLog;
import dev.kitebridge.state.memory.InMemorySyncStore;
import dev.kitebridge.state.memory.InMemoryWebhookStore;
import dev.kitebridge.sync.AccountSync;
import dev.kitebridge.time.TimeSource;

/**
 * Webhooks over in-memory state, with accounts whose sync runs publish events, a clock the test
 * moves (backoffs and Retry-After cost no real time), and host names resolved by the test.
 */
final class WebhookFixture {

    static final String TENANT = "tenant-a";

    /** Backoff from 1 s to 60 s; an event is parked after 5 failed attempts over 10 minutes; turns of 100 sends or a minute. */
    static final WebhookDeliverer.Policy POLICY = new WebhookDeliverer.Policy(5, Duration.ofMinutes(10), Duration.ofSeconds(1),
            Duration.ofSeconds(60), Duration.ofSeconds(5), 100, Duration.ofMinutes(1));

    /** Names the tests resolve; any other is unknown, so that no lookup leaves the machine. */
    final Map<String, List<InetAddress>> names = new ConcurrentHashMap<>();
    /** As the dev server's: the receivers are on 127.0.0.1. */
    final WebhookTargets targets = new WebhookTargets(true, this::resolve);

    final ManualTime time = new ManualTime(Instant.now());
    final InMemoryAccountStore accounts = new InMemoryAccountStore();
    final InMemoryEventLog log = new InMemoryEventLog();
    final InMemorySyncStore syncs = new InMemorySyncStore();
    final EventFeed feed = new EventFeed(log, syncs);
    final InMemoryWebhookStore webhooks = new InMemoryWebhookStore();
    final InMemoryDeadLetterStore deadLetters = new InMemoryDeadLetterStore();
    final WebhooksService service = new WebhooksService(webhooks, deadLetters, accounts, feed, targets, time);
    final WebhookDeliverer deliverer = new WebhookDeliverer(webhooks, deadLetters, feed, targets, time, POLICY);

    /** Links an account of the tenant, never synced yet. */
    String account(String id) {
        return account(TENANT, id);
    }

    String account(String tenantId, String id) {
        accounts.create(IntegratedAccount.linked(id, tenantId, id, List.of(), List.of(), null, time.now(), null));
        syncs.createAccount(AccountSync.first(id, tenantId));
        return id;
    }

    /**
     * Writes a run's events into the account's log and publishes them, as the sync engine does:
     * {@code types} in this order, with ids {@code evt_<run>_<i>}.
     */
    List<ChangeEvent> publish(String accountId, long run, String... types) {
        List<ChangeEvent> events = new ArrayList<>();
        AccountSync state = syncs.account(accountId).orElseThrow();
        for (int i = 0; i < types.length; i++) {
            String id = "evt_" + run + "_" + i;
            events.add(new ChangeEvent(id, types[i], state.tenantId(), accountId, time.now(),
                    ApiJson.MAPPER.createObjectNode().put("id", "user-" + i).put("email", "user" + i + "@example.com"), null,
                    String.format(Locale.ROOT, "%012d/%02d/%s", run, i, id)));
        }
        log.put(accountId, events);
        syncs.replaceAccount(state.published(run, run)).orElseThrow();
        return events;
    }

    Webhook subscribe(String targetUrl, String accountId, String... types) {
        return service.subscribe(TENANT, targetUrl, List.of(types), accountId);
    }

    /**
     * Delivers as the rounds would, the clock moved on to each retry's time, until the delivery is
     * caught up or its next try is past {@code horizon}: the counts of every turn, the last one's status.
     */
    WebhookDeliverer.Report deliverUntil(Webhook webhook, String accountId, Instant horizon) {
        int delivered = 0;
        int skipped = 0;
        int parked = 0;
        while (true) {
            WebhookDeliverer.Report turn = deliverer.deliver(webhook, accountId, anHourFromNow());
            delivered += turn.delivered();
            skipped += turn.skipped();
            parked += turn.parked();
            if (turn.status() != WebhookDeliverer.Status.RETRY_LATER || turn.retryAt().isAfter(horizon)) {
                return new WebhookDeliverer.Report(turn.webhookId(), accountId, turn.status(), delivered, skipped, parked, turn.retryAt());
            }
            time.advanceTo(turn.retryAt());
        }
    }

    private List<InetAddress> resolve(String host) throws UnknownHostException {
        List<InetAddress> addresses = names.get(host);
        if (addresses == null) {
            throw new UnknownHostException(host);
        }
        return addresses;
    }

    /** An hour for the deliverer, on the fixture's clock. */
    Instant anHourFromNow() {
        return time.now().plus(Duration.ofHours(1));
    }

    static List<String> ids(List<ChangeEvent> events) {
        return events.stream().map(ChangeEvent::id).toList();
    }

    /** A clock that moves only when told to: deliveries never sleep. */
    static final class ManualTime implements TimeSource {

        private final AtomicReference<Instant> now;

        ManualTime(Instant start) {
            now = new AtomicReference<>(start);
        }

        @Override
        public Instant now() {
            return now.get();
        }

        @Override
        public void sleep(Duration duration) {
            throw new AssertionError("a delivery slept for " + duration + ": retries are scheduled, not waited for");
        }

        void advance(Duration duration) {
            now.updateAndGet(t -> t.plus(duration));
        }

        void advanceTo(Instant then) {
            now.updateAndGet(t -> t.isBefore(then) ? then : t);
        }
    }
}
