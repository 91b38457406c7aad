package dev.kitebridge.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.webhooks.Receiver.Answer;

/**
 * Rounds are fair: one tenant's receiver that throttles or hangs costs another tenant's deliveries
 * nothing. Time is the fixture's clock, moved by the test a minute per round; nothing sleeps.
 */
class WebhookRoundsTest {

    private static final String OTHER_TENANT = "tenant-b";

    private final WebhookFixture fixture = new WebhookFixture();
    private final String throttledAccount = fixture.account("acct_1");
    private final String otherAccount = fixture.account(OTHER_TENANT, "acct_b");

    @Test
    void aReceiverAnswering429ForAnHourIsAskedLessAndLessOftenAndAnotherTenantKeepsItsPace() {
        // The deployed policy: backoff from 10 s doubling to an hour, parked after 20 attempts and a day.
        WebhookDeliverer deliverer = new WebhookDeliverer(fixture.webhooks, fixture.deadLetters, fixture.feed, fixture.targets,
                fixture.time, WebhookDeliverer.Policy.DEFAULT);
        WebhookRounds rounds = new WebhookRounds(fixture.syncs, deliverer);
        try (Receiver throttling = Receiver.start((eventId, attempt) -> new Answer(429, Map.of("Retry-After", "1")));
             Receiver steady = Receiver.start((eventId, attempt) -> Answer.OK)) {
            Webhook throttled = fixture.subscribe(throttling.url(), throttledAccount, "user.created");
            fixture.service.subscribe(OTHER_TENANT, steady.url(), List.of("user.created"), otherAccount);
            Instant start = fixture.time.now();
            Instant lastRound = start;

            for (int minute = 1; minute <= 60; minute++) {
                fixture.publish(throttledAccount, minute, "user.created");
                List<ChangeEvent> published = fixture.publish(otherAccount, minute, "user.created");

                lastRound = fixture.time.now();
                rounds.everyAccount(lastRound.plus(Duration.ofSeconds(50)));

                List<String> taken = steady.taken();
                assertEquals(minute, taken.size(), "minute " + minute + ": the other tenant's event went in the round it was published");
                assertEquals(published.get(0).id(), taken.get(taken.size() - 1));
                fixture.time.advance(Duration.ofMinutes(1));
            }

            List<Long> asked = throttling.requests().stream().map(r -> Long.parseLong(r.signature().split(",")[0].substring(2))).toList();
            assertTrue(asked.size() >= 5 && asked.size() <= 12, "asked " + asked.size() + " times in an hour, not every second");
            List<Long> gaps = new ArrayList<>();
            for (int i = 1; i < asked.size(); i++) {
                gaps.add(asked.get(i) - asked.get(i - 1));
            }
            assertTrue(gaps.stream().allMatch(gap -> gap >= 1), "never sooner than Retry-After: " + gaps);
            assertTrue(gaps.get(gaps.size() - 1) >= 10 * 60, "less and less often: " + gaps);
            DeliveryState waiting = fixture.webhooks.delivery(WebhookFixture.TENANT, throttled.id(), throttledAccount).orElseThrow();
            assertEquals(asked.size(), waiting.failures(), "every attempt is one failure, stored with the subscription");
            // Due after the last round, not within it (the clock has moved a minute since, and the jitter may make it due by now).
            assertTrue(waiting.retryAt().isAfter(lastRound), "the next attempt is scheduled, not waited for: retry at "
                    + waiting.retryAt() + ", last round " + lastRound + ", gaps " + gaps);
            assertTrue(fixture.deadLetters.list(WebhookFixture.TENANT, throttled.id()).isEmpty(), "not parked: a day has not passed");
            assertEquals(start.plus(Duration.ofMinutes(60)), fixture.time.now(), "only the test moved the clock");
        }
    }

    @Test
    void aReceiverThatHangsHoldsUpNoOtherTenantInTheRound() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        // Requests may take 30 s: the round cannot end before the hanging one is let go, unless that much real time passes.
        WebhookDeliverer deliverer = new WebhookDeliverer(fixture.webhooks, fixture.deadLetters, fixture.feed, fixture.targets,
                fixture.time, new WebhookDeliverer.Policy(5, Duration.ofMinutes(10), Duration.ofSeconds(1), Duration.ofSeconds(60),
                Duration.ofSeconds(30), 100, Duration.ofMinutes(1)));
        WebhookRounds rounds = new WebhookRounds(fixture.syncs, deliverer);
        try (Receiver hanging = Receiver.start((eventId, attempt) -> {
                 release.await(60, TimeUnit.SECONDS);
                 return Answer.OK;
             });
             Receiver steady = Receiver.start((eventId, attempt) -> Answer.OK)) {
            fixture.subscribe(hanging.url(), throttledAccount, "user.created");
            fixture.service.subscribe(OTHER_TENANT, steady.url(), List.of("user.created"), otherAccount);
            fixture.publish(throttledAccount, 1, "user.created");
            List<ChangeEvent> other = fixture.publish(otherAccount, 1, "user.created");

            CompletableFuture<List<WebhookDeliverer.Report>> round = CompletableFuture.supplyAsync(
                    () -> rounds.everyAccount(fixture.time.now().plus(Duration.ofSeconds(50))));
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(25); // a bound on a wait, not a measure
            while (steady.taken().isEmpty() && System.nanoTime() < giveUp) {
                Thread.sleep(10);
            }

            assertEquals(List.of(other.get(0).id()), steady.taken(), "delivered while the other receiver still holds its request");
            assertFalse(round.isDone(), "the round waits for the hanging turn, which alone waits for its receiver");
            release.countDown();
            assertEquals(2, round.get(30, TimeUnit.SECONDS).stream().mapToInt(WebhookDeliverer.Report::delivered).sum());
        }
    }
}
