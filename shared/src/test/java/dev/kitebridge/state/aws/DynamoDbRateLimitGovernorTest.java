package dev.kitebridge.state.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;

import dev.kitebridge.buildkite.ratelimit.Budget;
import dev.kitebridge.buildkite.ratelimit.BudgetReading;
import dev.kitebridge.buildkite.ratelimit.RateLimitGovernor;
import dev.kitebridge.buildkite.ratelimit.RateLimitGovernor.Decision;
import dev.kitebridge.buildkite.ratelimit.RateLimitGovernorContract;
import dev.kitebridge.time.TimeSource;

class DynamoDbRateLimitGovernorTest extends RateLimitGovernorContract {

    private Dynalite.Table table;

    @Override
    protected RateLimitGovernor newGovernor() {
        table = Dynalite.get().newTable();
        return new DynamoDbRateLimitGovernor(table.client(), table.name(), TimeSource.SYSTEM);
    }

    @Override
    protected RateLimitGovernor anotherInstance() {
        return new DynamoDbRateLimitGovernor(table.client(), table.name(), TimeSource.SYSTEM);
    }

    @Override
    protected Duration othersLearnWithin() {
        return DynamoDbRateLimitGovernor.READ_EVERY;
    }

    /**
     * Within {@link DynamoDbRateLimitGovernor#READ_EVERY} of its last read or write of the item, an
     * instance grants from its allowance without reading it: another instance's answer that the
     * budget is low binds it beyond its allowance at once, within it only past that. What gets
     * through is the allowance's calls (here 10, where Buildkite has 2 left), no more: the item
     * counts them in flight, so the other instance refused its calls instead.
     */
    @Test
    void withinReadEveryAnotherInstancesLowAnswerBindsBeyondTheAllowanceOnly() {
        RateLimitGovernor other = newGovernor();
        RateLimitGovernor governor = anotherInstance();
        Budget user = Budget.user(Budget.Api.REST, "u");
        Instant t0 = Instant.parse("2026-11-25T12:00:00Z");
        other.reserve(List.of(user), 1, t0);
        other.settle(List.of(user), 1, List.of(new BudgetReading(user, 50, 49, t0.plusSeconds(600), t0)));
        governor.reserve(List.of(user), 1, t0);
        governor.settle(List.of(user), 1, List.of(new BudgetReading(user, 50, 2, t0.plusSeconds(600), t0.plusSeconds(1))));
        int granted = 0;
        for (int i = 0; i < 20; i++) {
            granted += other.reserve(List.of(user), 1, t0.plusSeconds(2)) instanceof Decision.Granted ? 1 : 0;
        }
        assertEquals(DynamoDbRateLimitGovernor.ALLOWANCE_CALLS, granted, "its allowance, and not one call more");
    }

    /**
     * Where its answers say Buildkite counted more since its last write than its own calls reserved,
     * another caller is spending the budget: the instance reads the item at its next grant, within
     * {@link DynamoDbRateLimitGovernor#READ_EVERY} too, and another instance's hold binds at once (as
     * its low answer would, and its writes that cut its allowance give back, to a caller refused).
     */
    @Test
    void answersShowingAnotherCallerSpendingMakeTheNextGrantReadTheItem() {
        RateLimitGovernor first = newGovernor();
        RateLimitGovernor second = anotherInstance();
        Budget org = Budget.organization(Budget.Api.REST, "acme");
        Instant t0 = Instant.parse("2026-11-25T12:00:00Z");
        first.reserve(List.of(org), 1, t0);
        first.settle(List.of(org), 1, List.of(new BudgetReading(org, 200, 199, t0.plusSeconds(60), t0)));
        second.reserve(List.of(org), 1, t0.plusSeconds(1));
        second.holdUntil(org, t0.plusSeconds(60));
        Instant t2 = t0.plusSeconds(2);
        assertInstanceOf(Decision.Granted.class, first.reserve(List.of(org), 1, t2), "its own answers show no one else yet");
        first.settle(List.of(org), 1, List.of(new BudgetReading(org, 200, 150, t0.plusSeconds(60), t2)));
        assertEquals(new Decision.NotBefore(t0.plusSeconds(60), org), first.reserve(List.of(org), 1, t0.plusSeconds(3)),
                "49 counted for its 1: the hold, read, binds");
    }

    /**
     * A pass's worker making ten GraphQL calls within a second on the organization's and the user's
     * budgets: its first call reads and writes each item, taking an allowance, and the others are
     * granted from it without a read (the item it has just written is current), not with a read of
     * both items each (20 item reads before).
     */
    @Test
    void aPassReadsEachBudgetOnceNotOnceACall() {
        Dynalite.Table fresh = Dynalite.get().newTable();
        Counting dynamo = new Counting(fresh.client());
        RateLimitGovernor worker = new DynamoDbRateLimitGovernor(dynamo, fresh.name(), TimeSource.SYSTEM);
        Budget org = Budget.organization(Budget.Api.GRAPHQL, "acme");
        Budget user = Budget.user(Budget.Api.GRAPHQL, "account:a");
        Window orgWindow = new Window(20_000);
        Window userWindow = new Window(5_000);
        Instant at = Instant.parse("2026-11-25T12:00:00Z");
        for (int call = 0; call < 10; call++) {
            assertInstanceOf(Decision.Granted.class, worker.reserve(List.of(org, user), 306, at), "call " + call);
            Instant answered = at.plusMillis(60);
            worker.settle(List.of(org, user), 306, List.of(orgWindow.charge(org, 9, answered), userWindow.charge(user, 9, answered)));
            at = answered.plusMillis(20);
        }
        assertEquals(2, dynamo.gets.get() + dynamo.batchGetItems.get(), "each item read once, by the first call");
        assertEquals(4, dynamo.puts.get(), "the first call reserves both and describes both");
    }

    /** The DynamoDB client, counting the reads and writes of items. */
    private static class Counting implements DynamoDbClient {
        final DynamoDbClient inner;
        final AtomicInteger gets = new AtomicInteger();
        final AtomicInteger puts = new AtomicInteger();
        final AtomicInteger batchGets = new AtomicInteger();
        final AtomicInteger batchGetItems = new AtomicInteger();
        /** Reads not strongly consistent. */
        final AtomicInteger eventual = new AtomicInteger();

        Counting(DynamoDbClient inner) {
            this.inner = inner;
        }

        @Override
        public GetItemResponse getItem(GetItemRequest request) {
            gets.incrementAndGet();
            eventual.addAndGet(Boolean.TRUE.equals(request.consistentRead()) ? 0 : 1);
            return inner.getItem(request);
        }

        @Override
        public BatchGetItemResponse batchGetItem(BatchGetItemRequest request) {
            batchGets.incrementAndGet();
            request.requestItems().values().forEach(keys -> {
                batchGetItems.addAndGet(keys.keys().size());
                eventual.addAndGet(Boolean.TRUE.equals(keys.consistentRead()) ? 0 : 1);
            });
            return inner.batchGetItem(request);
        }

        @Override
        public PutItemResponse putItem(PutItemRequest request) {
            puts.incrementAndGet();
            return inner.putItem(request);
        }

        @Override
        public String serviceName() {
            return inner.serviceName();
        }

        @Override
        public void close() {
        }
    }

    /**
     * A poll a minute, each one GraphQL call on the organization's and the user's budgets, both far
     * from spent: the first describes them, then a write for both every nine minutes (each
     * allowance's lease, less the margin), and a read of each only where it was last read or written
     * {@link DynamoDbRateLimitGovernor#READ_EVERY} ago (5 minutes): at minutes 5 and 14, not at each call.
     */
    @Test
    void quietCallsAMinuteApartWriteEachBudgetOnceAnAllowance() {
        Dynalite.Table fresh = Dynalite.get().newTable();
        Counting dynamo = new Counting(fresh.client());
        RateLimitGovernor governor = new DynamoDbRateLimitGovernor(dynamo, fresh.name(), TimeSource.SYSTEM);
        Budget org = Budget.organization(Budget.Api.GRAPHQL, "acme");
        Budget user = Budget.user(Budget.Api.GRAPHQL, "account:a");
        Instant t0 = Instant.parse("2026-11-25T12:00:00Z");
        Window orgWindow = new Window(20_000);
        Window userWindow = new Window(5_000);
        int[] putsAfter = new int[19];
        int[] getsAfter = new int[19];
        int[] batchesAfter = new int[19];
        int[] batchItemsAfter = new int[19];
        for (int minute = 0; minute < 19; minute++) {
            Instant at = t0.plusSeconds(60L * minute);
            assertInstanceOf(Decision.Granted.class, governor.reserve(List.of(org, user), 3, at));
            governor.settle(List.of(org, user), 3, List.of(orgWindow.charge(org, 3, at), userWindow.charge(user, 3, at)));
            putsAfter[minute] = dynamo.puts.get();
            getsAfter[minute] = dynamo.gets.get();
            batchesAfter[minute] = dynamo.batchGets.get();
            batchItemsAfter[minute] = dynamo.batchGetItems.get();
        }
        assertEquals(4, putsAfter[0], "the first call reserves both and describes both: the way it was");
        assertEquals(2, getsAfter[0], "each item read once, to learn its version");
        assertEquals(2, putsAfter[9] - putsAfter[0], "minutes 1 to 9: one allowance for each budget, at minute 9");
        assertEquals(2, putsAfter[18] - putsAfter[9], "minutes 10 to 18: one more each, at minute 18");
        assertEquals(2 * 2, getsAfter[18] - getsAfter[0] + batchItemsAfter[18] - batchItemsAfter[0],
                "each item read at minutes 5 and 14 (32 before: once a call granted from its allowance)");
        assertEquals(2, getsAfter[18] - getsAfter[0] + batchesAfter[18] - batchesAfter[0],
                "both items read in one round trip (a Lambda's wait on DynamoDB), not one each");
        assertTrue(putsAfter[18] < 19 * 4, "4 writes a call before");
    }

    /**
     * An hour of the schedule's quiet polls, as the fleet benchmark makes them: a tick a minute (and
     * the second a tick takes), each one audit-events query on the organization's and the user's
     * GraphQL budgets, reserving its page's requested complexity (306 points) where Buildkite counts
     * what the page held (a quiet one: 9); Buildkite's windows of 5 minutes open at the first call
     * after the last closed. Each budget is written once an allowance (its lease less the margin:
     * every nine polls), not also each time a quarter of the user's 5,000 points has been reserved
     * (every four): the answers say what the calls spent, and the allowance grants again what they
     * did not. The polls that write read nothing; of the others, those five minutes or more after
     * the last write or read read both items in one round trip (polls 5, 14, ..., 59), not every one.
     */
    @Test
    void anHourOfQuietPollsWritesEachBudgetOnceAnAllowance() {
        Polls hour = quietPolls(60, 9);
        assertEquals(2 * 6, hour.writes(), "each budget at polls 9, 18, ..., 54 (20 before: the user's every 4)");
        assertEquals(2 * 7, hour.itemsRead(), "each budget read at polls 5, 14, ..., 59 (108 before: each poll its allowance grants)");
        assertEquals(0, hour.gets(), "both read together");
        // Not eventually consistent (half the price): a hold or a low answer another instance wrote before the read must bind
        // what this one grants after it (DynamoDbRateLimitGovernor.read).
        assertEquals(0, hour.eventualReads(), "every read strongly consistent");
    }

    /**
     * Where the answers say the calls spent what they reserved (or others spent it meanwhile), the
     * allowance grants no more than it holds: the user's 5,000-point budget is written every four
     * polls, the organization's 20,000 at its allowance's lapse.
     */
    @Test
    void anAllowanceGrantsAgainOnlyWhatTheAnswersSayWasNotSpent() {
        Polls spent = quietPolls(8, 306);
        assertEquals(2, spent.writes(), "the user's at polls 4 and 8");
        Polls quiet = quietPolls(8, 9);
        assertEquals(0, quiet.writes());
    }

    /**
     * A caller granting from its allowance calls that Buildkite counts in full (their answers say so,
     * but are not written while the budget is more than half left; or they get no answer; or they
     * are counted in a window after the one its last write described; or its first answer, the basis,
     * arrives 6.5 s late, so its reset lies 6.5 s after its window's prompt answers'), then
     * another instance spending all the item says is free, its calls side by side: Buildkite never
     * counts more than the window's limit. Were the allowance to grant again what its settled calls
     * reserved without what their answers say they spent (or where they got none, or where the late
     * basis made its window's answers look like an earlier window's), the other's calls would find
     * 1,000 points fewer than it was told.
     */
    @Test
    void anAllowanceThatGrantsAgainLeavesAnotherInstanceNoMoreThanBuildkiteHas() {
        for (int variant = 0; variant < 4; variant++) {
            boolean answered = variant != 1;
            long nextWindow = variant == 2 ? 300 : 0;
            Duration basisLate = variant == 3 ? Duration.ofMillis(6_500) : Duration.ZERO;
            Dynalite.Table fresh = Dynalite.get().newTable();
            RateLimitGovernor seldom = new DynamoDbRateLimitGovernor(fresh.client(), fresh.name(), TimeSource.SYSTEM);
            Budget user = Budget.user(Budget.Api.GRAPHQL, "account:a");
            Window window = new Window(5_000);
            Instant t0 = Instant.parse("2026-11-25T12:00:00Z");
            for (int call = 0; call < 8; call++) {
                Instant at = t0.plusSeconds(10L * call + (call > 0 ? nextWindow : 0));
                assertInstanceOf(Decision.Granted.class, seldom.reserve(List.of(user), 306, at));
                BudgetReading answer = window.charge(user, 306, at, call == 0 ? basisLate : Duration.ZERO);
                seldom.settle(List.of(user), 306, answered || call == 0 ? List.of(answer) : List.of());
            }
            assertEquals(0, refusedWhenAnotherTakesAllThatIsFree(fresh, user, window, t0.plusSeconds(75 + nextWindow)),
                    "calls Buildkite would have refused (429), variant " + variant);
        }
    }

    /**
     * A caller with two calls in flight at once, the one counted first answered 6 s late (its reset
     * lies 6 s late, its remainder is the higher), the other promptly, both within rounding and
     * latency of the basis (the first answer, 2 s late) but 6 s apart: what they spent is what the
     * lower remainder says. Taking the slow answer as the later count (its reset looks a window
     * later than the prompt one's, and the same window as the basis's) missed one call a pair, and
     * the allowance granted past what it holds.
     */
    @Test
    void aSlowAnswerDoesNotHideWhatAPromptOneOfItsWindowSaysWasSpent() {
        Dynalite.Table fresh = Dynalite.get().newTable();
        RateLimitGovernor seldom = new DynamoDbRateLimitGovernor(fresh.client(), fresh.name(), TimeSource.SYSTEM);
        Budget user = Budget.user(Budget.Api.GRAPHQL, "account:a");
        Window window = new Window(5_000);
        Instant t0 = Instant.parse("2026-11-25T12:00:00Z");
        assertInstanceOf(Decision.Granted.class, seldom.reserve(List.of(user), 306, t0));
        seldom.settle(List.of(user), 306, List.of(window.charge(user, 306, t0, Duration.ofSeconds(2))));
        for (int pair = 1; pair <= 2; pair++) {
            Instant at = t0.plusSeconds(10L * pair);
            assertInstanceOf(Decision.Granted.class, seldom.reserve(List.of(user), 306, at));
            assertInstanceOf(Decision.Granted.class, seldom.reserve(List.of(user), 306, at));
            BudgetReading slow = window.charge(user, 306, at, Duration.ofSeconds(6));
            BudgetReading prompt = window.charge(user, 306, at);
            seldom.settle(List.of(user), 306, List.of(prompt));
            seldom.settle(List.of(user), 306, List.of(slow));
        }
        assertEquals(0, refusedWhenAnotherTakesAllThatIsFree(fresh, user, window, t0.plusSeconds(75)),
                "calls Buildkite would have refused (429)");
    }

    /**
     * Another instance taking all the item says is free, in calls of 306 points and then of halving
     * sizes down to one (to the point), sent side by side: how many of them Buildkite refused.
     */
    private static int refusedWhenAnotherTakesAllThatIsFree(Dynalite.Table table, Budget budget, Window window, Instant at) {
        RateLimitGovernor another = new DynamoDbRateLimitGovernor(table.client(), table.name(), TimeSource.SYSTEM);
        List<Long> sent = new ArrayList<>();
        for (long size = 306; size > 0; size /= 2) {
            while (another.reserve(List.of(budget), size, at) instanceof Decision.Granted) {
                sent.add(size);
            }
        }
        assertTrue(sent.contains(306L));
        int before = window.overdrawn;
        for (long size : sent) {
            another.settle(List.of(budget), size, List.of(window.charge(budget, size, at)));
        }
        return window.overdrawn - before;
    }

    /** What {@code polls} quiet polls after the first wrote and read, each counted {@code charged} points by Buildkite. */
    private Polls quietPolls(int polls, long charged) {
        Dynalite.Table fresh = Dynalite.get().newTable();
        Counting dynamo = new Counting(fresh.client());
        RateLimitGovernor governor = new DynamoDbRateLimitGovernor(dynamo, fresh.name(), TimeSource.SYSTEM);
        Budget org = Budget.organization(Budget.Api.GRAPHQL, "acme");
        Budget user = Budget.user(Budget.Api.GRAPHQL, "account:a");
        Window orgWindow = new Window(20_000);
        Window userWindow = new Window(5_000);
        Instant at = Instant.parse("2026-11-25T12:00:00Z");
        int[] first = new int[3];
        for (int tick = 0; tick <= polls; tick++) {
            assertInstanceOf(Decision.Granted.class, governor.reserve(List.of(org, user), 306, at), "tick " + tick);
            Instant answered = at.plusMillis(400);
            governor.settle(List.of(org, user), 306,
                    List.of(orgWindow.charge(org, charged, answered), userWindow.charge(user, charged, answered)));
            if (tick == 0) {
                first = new int[] {dynamo.puts.get(), dynamo.gets.get(), dynamo.batchGetItems.get()};
            }
            at = at.plusSeconds(61);
        }
        return new Polls(dynamo.puts.get() - first[0], dynamo.gets.get() - first[1], dynamo.batchGetItems.get() - first[2], dynamo.eventual.get());
    }

    private record Polls(int writes, int gets, int batchItems, int eventualReads) {
        int itemsRead() {
            return gets + batchItems;
        }
    }

    /** Buildkite's window for one budget: it opens at the first call after the last one closed, and says what remains. */
    private static final class Window {
        final long limit;
        Instant opened;
        long used;
        int overdrawn;

        Window(long limit) {
            this.limit = limit;
        }

        BudgetReading charge(Budget budget, long points, Instant now) {
            return charge(budget, points, now, Duration.ZERO);
        }

        /** Counted {@code now}, answered {@code late} after: the answer's reset is when it arrived plus the seconds left. */
        BudgetReading charge(Budget budget, long points, Instant now, Duration late) {
            if (opened == null || !now.isBefore(opened.plusSeconds(300))) {
                opened = now;
                used = 0;
            }
            overdrawn += used + points > limit ? 1 : 0;
            used += points;
            long resetMillis = Duration.between(now, opened.plusSeconds(300)).toMillis();
            Instant answered = now.plus(late);
            return new BudgetReading(budget, limit, limit - used, answered.plusSeconds((resetMillis + 999) / 1000), answered);
        }
    }

    /** An allowance not written where the item changed meanwhile: the write reads it and tries again. */
    @Test
    void anAllowanceTakenOverAnotherInstancesWriteReadsTheItemAgain() {
        RateLimitGovernor first = newGovernor();
        RateLimitGovernor second = anotherInstance();
        Budget user = Budget.user(Budget.Api.REST, "u");
        Instant t0 = Instant.parse("2026-11-25T12:00:00Z");
        first.reserve(List.of(user), 1, t0);
        first.settle(List.of(user), 1, List.of(new BudgetReading(user, 100, 50, t0.plusSeconds(60), t0)));
        second.reserve(List.of(user), 1, t0);
        second.settle(List.of(user), 1, List.of(new BudgetReading(user, 100, 40, t0.plusSeconds(60), t0)));
        int granted = 0;
        for (int i = 0; i < 60; i++) {
            granted += (i % 2 == 0 ? first : second).reserve(List.of(user), 1, t0.plusSeconds(1)) instanceof Decision.Granted ? 1 : 0;
        }
        assertEquals(40, granted);
    }

    /**
     * A call's two budgets, last read or written {@link DynamoDbRateLimitGovernor#READ_EVERY} ago or
     * more, are read in one round trip; where the first then goes down the write path (another
     * instance's low answer makes its allowance not enough), the second is read again, not taken from
     * that earlier read: another instance's hold written meanwhile is seen, and binds.
     */
    @Test
    void aBudgetAfterOneThatWroteIsReadAgainAndAHoldWrittenMeanwhileBinds() {
        Dynalite.Table fresh = Dynalite.get().newTable();
        Runnable[] onPut = {null};
        Counting dynamo = new Counting(fresh.client()) {
            @Override
            public PutItemResponse putItem(PutItemRequest request) {
                Runnable hook = onPut[0];
                onPut[0] = null;
                if (hook != null) {
                    hook.run();
                }
                return super.putItem(request);
            }
        };
        RateLimitGovernor first = new DynamoDbRateLimitGovernor(dynamo, fresh.name(), TimeSource.SYSTEM);
        RateLimitGovernor second = new DynamoDbRateLimitGovernor(fresh.client(), fresh.name(), TimeSource.SYSTEM);
        Budget user = Budget.user(Budget.Api.GRAPHQL, "account:a");
        Budget org = Budget.organization(Budget.Api.GRAPHQL, "acme");
        Instant t0 = Instant.parse("2026-11-25T12:00:00Z");
        assertInstanceOf(Decision.Granted.class, first.reserve(List.of(user, org), 3, t0));
        first.settle(List.of(user, org), 3, List.of(new BudgetReading(user, 5_000, 4_000, t0.plusSeconds(600), t0),
                new BudgetReading(org, 20_000, 19_000, t0.plusSeconds(600), t0)));
        // Another instance learns the user's budget is low: the first's allowance on it no longer grants without a write.
        Instant t1 = t0.plusSeconds(30);
        assertInstanceOf(Decision.Granted.class, second.reserve(List.of(user), 3, t1));
        second.settle(List.of(user), 3, List.of(new BudgetReading(user, 5_000, 100, t0.plusSeconds(600), t1)));

        int batchesBefore = dynamo.batchGets.get();
        onPut[0] = () -> second.holdUntil(org, t0.plusSeconds(900)); // while the first writes the user's budget
        Decision decision = first.reserve(List.of(user, org), 3, t0.plus(DynamoDbRateLimitGovernor.READ_EVERY));
        assertEquals(1, dynamo.batchGets.get() - batchesBefore, "both read in one round trip first");
        assertInstanceOf(Decision.NotBefore.class, decision, "the hold written after that read binds");
    }
}
