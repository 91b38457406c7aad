package dev.kitebridge.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.kitebridge.contract.ApiJson;
import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.events.EventFeed;
import dev.kitebridge.events.EventLog;
import dev.kitebridge.events.EventPositions;
import dev.kitebridge.sync.AccountSync;
import dev.kitebridge.webhooks.Receiver.Answer;

/**
 * What deliveries write and read. The minute's delivery round over an account nothing was published
 * for since its subscriptions caught up costs no write and no read of its events (a lease taken and
 * given back was two writes a minute for every subscription and account), and nothing at all — its
 * tenant's subscriptions not even listed — in a process that saw it so at the same publication
 * mark; a run published since is delivered by the next round, in full. A
 * turn writes its cursor with its lease and its release, not after each event (a write unit each):
 * a deliverer that dies before its release leaves its deliveries to be sent again, in order.
 */
class DeliveryWritesTest {

    private final WebhookFixture fixture = new WebhookFixture();
    private final String account = fixture.account("acct_1");
    /** Reads of the account's events by the deliverer, through its feed. */
    private final AtomicInteger eventReads = new AtomicInteger();
    private final EventLog countedLog = new EventLog() {
        @Override
        public void put(String accountId, List<ChangeEvent> events) {
            fixture.log.put(accountId, events);
        }

        @Override
        public void delete(String accountId, List<String> positions) {
            fixture.log.delete(accountId, positions);
        }

        @Override
        public List<ChangeEvent> list(String accountId, String afterPosition, String beforePosition, int limit) {
            eventReads.incrementAndGet();
            return fixture.log.list(accountId, afterPosition, beforePosition, limit);
        }
    };
    /** Set: the next release of a lease fails, as if the deliverer's process died just before it. */
    private final java.util.concurrent.atomic.AtomicBoolean dieBeforeRelease = new java.util.concurrent.atomic.AtomicBoolean();
    /** Listings of a tenant's subscriptions by the deliverer. */
    private final AtomicInteger listings = new AtomicInteger();
    /** Reads of delivery states by the deliverer. */
    private final AtomicInteger stateReads = new AtomicInteger();
    /** Of them, reads as stored a moment ago (see {@link WebhookStore#recentDelivery}). */
    private final AtomicInteger recentStateReads = new AtomicInteger();
    private final WebhookStore countedWebhooks = new WebhookStore() {
        @Override
        public void create(Webhook webhook) {
            fixture.webhooks.create(webhook);
        }

        @Override
        public java.util.Optional<Webhook> find(String tenantId, String webhookId) {
            return fixture.webhooks.find(tenantId, webhookId);
        }

        @Override
        public List<Webhook> list(String tenantId) {
            listings.incrementAndGet();
            return fixture.webhooks.list(tenantId);
        }

        @Override
        public boolean delete(String tenantId, String webhookId) {
            return fixture.webhooks.delete(tenantId, webhookId);
        }

        @Override
        public java.util.Optional<DeliveryState> delivery(String tenantId, String webhookId, String accountId) {
            stateReads.incrementAndGet();
            return fixture.webhooks.delivery(tenantId, webhookId, accountId);
        }

        @Override
        public java.util.Optional<DeliveryState> recentDelivery(String tenantId, String webhookId, String accountId) {
            recentStateReads.incrementAndGet();
            return delivery(tenantId, webhookId, accountId);
        }

        @Override
        public boolean createDelivery(DeliveryState state) {
            return fixture.webhooks.createDelivery(state);
        }

        @Override
        public java.util.Optional<DeliveryState> replaceDelivery(DeliveryState changed) {
            if (changed.leaseOwner() == null && dieBeforeRelease.getAndSet(false)) {
                throw new IllegalStateException("the deliverer's process died before giving its lease back");
            }
            return fixture.webhooks.replaceDelivery(changed);
        }
    };
    private final WebhookDeliverer deliverer = new WebhookDeliverer(countedWebhooks, fixture.deadLetters,
            new EventFeed(countedLog, fixture.syncs), fixture.targets, fixture.time, WebhookFixture.POLICY);
    private final WebhookRounds rounds = new WebhookRounds(fixture.syncs, deliverer);

    @Test
    void aRoundOverACaughtUpAccountWritesNothingAndReadsNoEventsAndANewRunIsDeliveredWhole() {
        try (Receiver receiver = Receiver.start((eventId, attempt) -> Answer.OK)) {
            Webhook webhook = fixture.subscribe(receiver.url(), account, "user.created", "sync_run.completed");
            List<String> first = publishRun(account, 1, 2);
            rounds.everyAccount(fixture.anHourFromNow());
            assertEquals(first, receiver.taken(), "the run's events, its end included, in order");
            DeliveryState caughtUp = delivery(webhook);
            assertTrue(EventPositions.caughtUp(caughtUp.position(), 1), caughtUp.position());

            // Another process: its first round reads the subscriptions and the delivery's state, and nothing else.
            WebhookDeliverer otherProcess = new WebhookDeliverer(countedWebhooks, fixture.deadLetters,
                    new EventFeed(countedLog, fixture.syncs), fixture.targets, fixture.time, WebhookFixture.POLICY);
            WebhookRounds otherRounds = new WebhookRounds(fixture.syncs, otherProcess);
            int readsBefore = eventReads.get();
            int statesBefore = stateReads.get();
            int listingsBefore = listings.get();
            fixture.time.advance(Duration.ofMinutes(1));
            assertEquals(WebhookDeliverer.Status.CAUGHT_UP, otherRounds.everyAccount(fixture.anHourFromNow()).get(0).status());
            assertEquals(statesBefore + 1, stateReads.get());
            assertEquals(caughtUp.revision(), delivery(webhook).revision(), "no lease taken and given back");
            assertEquals(readsBefore, eventReads.get(), "no read of the account's events");

            // Its next rounds at the same mark, and the first process's (which delivered the run): nothing at all.
            for (int minute = 0; minute < 3; minute++) {
                fixture.time.advance(Duration.ofMinutes(1));
                assertEquals(List.of(), otherRounds.everyAccount(fixture.anHourFromNow()));
                assertEquals(List.of(), rounds.everyAccount(fixture.anHourFromNow()));
            }
            assertEquals(statesBefore + 1, stateReads.get(), "no read of the delivery's state");
            assertEquals(listingsBefore + 1, listings.get(), "the tenant's subscriptions not listed");
            assertEquals(readsBefore, eventReads.get());
            assertEquals(caughtUp.revision(), delivery(webhook).revision());

            // A run published since: the next round delivers it whole, and is caught up again after.
            List<String> second = publishRun(account, 2, 3);
            fixture.time.advance(Duration.ofMinutes(1));
            rounds.everyAccount(fixture.anHourFromNow());
            List<String> all = new ArrayList<>(first);
            all.addAll(second);
            assertEquals(all, receiver.taken());
            assertTrue(EventPositions.caughtUp(delivery(webhook).position(), 2));
        }
    }

    @Test
    void aFailedDeliveryIsNotTakenForCaughtUpAndTheLinksEventAloneIs() {
        assertFalse(EventPositions.caughtUp(null, 1), "a subscription that has dealt with nothing");
        assertTrue(EventPositions.caughtUp(EventPositions.of(EventPositions.LINK_ORDINAL, EventPositions.ACCOUNT_LINKED, EventPositions.ACCOUNT_KEY),
                EventPositions.LINK_ORDINAL), "the link is alone in its run");
        assertFalse(EventPositions.caughtUp(EventPositions.of(3, EventPositions.USER_CREATED, "o/org/u/user-1"), 3), "the middle of a run");
        assertFalse(EventPositions.caughtUp(EventPositions.of(3, EventPositions.RUN_ENDED, "account"), 3), "needs_reauth comes before the run's end");
        assertTrue(EventPositions.caughtUp(EventPositions.of(3, EventPositions.RUN_ENDED, EventPositions.RUN_END_KEY), 3));
        assertFalse(EventPositions.caughtUp(EventPositions.of(3, EventPositions.RUN_ENDED, EventPositions.RUN_END_KEY), 4), "a run published since");
        assertTrue(EventPositions.caughtUp(EventPositions.of(4, EventPositions.USER_CREATED, "o/org/u/user-1"), 3), "past the mark read");

        try (Receiver receiver = Receiver.start((eventId, attempt) -> new Answer(500, java.util.Map.of()))) {
            Webhook webhook = fixture.subscribe(receiver.url(), account, "user.created", "sync_run.completed");
            publishRun(account, 1, 1);
            rounds.everyAccount(fixture.anHourFromNow());
            DeliveryState failing = delivery(webhook);
            assertEquals(1, failing.failures());
            fixture.time.advanceTo(failing.retryAt());
            rounds.everyAccount(fixture.anHourFromNow());
            assertEquals(2, receiver.requests().size(), "the failed event is tried again when due");
        }
    }

    @Test
    void aTurnWritesItsCursorWithItsLeaseAndReleaseAndOneThatDiesBeforeItsReleaseIsDeliveredAgainInOrder() {
        try (Receiver receiver = Receiver.start((eventId, attempt) -> Answer.OK)) {
            Webhook webhook = fixture.subscribe(receiver.url(), account, "user.created", "sync_run.completed");
            long before = delivery(webhook).revision();
            List<String> first = publishRun(account, 1, 5);
            int readsBefore = eventReads.get();
            assertEquals(WebhookDeliverer.Status.CAUGHT_UP, deliverer.deliver(webhook, account, fixture.anHourFromNow()).status());
            assertEquals(first, receiver.taken());
            assertEquals(before + 2, delivery(webhook).revision(), "six events: the lease and its release, not a write each");
            assertEquals(readsBefore + 1, eventReads.get(), "one page, short of a whole one: the feed's end, not read again");

            List<String> second = publishRun(account, 2, 3);
            dieBeforeRelease.set(true);
            org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> deliverer.deliver(webhook, account, fixture.anHourFromNow()));
            fixture.time.advance(WebhookFixture.POLICY.turn().plus(WebhookFixture.POLICY.requestTimeout()).plusSeconds(1)); // its lease lapses
            assertEquals(WebhookDeliverer.Status.CAUGHT_UP, deliverer.deliver(webhook, account, fixture.anHourFromNow()).status());
            List<String> expected = new ArrayList<>(first);
            expected.addAll(second);
            expected.addAll(second);
            assertEquals(expected, receiver.taken(), "the dead turn's deliveries sent again, in order, ids unchanged");
        }
    }

    @Test
    void aLongTurnWritesItsCursorEverySoManyDeliveries() {
        try (Receiver receiver = Receiver.start((eventId, attempt) -> Answer.OK)) {
            Webhook webhook = fixture.subscribe(receiver.url(), account, "user.created", "sync_run.completed");
            long before = delivery(webhook).revision();
            publishRun(account, 1, 2 * WebhookDeliverer.SAVE_EVERY + 4);
            deliverer.deliver(webhook, account, fixture.anHourFromNow());
            assertEquals(2 * WebhookDeliverer.SAVE_EVERY + 5, receiver.taken().size());
            assertEquals(before + 4, delivery(webhook).revision(), "the lease, two saves on the way, the release");
        }
    }

    @Test
    void aRoundWhoseReleaseFailedIsNotRememberedCaughtUpAndTheNextRoundSendsAgain() {
        try (Receiver receiver = Receiver.start((eventId, attempt) -> Answer.OK)) {
            fixture.subscribe(receiver.url(), account, "user.created", "sync_run.completed");
            List<String> first = publishRun(account, 1, 2);
            dieBeforeRelease.set(true);
            rounds.everyAccount(fixture.anHourFromNow()); // the turn's failure is logged: the round goes on
            assertFalse(dieBeforeRelease.get(), "the release failed");
            fixture.time.advance(WebhookFixture.POLICY.turn().plus(WebhookFixture.POLICY.requestTimeout()).plusSeconds(1));
            rounds.everyAccount(fixture.anHourFromNow()); // the same process, the same publication mark
            List<String> twice = new ArrayList<>(first);
            twice.addAll(first);
            assertEquals(twice, receiver.taken(), "the cursor was never stored: sent again, not taken for caught up");
        }
    }

    @Test
    void aSubscriptionRemovedAfterTheRoundListedItIsSentNothing() {
        try (Receiver receiver = Receiver.start((eventId, attempt) -> Answer.OK)) {
            Webhook webhook = fixture.subscribe(receiver.url(), account, "user.created", "sync_run.completed");
            publishRun(account, 1, 2);
            fixture.service.unsubscribe(WebhookFixture.TENANT, webhook.id());
            // As a round whose listing was read a moment before the removal.
            deliverer.deliver(webhook, account, fixture.anHourFromNow());
            assertEquals(List.of(), receiver.taken(), "not sent the account's log from its start");
            assertTrue(fixture.webhooks.delivery(WebhookFixture.TENANT, webhook.id(), account).isEmpty(), "no delivery state made again");
        }
    }

    @Test
    void aFailurePendingIsNotTakenForCaughtUpFromAListingBehindTheMark() {
        try (Receiver receiver = Receiver.start((eventId, attempt) -> eventId.equals("evt_2_0") && attempt == 1
                ? new Answer(500, java.util.Map.of()) : Answer.OK)) {
            Webhook webhook = fixture.subscribe(receiver.url(), account, "user.created", "sync_run.completed");
            publishRun(account, 1, 1);
            deliverer.deliver(webhook, account, fixture.anHourFromNow());
            List<String> second = publishRun(account, 2, 1);
            deliverer.deliver(webhook, account, fixture.anHourFromNow()); // run 2's first event fails
            DeliveryState failing = delivery(webhook);
            assertEquals(1, failing.failures());
            assertTrue(EventPositions.caughtUp(failing.position(), 1), "its cursor is at run 1's end");
            fixture.time.advanceTo(failing.retryAt());
            // A round with the listing's mark still at run 1: the failure pending is not taken for caught up (the turn
            // reads what that mark covers: nothing more), and the next round, at the mark, delivers run 2.
            WebhookDeliverer.Report behind = deliverer.deliver(webhook, account, 1, fixture.anHourFromNow());
            assertEquals(WebhookDeliverer.Status.RETRY_LATER, behind.status());
            assertEquals(1, delivery(webhook).failures(), "still pending");
            rounds.everyAccount(fixture.anHourFromNow());
            assertTrue(receiver.taken().containsAll(second), "delivered at the mark: " + receiver.taken());
            assertEquals(0, delivery(webhook).failures());
        }
    }

    /**
     * The worker that published a run hands the run's events to the delivery that follows (see {@link
     * dev.kitebridge.events.Publication#events}): a subscription that has dealt with every run before it
     * is sent them, under its lease as ever, without a read of the account's events.
     */
    @Test
    void aRunsEventsHandedOverByItsWorkerAreSentWithoutReadingThemAgain() {
        try (Receiver receiver = Receiver.start((eventId, attempt) -> Answer.OK)) {
            Webhook webhook = fixture.subscribe(receiver.url(), account, "user.created", "sync_run.completed");
            List<String> first = publishRun(account, 1, 1);
            rounds.everyAccount(fixture.anHourFromNow());
            long caughtUp = delivery(webhook).revision();

            List<String> second = publishRun(account, 2, 3);
            List<ChangeEvent> published = fixture.log.list(account, EventPositions.firstOfRun(2), EventPositions.firstOfRun(3), 100);
            int readsBefore = eventReads.get();
            int statesBefore = stateReads.get();
            int recentBefore = recentStateReads.get();
            List<WebhookDeliverer.Report> reports = rounds.afterRun(WebhookFixture.TENANT, account,
                    new dev.kitebridge.events.Publication(2, published), fixture.anHourFromNow());
            assertEquals(List.of(1, 1), List.of(stateReads.get() - statesBefore, recentStateReads.get() - recentBefore),
                    "the turn's one read of its delivery state, as stored a moment ago (its writes fence it)");
            assertEquals(List.of(WebhookDeliverer.Status.CAUGHT_UP), reports.stream().map(WebhookDeliverer.Report::status).toList());
            assertEquals(readsBefore, eventReads.get(), "the run's events not read again");
            List<String> all = new ArrayList<>(first);
            all.addAll(second);
            assertEquals(all, receiver.taken(), "in order, each once");
            assertEquals(caughtUp + 2, delivery(webhook).revision(), "its lease and its release, as ever");
        }
    }

    /**
     * A subscription that has not dealt with the run before the one handed over (behind by a run, or
     * a failure pending) is sent what the feed has after its cursor: the run's events at hand are not
     * all it is owed.
     */
    @Test
    void aSubscriptionBehindTheRunBeforeReadsTheFeedNotTheEventsHandedOver() {
        try (Receiver receiver = Receiver.start((eventId, attempt) -> Answer.OK)) {
            Webhook webhook = fixture.subscribe(receiver.url(), account, "user.created", "sync_run.completed");
            List<String> first = publishRun(account, 1, 1);
            rounds.everyAccount(fixture.anHourFromNow());
            List<String> second = publishRun(account, 2, 2); // not delivered yet: published as the third run starts
            List<String> third = publishRun(account, 3, 1);
            int readsBefore = eventReads.get();
            rounds.afterRun(WebhookFixture.TENANT, account, new dev.kitebridge.events.Publication(3,
                    fixture.log.list(account, EventPositions.firstOfRun(3), EventPositions.firstOfRun(4), 100)), fixture.anHourFromNow());
            assertTrue(eventReads.get() > readsBefore, "read from the feed");
            List<String> all = new ArrayList<>(first);
            all.addAll(second);
            all.addAll(third);
            assertEquals(all, receiver.taken(), "the run before it too, in order");
        }
    }

    /** A run's events as the sync engine publishes them: {@code users} users created, then the run's end. */
    private List<String> publishRun(String accountId, long run, int users) {
        AccountSync state = fixture.syncs.account(accountId).orElseThrow();
        List<ChangeEvent> events = new ArrayList<>();
        for (int i = 0; i < users; i++) {
            String key = "o/org/u/user-" + run + "-" + i;
            events.add(new ChangeEvent("evt_" + run + "_" + i, "user.created", state.tenantId(), accountId, fixture.time.now(),
                    ApiJson.MAPPER.createObjectNode().put("id", key), null, EventPositions.of(run, EventPositions.USER_CREATED, key)));
        }
        events.add(new ChangeEvent("evt_" + run + "_end", "sync_run.completed", state.tenantId(), accountId, fixture.time.now(),
                ApiJson.MAPPER.createObjectNode().put("id", "run_" + run), null,
                EventPositions.of(run, EventPositions.RUN_ENDED, EventPositions.RUN_END_KEY)));
        fixture.log.put(accountId, events);
        fixture.syncs.replaceAccount(state.published(run, run)).orElseThrow();
        return events.stream().map(ChangeEvent::id).toList();
    }

    private DeliveryState delivery(Webhook webhook) {
        return fixture.webhooks.delivery(WebhookFixture.TENANT, webhook.id(), account).orElseThrow();
    }
}
