package dev.kitebridge.state.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
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

    /** The DynamoDB client, counting the reads and writes of items. */
    private static class Counting implements DynamoDbClient {
        final DynamoDbClient inner;
        final AtomicInteger gets = new AtomicInteger();
        final AtomicInteger puts = new AtomicInteger();
        final AtomicInteger batchGets = new AtomicInteger();
        final AtomicInteger batchGetItems = new AtomicInteger();

        Counting(DynamoDbClient inner) {
            this.inner = inner;
        }

        @Override
        public GetItemResponse getItem(GetItemRequest request) {
            gets.incrementAndGet();
            return inner.getItem(request);
        }

        @Override
        public BatchGetItemResponse batchGetItem(BatchGetItemRequest request) {
            batchGets.incrementAndGet();
            request.requestItems().values().forEach(keys -> batchGetItems.addAndGet(keys.keys().size()));
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
     * allowance's lease, less the margin), and a read of each a call (a read is a fifth of a write's price).
     */
    @Test
    void quietCallsAMinuteApartWriteEachBudgetOnceAnAllowance() {
        Dynalite.Table fresh = Dynalite.get().newTable();
        Counting dynamo = new Counting(fresh.client());
        RateLimitGovernor governor = new DynamoDbRateLimitGovernor(dynamo, fresh.name(), TimeSource.SYSTEM);
        Budget org = Budget.organization(Budget.Api.GRAPHQL, "acme");
        Budget user = Budget.user(Budget.Api.GRAPHQL, "account:a");
        Instant t0 = Instant.parse("2026-11-25T12:00:00Z");
        long remaining = 5_000;
        int[] putsAfter = new int[19];
        int[] getsAfter = new int[19];
        int[] batchesAfter = new int[19];
        int[] batchItemsAfter = new int[19];
        for (int minute = 0; minute < 19; minute++) {
            Instant at = t0.plusSeconds(60L * minute);
            assertInstanceOf(Decision.Granted.class, governor.reserve(List.of(org, user), 3, at));
            remaining -= 3;
            governor.settle(List.of(org, user), 3, List.of(new BudgetReading(org, 20_000, 15_000 + remaining, at.plusSeconds(300), at),
                    new BudgetReading(user, 5_000, remaining, at.plusSeconds(300), at)));
            putsAfter[minute] = dynamo.puts.get();
            getsAfter[minute] = dynamo.gets.get();
            batchesAfter[minute] = dynamo.batchGets.get();
            batchItemsAfter[minute] = dynamo.batchGetItems.get();
        }
        assertEquals(4, putsAfter[0], "the first call reserves both and describes both: the way it was");
        assertEquals(2, getsAfter[0], "each item read once, to learn its version");
        assertEquals(2, putsAfter[9] - putsAfter[0], "minutes 1 to 9: one allowance for each budget, at minute 9");
        assertEquals(2, putsAfter[18] - putsAfter[9], "minutes 10 to 18: one more each, at minute 18");
        assertEquals(2 * 18 - 2 * 2, getsAfter[18] - getsAfter[0] + batchItemsAfter[18] - batchItemsAfter[0],
                "each item read once a call granted from its allowance");
        assertEquals(18 - 2, getsAfter[18] - getsAfter[0] + batchesAfter[18] - batchesAfter[0],
                "both items read in one round trip (a Lambda's wait on DynamoDB), not one each");
        assertTrue(putsAfter[18] < 19 * 4, "4 writes a call before");
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
     * A call's two budgets are read in one round trip; where the first then goes down the write path
     * (another instance's low answer makes its allowance not enough), the second is read again, not
     * taken from that earlier read: another instance's hold written meanwhile is seen, and binds.
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
        first.settle(List.of(user, org), 3, List.of(new BudgetReading(user, 5_000, 4_000, t0.plusSeconds(300), t0),
                new BudgetReading(org, 20_000, 19_000, t0.plusSeconds(300), t0)));
        // Another instance learns the user's budget is low: the first's allowance on it no longer grants without a write.
        Instant t1 = t0.plusSeconds(30);
        assertInstanceOf(Decision.Granted.class, second.reserve(List.of(user), 3, t1));
        second.settle(List.of(user), 3, List.of(new BudgetReading(user, 5_000, 100, t0.plusSeconds(300), t1)));

        int batchesBefore = dynamo.batchGets.get();
        onPut[0] = () -> second.holdUntil(org, t0.plusSeconds(600)); // while the first writes the user's budget
        Decision decision = first.reserve(List.of(user, org), 3, t0.plusSeconds(60));
        assertEquals(1, dynamo.batchGets.get() - batchesBefore, "both read in one round trip first");
        assertInstanceOf(Decision.NotBefore.class, decision, "the hold written after that read binds");
    }
}
