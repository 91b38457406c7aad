package dev.kitebridge.state.aws;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import dev.kitebridge.buildkite.ratelimit.Budget;
import dev.kitebridge.buildkite.ratelimit.BudgetReading;
import dev.kitebridge.buildkite.ratelimit.BudgetState;
import dev.kitebridge.buildkite.ratelimit.RateLimitGovernor;
import dev.kitebridge.time.TimeSource;

/**
 * The governor shared by every Lambda instance: each budget is one item holding a
 * {@link BudgetState} and a version, changed by read, apply the rule, write if the version is
 * still the one read (single-item conditional writes; no transactions). A call spending two
 * budgets reserves them one after the other and gives the first back if the second refuses.
 */
public final class DynamoDbRateLimitGovernor implements RateLimitGovernor {

    private static final System.Logger LOG = System.getLogger(DynamoDbRateLimitGovernor.class.getName());

    private static final int ATTEMPTS = 12;

    /** How long a caller is told to wait when the budget's item kept changing under every attempt. */
    private static final Duration CONTENDED = Duration.ofSeconds(1);

    private final DynamoDbClient dynamo;
    private final String table;
    private final TimeSource time;

    public DynamoDbRateLimitGovernor(DynamoDbClient dynamo, String table, TimeSource time) {
        this.dynamo = dynamo;
        this.time = time;
        this.table = table;
    }

    @Override
    public Decision reserve(List<Budget> budgets, long cost, Instant now) {
        List<Budget> reserved = new ArrayList<>();
        for (Budget budget : budgets) {
            Instant[] notBefore = new Instant[1];
            long[] overLimit = {-1};
            boolean written = update(budget, state -> {
                BudgetState current = state.at(now);
                if (current.neverGrants(cost)) {
                    overLimit[0] = current.limit();
                    return state;
                }
                notBefore[0] = current.notBefore(cost, now);
                return notBefore[0] == null ? current.reserved(cost, now) : state;
            });
            if (!written) {
                notBefore[0] = now.plus(CONTENDED);
            }
            if (notBefore[0] != null || overLimit[0] >= 0) {
                for (Budget done : reserved) {
                    update(done, state -> state.cancelled(cost));
                }
                return overLimit[0] >= 0 ? new Decision.OverLimit(budget, overLimit[0]) : new Decision.NotBefore(notBefore[0], budget);
            }
            reserved.add(budget);
        }
        return Decision.granted();
    }

    @Override
    public void settle(List<Budget> budgets, long cost, List<BudgetReading> readings) {
        Set<Budget> touched = new LinkedHashSet<>(budgets);
        readings.forEach(r -> touched.add(r.budget()));
        for (Budget budget : touched) {
            List<BudgetReading> mine = readings.stream().filter(r -> r.budget().equals(budget)).toList();
            boolean reserved = budgets.contains(budget);
            // Not written after all attempts: the reservation lapses, and the next answer reports the budget again.
            update(budget, state -> {
                BudgetState next = reserved ? state.settled(cost, !mine.isEmpty()) : state;
                for (BudgetReading reading : mine) {
                    next = next.observed(reading);
                }
                return next;
            });
        }
    }

    @Override
    public void holdUntil(Budget budget, Instant until) {
        update(budget, state -> state.held(until));
    }

    @Override
    public Optional<BudgetState> state(Budget budget) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(keyOf(budget)).consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(StateJson.read(item.get("state").s(), BudgetState.class));
    }

    private static Map<String, AttributeValue> keyOf(Budget budget) {
        return KitebridgeTable.key("BUDGET#" + budget.api() + "#" + budget.scope() + "#" + budget.key(), "BUDGET");
    }

    /**
     * Read, change, write if unchanged meanwhile; again after a short random pause on a conflict.
     * A change that changes nothing is not written, so that callers waiting for a spent budget do
     * not contend with the ones spending it.
     *
     * @return whether the change is stored (false only when the item kept changing under every attempt)
     */
    private boolean update(Budget budget, UnaryOperator<BudgetState> change) {
        Map<String, AttributeValue> key = keyOf(budget);
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(key).consistentRead(true)).item();
            boolean exists = item != null && !item.isEmpty();
            BudgetState state = exists ? StateJson.read(item.get("state").s(), BudgetState.class) : BudgetState.unknown();
            long version = exists ? Long.parseLong(item.get("version").n()) : 0;
            BudgetState next = change.apply(state);
            if (next.equals(state)) {
                return true;
            }
            // The SDK retries a put whose answer was lost; if the first one landed, the retry fails its
            // condition, and the write's own nonce on the item tells that apart from a real conflict.
            String nonce = UUID.randomUUID().toString();
            Map<String, AttributeValue> written = new HashMap<>(key);
            written.put("state", KitebridgeTable.s(StateJson.write(next)));
            written.put("version", KitebridgeTable.n(version + 1));
            written.put("nonce", KitebridgeTable.s(nonce));
            // A budget nobody has used for a day is forgotten; the next answer describes it again.
            written.put(KitebridgeTable.EXPIRES_AT, KitebridgeTable.expiresAt(time.now().plus(Duration.ofDays(1))));
            try {
                if (exists) {
                    dynamo.putItem(b -> b.tableName(table).item(written)
                            .conditionExpression("version = :v").expressionAttributeValues(Map.of(":v", KitebridgeTable.n(version))));
                } else {
                    dynamo.putItem(b -> b.tableName(table).item(written).conditionExpression("attribute_not_exists(pk)"));
                }
                return true;
            } catch (ConditionalCheckFailedException conflict) {
                if (landed(key, nonce)) {
                    return true;
                }
                pause(attempt); // another instance changed the budget since it was read
            }
        }
        LOG.log(Level.WARNING, "the budget {0} kept changing under {1} attempts", budget.buildkiteScope(), ATTEMPTS);
        return false;
    }

    private boolean landed(Map<String, AttributeValue> key, String nonce) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(key).consistentRead(true)).item();
        return item != null && item.containsKey("nonce") && nonce.equals(item.get("nonce").s());
    }

    /** Up to 10 ms times the attempt, at random, so that contending instances spread out. */
    private static void pause(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, 10L * attempt + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
