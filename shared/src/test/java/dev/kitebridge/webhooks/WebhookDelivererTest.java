package dev.kitebridge.webhooks;

import static dev.kitebridge.webhooks.WebhookFixture.ids;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;

import dev.kitebridge.LogCapture;
import dev.kitebridge.contract.ApiJson;
import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.metrics.Metrics;
import dev.kitebridge.webhooks.Receiver.Answer;
import dev.kitebridge.webhooks.WebhookDeliverer.Report;
import dev.kitebridge.webhooks.WebhookDeliverer.Status;

/** Deliveries to a real HTTP receiver on localhost, on a clock that moves only when the deliverer waits. */
class WebhookDelivererTest {

    private final WebhookFixture fixture = new WebhookFixture();
    private final String account = fixture.account("acct_1");

    @Test
    void aReceiverAnswering500Then429ThenOkGetsEachEventOnceInOrderSigned() throws Exception {
        Instant twoMinutesOn = fixture.time.now().plusSeconds(120);
        String inTwoMinutes = DateTimeFormatter.RFC_1123_DATE_TIME.format(twoMinutesOn.atZone(ZoneOffset.UTC));
        try (Receiver receiver = Receiver.start((eventId, attempt) -> switch (eventId + "#" + attempt) {
            case "evt_1_0#1" -> Answer.of(500);
            case "evt_1_0#2" -> new Answer(429, Map.of("Retry-After", "30"));
            case "evt_1_1#1" -> new Answer(503, Map.of("Retry-After", inTwoMinutes));
            default -> Answer.OK;
        })) {
            Webhook webhook = fixture.subscribe(receiver.url(), account, "user.created", "user.deleted");
            List<ChangeEvent> events = fixture.publish(account, 1, "user.created", "user.deleted", "user.created");

            Report report = fixture.deliverUntil(webhook, account, fixture.anHourFromNow());

            assertEquals(Status.CAUGHT_UP, report.status());
            assertEquals(3, report.delivered());
            assertEquals(ids(events), receiver.taken(), "each once, in order");
            List<Receiver.Request> requests = receiver.requests();
            assertEquals(List.of(500, 429, 200, 503, 200, 200), requests.stream().map(Receiver.Request::answered).toList());
            assertTrue(timestamp(requests.get(2)) - timestamp(requests.get(1)) >= 30, "the 429's Retry-After (seconds) was waited out");
            assertTrue(timestamp(requests.get(4)) >= twoMinutesOn.getEpochSecond(), "the 503's Retry-After (a date) was waited out");
            List<Receiver.Request> delivered = requests.stream().filter(r -> r.answered() == 200).toList();
            for (int i = 0; i < events.size(); i++) {
                Receiver.Request delivery = delivered.get(i);
                assertEquals("application/json", delivery.contentType());
                assertEquals(ApiJson.write(events.get(i)), delivery.body(), "the event as GET /events gives it");
                assertFalse(delivery.body().contains("position"));
                assertTrue(readmeVerify(delivery.signature(), delivery.body(), webhook.signingSecret()), "README's snippet verifies it");
                assertTrue(WebhookSignature.verify(webhook.signingSecret(), delivery.signature(), delivery.body(), fixture.time.now(),
                        Duration.ofMinutes(5)));
            }
            Receiver.Request one = delivered.get(0);
            String tampered = one.body().replace("user0@example.com", "mallory@example.com");
            assertFalse(readmeVerify(one.signature(), tampered, webhook.signingSecret()), "a tampered body fails");
            assertFalse(WebhookSignature.verify(webhook.signingSecret(), one.signature(), tampered, fixture.time.now(), Duration.ofMinutes(5)));
            assertFalse(WebhookSignature.verify("whsec_another", one.signature(), one.body(), fixture.time.now(), Duration.ofMinutes(5)));
            assertFalse(WebhookSignature.verify(webhook.signingSecret(), one.signature(), one.body(), fixture.time.now().plus(Duration.ofHours(1)),
                    Duration.ofMinutes(5)), "an old delivery sent again fails");
        }
    }

    @Test
    void aNewSubscriptionGetsWhatIsPublishedAfterItNotTheHistoryAndOnlyItsTypes() {
        try (Receiver receiver = Receiver.start((eventId, attempt) -> Answer.OK)) {
            fixture.publish(account, 1, "user.created", "user.created");
            Webhook webhook = fixture.subscribe(receiver.url(), null, "user.deleted", "group.created");
            List<ChangeEvent> second = fixture.publish(account, 2, "user.deleted", "user.updated", "group.created", "user.created");

            Report report = fixture.deliverer.deliver(webhook, account, fixture.anHourFromNow());

            assertEquals(List.of(second.get(0).id(), second.get(2).id()), receiver.taken());
            assertEquals(2, report.skipped());
            assertEquals(second.get(3).position(), fixture.webhooks.delivery(WebhookFixture.TENANT, webhook.id(), account).orElseThrow()
                    .position(), "skipped events move the cursor too");
            assertEquals(Status.CAUGHT_UP, fixture.deliverer.deliver(webhook, account, fixture.anHourFromNow()).status());
            assertEquals(2, receiver.requests().size(), "nothing is sent twice");
        }
    }

    @Test
    void anAccountLinkedAfterATenantWideSubscriptionIsDeliveredFromItsFirstEvent() {
        try (Receiver receiver = Receiver.start((eventId, attempt) -> Answer.OK)) {
            Webhook webhook = fixture.subscribe(receiver.url(), null, "user.created");
            String later = fixture.account("acct_2");
            List<ChangeEvent> events = fixture.publish(later, 1, "user.created");

            List<Report> reports = fixture.deliverer.deliverAccounts(List.of(new WebhookDeliverer.Account(WebhookFixture.TENANT, later)),
                    fixture.anHourFromNow());

            assertEquals(1, reports.size());
            assertEquals(webhook.id(), reports.get(0).webhookId());
            assertEquals(ids(events), receiver.taken());
        }
    }

    @Test
    void aReceiverDownForAWhileGetsEverythingInOrderOnceItIsBack() {
        try (Receiver receiver = Receiver.start((eventId, attempt) -> Answer.OK)) {
            Webhook webhook = fixture.subscribe(receiver.url(), account, "user.created", "user.deleted");
            List<ChangeEvent> first = fixture.publish(account, 1, "user.created", "user.deleted");
            receiver.stop();

            Report down = fixture.deliverUntil(webhook, account, fixture.time.now().plus(Duration.ofMinutes(2)));
            assertEquals(Status.RETRY_LATER, down.status());
            assertEquals(0, down.delivered());
            assertTrue(down.retryAt().isAfter(fixture.time.now().minusSeconds(1)));
            DeliveryState waiting = fixture.webhooks.delivery(WebhookFixture.TENANT, webhook.id(), account).orElseThrow();
            assertTrue(waiting.failures() >= 3, "retried with backoff: " + waiting.failures());
            assertNull(waiting.leaseOwner(), "the lease is given back");

            List<ChangeEvent> second = fixture.publish(account, 2, "user.created");
            fixture.time.advance(Duration.ofMinutes(3));
            assertEquals(Status.RETRY_LATER, fixture.deliverUntil(webhook, account, fixture.time.now().plus(Duration.ofMinutes(2)))
                    .status(), "still down, and still not parked: it has not failed for long enough");
            assertTrue(fixture.deadLetters.list(WebhookFixture.TENANT, webhook.id()).isEmpty());

            receiver.restart();
            fixture.time.advance(Duration.ofMinutes(1));
            Report back = fixture.deliverUntil(webhook, account, fixture.anHourFromNow());

            assertEquals(Status.CAUGHT_UP, back.status());
            assertEquals(List.of(first.get(0).id(), first.get(1).id(), second.get(0).id()), receiver.taken());
            assertEquals(0, fixture.webhooks.delivery(WebhookFixture.TENANT, webhook.id(), account).orElseThrow().failures());
        }
    }

    @Test
    void anEventRefusedPastThePolicyIsParkedDeliveryGoesOnAndAReplayDeliversIt() {
        AtomicBoolean fixed = new AtomicBoolean();
        try (Receiver receiver = Receiver.start((eventId, attempt) -> eventId.equals("evt_1_1") && !fixed.get() ? Answer.of(503) : Answer.OK)) {
            Webhook webhook = fixture.subscribe(receiver.url(), account, "user.created");
            List<ChangeEvent> events = fixture.publish(account, 1, "user.created", "user.created", "user.created");

            Report report = fixture.deliverUntil(webhook, account, fixture.anHourFromNow());

            assertEquals(Status.CAUGHT_UP, report.status());
            assertEquals(1, report.parked());
            assertEquals(List.of(events.get(0).id(), events.get(2).id()), receiver.taken());
            List<DeadLetterStore.ParkedDelivery> parked = fixture.deadLetters.list(WebhookFixture.TENANT, webhook.id());
            assertEquals(1, parked.size());
            assertEquals(events.get(1).id(), parked.get(0).eventId());
            assertEquals("the receiver answered 503", parked.get(0).reason());
            assertTrue(parked.get(0).attempts() >= WebhookFixture.POLICY.maxAttempts());

            Report stillDown = fixture.deliverer.replay(webhook, fixture.time.now().plus(Duration.ofSeconds(30)));
            assertEquals(Status.RETRY_LATER, stillDown.status());
            assertEquals(1, fixture.deadLetters.list(WebhookFixture.TENANT, webhook.id()).size(), "kept until delivered");

            fixed.set(true);
            Report replayed = fixture.deliverer.replay(webhook, fixture.anHourFromNow());
            assertEquals(Status.CAUGHT_UP, replayed.status());
            assertEquals(1, replayed.delivered());
            assertEquals(List.of(events.get(0).id(), events.get(2).id(), events.get(1).id()), receiver.taken());
            assertTrue(fixture.deadLetters.list(WebhookFixture.TENANT, webhook.id()).isEmpty());
            Receiver.Request last = receiver.requests().get(receiver.requests().size() - 1);
            assertEquals(ApiJson.write(events.get(1)), last.body(), "replayed as it was first sent");
            assertTrue(WebhookSignature.verify(webhook.signingSecret(), last.signature(), last.body(), fixture.time.now(),
                    Duration.ofMinutes(5)), "signed again with a fresh timestamp");
        }
    }

    @Test
    void aReplayAnswersAlikeWhetherTheTargetRefusedFailedWasDownTimedOutOrWasNeverReached() throws Exception {
        fixture.names.put("metadata.example.com", List.of(InetAddress.getByName("169.254.169.254")));
        try (Receiver refusing = Receiver.start((eventId, attempt) -> Answer.of(410));
             Receiver throttling = Receiver.start((eventId, attempt) -> new Answer(429, Map.of("Retry-After", "3600")));
             Receiver down = Receiver.start((eventId, attempt) -> Answer.OK);
             ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            down.stop();
            List<String> targets = List.of(refusing.url(), throttling.url(), down.url(),
                    "http://127.0.0.1:" + silent.getLocalPort() + "/hooks", "https://metadata.example.com/hooks");
            List<List<Object>> answers = new ArrayList<>();
            for (String target : targets) {
                Webhook webhook = Webhook.create(WebhookFixture.TENANT, target, List.of("user.created"), account, fixture.time.now());
                fixture.webhooks.create(webhook);
                fixture.deadLetters.park(new DeadLetterStore.ParkedDelivery(WebhookFixture.TENANT, webhook.id(), account, "0001", "evt_0",
                        "{}", "the receiver answered 503", 20, fixture.time.now()));

                Report report = fixture.deliverer.replay(webhook, fixture.anHourFromNow());

                answers.add(List.of(report.status(), report.delivered(), Duration.between(fixture.time.now(), report.retryAt())));
                assertEquals(1, fixture.deadLetters.list(WebhookFixture.TENANT, webhook.id()).size(), target + ": still parked");
            }
            assertEquals(List.of(Status.RETRY_LATER, 0, WebhookFixture.POLICY.firstBackoff()), answers.get(0));
            assertEquals(Collections.nCopies(targets.size(), answers.get(0)), answers, "nothing tells which went wrong");
        }
    }

    @Test
    void a410ParksTheEventAtOnce() {
        try (Receiver receiver = Receiver.start((eventId, attempt) -> eventId.equals("evt_1_0") ? Answer.of(410) : Answer.OK);
             LogCapture metrics = LogCapture.of(Metrics.LOGGER)) {
            Webhook webhook = fixture.subscribe(receiver.url(), account, "user.created");
            List<ChangeEvent> events = fixture.publish(account, 1, "user.created", "user.created");

            Report report = fixture.deliverer.deliver(webhook, account, fixture.anHourFromNow());

            assertEquals(1, report.parked());
            var line = metrics.json("webhook_deliveries");
            assertEquals(1, line.size(), line.toString());
            assertEquals(1, line.get(0).get("WebhookDeliveriesParked").asInt(), "the parked delivery is a metric the template's alarm watches");
            assertEquals(1, line.get(0).get("WebhookDeliveries").asInt());
            assertEquals(List.of("evt_1_0", "evt_1_1"), receiver.requests().stream().map(Receiver.Request::eventId).toList(),
                    "no second attempt at the refused event");
            assertEquals(List.of(events.get(1).id()), receiver.taken());
            DeadLetterStore.ParkedDelivery parked = fixture.deadLetters.list(WebhookFixture.TENANT, webhook.id()).get(0);
            assertEquals("the receiver answered 410", parked.reason());
            assertEquals(1, parked.attempts());
        }
    }

    @Test
    void aTargetThatIsAMetadataAddressIsNeverCalled() {
        Webhook webhook = Webhook.create(WebhookFixture.TENANT, "https://169.254.169.254/latest/meta-data/", List.of("user.created"),
                account, fixture.time.now());
        fixture.webhooks.create(webhook); // past the API's check, as if DNS changed since
        fixture.publish(account, 1, "user.created");

        Report report = fixture.deliverer.deliver(webhook, account, fixture.anHourFromNow());

        assertEquals(1, report.parked());
        assertEquals("the target's host resolves to a link-local or metadata address",
                fixture.deadLetters.list(WebhookFixture.TENANT, webhook.id()).get(0).reason());
    }

    @Test
    void aSecondDelivererDoesNothingWhileTheLeaseIsHeld() throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Receiver receiver = Receiver.start((eventId, attempt) -> {
            arrived.countDown();
            release.await(10, TimeUnit.SECONDS);
            return Answer.OK;
        })) {
            Webhook webhook = fixture.subscribe(receiver.url(), account, "user.created");
            List<ChangeEvent> events = fixture.publish(account, 1, "user.created", "user.created");
            CompletableFuture<Report> first = CompletableFuture.supplyAsync(
                    () -> fixture.deliverer.deliver(webhook, account, fixture.anHourFromNow()));
            assertTrue(arrived.await(10, TimeUnit.SECONDS));

            Report second = fixture.deliverer.deliver(webhook, account, fixture.anHourFromNow());

            assertEquals(Status.BUSY, second.status());
            assertEquals(0, second.delivered());
            release.countDown();
            assertEquals(Status.CAUGHT_UP, first.get(10, TimeUnit.SECONDS).status());
            assertEquals(ids(events), receiver.taken(), "each once: the second deliverer sent nothing");
        }
    }

    @Test
    void theLeaseOfADeliveryThatDiedExpires() {
        try (Receiver receiver = Receiver.start((eventId, attempt) -> Answer.OK)) {
            Webhook webhook = fixture.subscribe(receiver.url(), account, "user.created");
            List<ChangeEvent> events = fixture.publish(account, 1, "user.created");
            DeliveryState state = fixture.webhooks.delivery(WebhookFixture.TENANT, webhook.id(), account).orElseThrow();
            fixture.webhooks.replaceDelivery(state.leasedTo("a-worker-that-died", fixture.time.now().plus(Duration.ofMinutes(5))));

            assertEquals(Status.BUSY, fixture.deliverer.deliver(webhook, account, fixture.anHourFromNow()).status());
            fixture.time.advance(Duration.ofMinutes(6));
            assertEquals(Status.CAUGHT_UP, fixture.deliverer.deliver(webhook, account, fixture.anHourFromNow()).status());
            assertEquals(ids(events), receiver.taken());
        }
    }

    @Test
    void theSigningSecretIsInNoLogLine() {
        try (LogCapture logs = LogCapture.of("");
             Receiver receiver = Receiver.start((eventId, attempt) -> switch (eventId) {
                 case "evt_1_0" -> attempt < 3 ? Answer.of(500) : Answer.OK;
                 case "evt_1_1" -> Answer.of(400);
                 default -> Answer.OK;
             })) {
            Webhook webhook = fixture.subscribe(receiver.url(), account, "user.created");
            fixture.publish(account, 1, "user.created", "user.created");
            fixture.deliverUntil(webhook, account, fixture.anHourFromNow());
            fixture.deliverer.replay(webhook, fixture.anHourFromNow());

            assertTrue(logs.lines().stream().anyMatch(l -> l.contains(webhook.id())), "deliveries were logged");
            for (String line : logs.lines()) {
                assertFalse(line.contains(webhook.signingSecret()), "a log line shows the signing secret: " + line);
            }
            assertFalse(webhook.toString().contains(webhook.signingSecret()));
        }
    }

    private static long timestamp(Receiver.Request request) {
        return Long.parseLong(request.signature().split(",")[0].substring(2));
    }

    /** The snippet in README's "Change events and webhooks", as a receiver would write it. */
    static boolean readmeVerify(String header, String body, String secret) throws Exception {
        Map<String, String> parts = new HashMap<>();
        for (String part : header.split(",")) { String[] kv = part.split("=", 2); parts.put(kv[0], kv[1]); }
        long t = Long.parseLong(parts.get("t"));
        if (Math.abs(Instant.now().getEpochSecond() - t) > 300) return false; // an old delivery sent again
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(UTF_8), "HmacSHA256"));
        byte[] expected = HexFormat.of().formatHex(mac.doFinal((t + "." + body).getBytes(UTF_8))).getBytes(UTF_8);
        return MessageDigest.isEqual(expected, parts.get("v1").getBytes(UTF_8)); // constant time
    }
}
