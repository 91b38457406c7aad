package dev.kitebridge.state.aws;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import dev.kitebridge.buildkite.ratelimit.Budget;
import dev.kitebridge.buildkite.ratelimit.BudgetReading;
import dev.kitebridge.buildkite.ratelimit.BudgetState;
import dev.kitebridge.buildkite.ratelimit.BudgetState.Reservation;
import dev.kitebridge.buildkite.ratelimit.RateLimitGovernor;
import dev.kitebridge.time.TimeSource;

/**
 * The governor shared by every Lambda instance: each budget is one item holding a {@link BudgetState} and a
 * version, changed by read, apply the rule, write if the version is still the one read (single-item
 * conditional writes; no transactions).
 *
 * <p>Writing the item twice a call (reserve, settle) made a quiet minute's poll cost four writes and four
 * reads for two budgets. So an instance takes an <em>allowance</em>: one reservation in the item, for the
 * call at hand and up to {@link #ALLOWANCE_CALLS} more like it (at most a quarter of what the budget has
 * left, only while at least half the budget is left, and only for an instance that last reserved
 * {@link #SELDOM} ago or more: a quiet schedule, not a busy worker; see the last paragraph), which every
 * other instance counts as in flight like any other. It grants from it over the item as this instance last
 * read or wrote it, read again where that was {@link #READ_EVERY} ago or more (a call's budgets read
 * together, in one round trip): the item must still hold the allowance, bind it by no hold, and show
 * Buildkite's last remainder covering every reservation in it (else it writes, as below); and its calls'
 * answers wait in memory until its next write: when the allowance is spent or near its lapse, when an
 * answer says the budget is less than half left or describes it for the first time, on a hold, or when it
 * holds no allowance. Each write folds them in and cuts the reservations down to their calls still in
 * flight (each keeping its lapse), with a new allowance for what it takes. The allowance is spent when what
 * it granted fills it, or, where its calls were answered, when what the answers since the last write say
 * Buildkite counted, with the calls in flight, would: a quiet poll reserves a page's requested complexity
 * and is counted a few points, so its allowance lasts its lease, not the four polls that fill a quarter of
 * a user's 5,000 points. Nothing granted is ever outside a reservation the item holds and Buildkite's last
 * word covers (as this instance last read it: see below), so instances together grant no more than
 * before; an answer waits in memory only while it says more than half the budget is left. A write goes
 * over the version last read or written, without reading first; a refusal is told only from a read.
 *
 * <p>Bounded staleness: for grants from this instance's own allowance, the item as it last read or wrote it
 * stays current for {@link #READ_EVERY} (GraphQL's window: a hold after a 429 lasts until its window
 * resets), while the answers since its last write show no other caller spending the budget (Buildkite
 * counted no more than its own answered calls reserved); past that, or where they do, a grant reads it.
 * So a poll a minute reads each budget about once in eight polls (its allowance's writes count as reads),
 * and a pass's worker once, not at each call. The allowance is a reservation every other instance already
 * counts as in flight, so where only Kitebridge spends the budget, not reading grants nothing outside the
 * item's accounting. What is given up is learning of another instance's hold, or of its answer that
 * Buildkite has less left than the reservations, up to READ_EVERY later (or at this instance's own next
 * answer saying less than half is left: written at once, and the end of the allowance); the exposure is at
 * most the allowance's calls. Where others spend the budget too, each grant reads: until an allowance's
 * holder writes, the item counts its settled calls twice (below), and a caller refused meanwhile waits for
 * the window's reset, so several busy instances on one budget need an allowance given back as soon as
 * another's answer shows the budget low (without this condition the shared-budget benchmark took twice
 * what the budget allows; see README "State, configuration").
 *
 * <p>A busy caller (one that reserved in the item less than {@link #SELDOM} ago: a run's worker) takes no
 * allowance, and writes its answers at settle once it has nothing to grant its next call from. Not for the
 * accounting, which an allowance would keep (until the next write, its reservation still counts each
 * settled call as in flight), but for the others' throughput: its settled calls would count twice in the
 * item until its next write, once in the reservation and once in the remainder any instance's later
 * answer brings in, so while several instances call busily on one budget each write finds less free than
 * there is (measured: README). A quiet schedule's settled calls count twice too, but they are a few points.
 */
public final class DynamoDbRateLimitGovernor implements RateLimitGovernor {

    private static final System.Logger LOG = System.getLogger(DynamoDbRateLimitGovernor.class.getName());

    private static final int ATTEMPTS = 12;

    /** How long a caller is told to wait when the budget's item kept changing under every attempt. */
    private static final Duration CONTENDED = Duration.ofSeconds(1);

    /** How many calls like the one at hand an allowance covers, beyond it. */
    static final int ALLOWANCE_CALLS = 10;

    /** An instance that reserved in the item less than this long ago takes no allowance: it calls often enough to write each time. */
    static final Duration SELDOM = Duration.ofSeconds(30);

    /** An allowance is granted from only until this long before it lapses: a call granted from it lands well before. */
    static final Duration ALLOWANCE_MARGIN = Duration.ofMinutes(1);

    /**
     * How long the item as this instance last read or wrote it stays current for grants from its own allowance:
     * GraphQL's window, the longest; a hold after a 429 lasts until its window resets.
     */
    static final Duration READ_EVERY = Duration.ofMinutes(5);

    private final DynamoDbClient dynamo;
    private final String table;
    private final TimeSource time;
    private final Map<Budget, Held> held = new ConcurrentHashMap<>();

    public DynamoDbRateLimitGovernor(DynamoDbClient dynamo, String table, TimeSource time) {
        this.dynamo = dynamo;
        this.time = time;
        this.table = table;
    }

    /**
     * What this instance holds of one budget (guarded by itself): the item as last read or written,
     * its reservations in it (each with its calls in flight; the newest, the allowance, with what it
     * may still grant), and the changes (answers, calls without one, holds) not yet written.
     */
    private static final class Held {
        BudgetState stored;
        long version;
        boolean exists;
        /** Oldest first; each lapses when it was written to: its calls are never held longer than one lease. */
        final List<Part> parts = new ArrayList<>();
        /** What the allowance may still grant by what it granted; below zero once it granted again what answers said was not spent. */
        long unused;
        Instant heldUntil;
        /** When this instance last reserved in the item (not from an allowance). */
        Instant lastTaken;
        Instant clock = Instant.EPOCH;
        /** When the item was last read or written, on this budget's callers' clock. */
        Instant knownAt;
        final List<UnaryOperator<BudgetState>> pending = new ArrayList<>();
        /** The answers among the pending changes. */
        final List<BudgetReading> answers = new ArrayList<>();
        /** A call ended without an answer since the last write: what this instance's calls spent is not known. */
        boolean unanswered;
        /** What this instance's calls answered since the last write reserved: the most Buildkite counted for them. */
        long answeredCost;
        /**
         * Buildkite's count at one moment, which the item says no more than: the lowest remainder of the latest
         * window among the answers the last write folded in (or an earlier write's, where it folded none); none where
         * their windows could not be told apart for sure, until a write folds in answers that can.
         */
        BudgetReading basis;

        /** Time as this budget's callers see it (settle is told none); reservations lapsed in the item are dropped here too. */
        Instant at(Instant now) {
            if (now != null && now.isAfter(clock)) {
                clock = now;
            }
            keepOnly(p -> clock.isBefore(p.inItem.lapsesAt()));
            return clock;
        }

        void keepOnly(java.util.function.Predicate<Part> kept) {
            Part allowance = allowance();
            parts.removeIf(kept.negate());
            if (allowance != null && allowance() != allowance) {
                unused = 0;
            }
        }

        Part allowance() {
            return parts.isEmpty() ? null : parts.get(parts.size() - 1);
        }

        /**
         * Whether the item as last read or written is still current for a grant from the allowance: for
         * {@link #READ_EVERY}, while the answers since the last write show no other caller spending the budget.
         */
        boolean current(Instant now) {
            if (knownAt == null || !now.isBefore(knownAt.plus(READ_EVERY))) {
                return false;
            }
            long spent = spentSinceBasis();
            return spent >= 0 && spent <= answeredCost;
        }

        boolean grants(long cost, Instant now) {
            Part allowance = allowance();
            return allowance != null && covers(allowance, cost) && now.isBefore(allowance.inItem.lapsesAt().minus(ALLOWANCE_MARGIN))
                    && (heldUntil == null || !now.isBefore(heldUntil));
        }

        /**
         * Whether the allowance covers one more call of this cost: what it granted (less calls never sent) is within
         * it; or, where every call since the last write got its answer, what Buildkite counted since the basis (these
         * calls' and any other's) with this instance's calls in flight and this one.
         */
        private boolean covers(Part allowance, long cost) {
            if (unused >= cost) {
                return true;
            }
            long spent = spentSinceBasis();
            long inFlight = parts.stream().mapToLong(p -> p.inFlight).sum();
            return spent >= 0 && spent + inFlight + cost <= allowance.inItem.cost();
        }

        /**
         * What Buildkite counted since the basis, by the answers held, the most any says: in the basis's window, its
         * remainder less the answer's; in a later window, all that window's answer says is gone. Each call of this
         * instance's since the last write was counted before its answer, so it is in there. -1 when not known: a call
         * without an answer, or an answer whose window is not surely the basis's or a later one (a slow basis's reset
         * lies late, and its window's prompt answers looked earlier and counted nothing). Each answer is judged
         * against the basis alone: a misjudged one (very slow, taken for a later window) counts more, never less.
         */
        private long spentSinceBasis() {
            if (unanswered || basis == null) {
                return -1;
            }
            long spent = 0;
            for (BudgetReading answer : answers) {
                switch (answer.windowAgainst(basis)) {
                    case SAME -> spent = Math.max(spent, basis.remaining() - answer.remaining());
                    case LATER -> spent = Math.max(spent, answer.limit() - answer.remaining());
                    default -> {
                        return -1;
                    }
                }
            }
            return spent;
        }

        /**
         * The lowest remainder among the readings of the latest window (the latest reset's, each judged against it),
         * or none where one's window is not surely that one or an earlier one.
         */
        private static BudgetReading lowestOfLatestWindow(List<BudgetReading> readings) {
            BudgetReading last = readings.stream().max(Comparator.comparing(BudgetReading::resetsAt)).orElse(null);
            BudgetReading lowest = last;
            for (BudgetReading reading : readings) {
                switch (reading.windowAgainst(last)) {
                    case SAME -> lowest = reading.remaining() < lowest.remaining() ? reading : lowest;
                    case EARLIER -> { }
                    default -> {
                        return null;
                    }
                }
            }
            return lowest;
        }

        /** The pending changes are in the item now: with the basis, their answers give the basis of what later ones say was spent. */
        void folded() {
            List<BudgetReading> readings = new ArrayList<>(answers);
            if (basis != null) {
                readings.add(basis);
            }
            basis = lowestOfLatestWindow(readings);
            answers.clear();
            pending.clear();
            unanswered = false;
            answeredCost = 0;
        }

        /** A call of this cost ended: the newest reservation holding one is the likeliest its own (the others lapse sooner). */
        void ended(long cost) {
            for (int i = parts.size() - 1; i >= 0; i--) {
                if (parts.get(i).inFlight >= cost) {
                    parts.get(i).inFlight -= cost;
                    return;
                }
            }
        }
    }

    /** One reservation of this instance's in the item, and how much of it its granted calls hold. */
    private static final class Part {
        Reservation inItem;
        long inFlight;

        Part(Reservation inItem, long inFlight) {
            this.inItem = inItem;
            this.inFlight = inFlight;
        }
    }

    private Held held(Budget budget) {
        return held.computeIfAbsent(budget, b -> new Held());
    }

    @Override
    public Decision reserve(List<Budget> budgets, long cost, Instant now) {
        Map<Budget, Prefetched> prefetched = prefetch(budgets, cost, now);
        List<Budget> taken = new ArrayList<>();
        boolean wrote = false;
        for (Budget budget : budgets) {
            Held mine = held(budget);
            Decision decision;
            synchronized (mine) {
                Instant at = mine.at(now);
                // Once a budget before went down the write path (a conditional write, maybe tried again), what was read with it is
                // too old: another instance's hold written meanwhile would not be seen (its writes leave mine.stored as it was).
                if (mine.grants(cost, at) && backed(budget, mine, at, cost, wrote ? null : prefetched.get(budget))) {
                    mine.unused -= cost;
                    mine.allowance().inFlight += cost;
                    decision = Decision.granted();
                } else {
                    // An allowance only for a caller that calls seldom: a busy one's settled calls, held until its next write,
                    // would count twice in the item, and other busy callers would be refused for them (class comment).
                    boolean seldom = mine.lastTaken == null || !at.isBefore(mine.lastTaken.plus(SELDOM));
                    decision = write(budget, mine, at, cost, seldom ? cost * ALLOWANCE_CALLS : 0);
                    wrote = true;
                    if (decision instanceof Decision.Granted) {
                        mine.lastTaken = at;
                    }
                }
            }
            if (!(decision instanceof Decision.Granted)) {
                for (Budget done : taken) {
                    Held back = held(done);
                    synchronized (back) {
                        Part allowance = back.allowance();
                        if (allowance != null && allowance.inFlight >= cost) {
                            allowance.inFlight -= cost; // never sent: free to grant again, without a write
                            back.unused += cost;
                        }
                    }
                }
                return decision;
            }
            taken.add(budget);
        }
        return Decision.granted();
    }

    /**
     * Whether the allowance may grant this call without a write: the item as last read or written,
     * read now where that was {@link #READ_EVERY} ago or more (one strongly consistent read, a fifth of
     * a write's price), holds it, no hold binds the budget, and what
     * Buildkite last said remains (with this instance's answers not yet written) still covers every
     * reservation in it. An answer another instance wrote that the budget is lower than the
     * reservations made when it looked ample sends this one to {@link #write}, which cuts the
     * allowance down to its calls in flight and decides on the budget as it is.
     */
    private boolean backed(Budget budget, Held mine, Instant now, long cost, Prefetched prefetched) {
        if (prefetched != null && mine.stored == prefetched.over()) {
            take(prefetched.item(), mine);
        } else if (!mine.current(now)) {
            read(keyOf(budget), mine); // none read with the others, or this instance read or wrote the item since
        }
        if (!mine.grants(cost, now)) {
            return false;
        }
        BudgetState state = mine.stored;
        for (UnaryOperator<BudgetState> change : mine.pending) {
            state = change.apply(state);
        }
        state = state.at(now);
        return state.inFlight().contains(mine.allowance().inItem) && state.available() >= 0 && ample(state);
    }

    /**
     * Whether an allowance may be held beyond the calls in flight: while Buildkite's last word
     * leaves at least half the budget (or the budget is not yet described). Below that, every call writes, as if no
     * allowance existed: nothing is held idle where others may need it.
     */
    private static boolean ample(BudgetState state) {
        return state.limit() == BudgetState.UNKNOWN || state.reported() * 2 >= state.limit();
    }

    @Override
    public void settle(List<Budget> budgets, long cost, List<BudgetReading> readings) {
        Set<Budget> touched = new LinkedHashSet<>(budgets);
        readings.forEach(r -> touched.add(r.budget()));
        for (Budget budget : touched) {
            List<BudgetReading> answers = readings.stream().filter(r -> r.budget().equals(budget)).toList();
            Held mine = held(budget);
            synchronized (mine) {
                Instant at = mine.at(answers.stream().map(BudgetReading::observedAt).max(Instant::compareTo).orElse(null));
                boolean reserved = budgets.contains(budget);
                if (reserved) {
                    mine.ended(cost);
                    mine.answeredCost += answers.isEmpty() ? 0 : cost;
                }
                if (reserved && answers.isEmpty()) {
                    mine.pending.add(state -> state.spentWithoutAnswer(cost));
                    mine.unanswered = true;
                }
                // Held back only by a seldom caller that holds an allowance: a busy one (no allowance to grant its next
                // call from) would hold its settled calls, which Buildkite counts too, counted twice until that call.
                boolean busy = mine.lastTaken != null && at.isBefore(mine.lastTaken.plus(SELDOM));
                boolean tell = mine.allowance() == null || (busy && !mine.grants(cost, at)) || mine.stored == null
                        || mine.stored.limit() == BudgetState.UNKNOWN;
                for (BudgetReading answer : answers) {
                    mine.pending.add(state -> state.observed(answer));
                    mine.answers.add(answer);
                    tell |= answer.remaining() * 2 < answer.limit();
                }
                if (tell && !mine.pending.isEmpty()) {
                    // Not written after all attempts: the changes stay pending, for the next write.
                    write(budget, mine, at, 0, mine.unused);
                }
            }
        }
    }

    @Override
    public void holdUntil(Budget budget, Instant until) {
        Held mine = held(budget);
        synchronized (mine) {
            mine.heldUntil = until;
            mine.pending.add(state -> state.held(until));
            write(budget, mine, mine.at(null), 0, mine.unused);
        }
    }

    /**
     * Where a budget stands: the item as stored, but with this instance's allowance counted only for
     * its calls in flight (what it has not granted is not spent).
     */
    @Override
    public Optional<BudgetState> state(Budget budget) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(keyOf(budget)).consistentRead(true)).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        BudgetState state = StateJson.read(item.get("state").s(), BudgetState.class);
        Held mine = held(budget);
        synchronized (mine) {
            for (Part part : mine.parts) {
                if (state.inFlight().contains(part.inItem)) {
                    state = state.withoutReservation(part.inItem);
                    if (part.inFlight > 0) {
                        state = state.withReservation(new Reservation(part.inFlight, part.inItem.lapsesAt()));
                    }
                }
            }
        }
        return Optional.of(state);
    }

    private static Map<String, AttributeValue> keyOf(Budget budget) {
        return KitebridgeTable.key("BUDGET#" + budget.api() + "#" + budget.scope() + "#" + budget.key(), "BUDGET");
    }

    /**
     * Writes the pending changes, this instance's reservations cut down to their calls in flight
     * (each keeping its lapse), and, for {@code take} (granted now unless refused; 0 takes nothing),
     * a new allowance of it and up to {@code extra} more if the budget has it; for {@code take} 0 the
     * allowance keeps up to {@code extra} of what it had. Over the item as last known: it is read
     * only when that was not current, and a refusal or a write of nothing is told only from a read.
     *
     * @return granted, or when to ask again (also for {@code take} 0 when the item kept changing)
     */
    private Decision write(Budget budget, Held mine, Instant now, long take, long extra) {
        Map<String, AttributeValue> key = keyOf(budget);
        boolean fresh = false;
        for (int attempt = 1; attempt <= ATTEMPTS; ) {
            if (mine.stored == null || fresh) {
                read(key, mine);
                fresh = true;
            }
            BudgetState state = mine.stored;
            BudgetState next = state;
            for (UnaryOperator<BudgetState> change : mine.pending) {
                next = change.apply(next);
            }
            next = next.at(now);
            BudgetState withCalls = next;
            for (Part part : mine.parts) {
                withCalls = withCalls.withoutReservation(part.inItem);
            }
            next = withCalls;
            for (Part part : mine.parts) {
                if (part.inFlight > 0) {
                    withCalls = withCalls.withReservation(new Reservation(part.inFlight, part.inItem.lapsesAt()));
                }
            }
            Decision decision = Decision.granted();
            if (take > 0) {
                Instant notBefore = withCalls.notBefore(take, now);
                if (withCalls.neverGrants(take)) {
                    decision = new Decision.OverLimit(budget, withCalls.limit());
                } else if (notBefore != null) {
                    decision = new Decision.NotBefore(notBefore, budget);
                }
            }
            boolean refused = !(decision instanceof Decision.Granted);
            if (refused && !fresh) {
                fresh = true; // a refusal is told only from the item as it is, not as last known
                continue;
            }
            if (refused && mine.pending.isEmpty() && mine.unused <= 0) {
                return decision; // nothing to write: callers waiting for a spent budget do not contend with those spending it
            }
            long granted = refused ? 0 : take;
            // At most a quarter of what is left after the call: others keep the rest, and an instance that stops calling
            // holds its allowance no longer than a reservation never settled.
            long more = refused || !ample(withCalls) ? 0 : Math.max(0, Math.min(extra, (withCalls.available() - granted) / 4));
            // Each reservation cut down to its calls in flight, keeping its lapse; the allowance, new or kept, after them.
            List<Part> parts = new ArrayList<>();
            for (Part part : mine.parts) {
                boolean kept = take == 0 && part == mine.allowance();
                long size = part.inFlight + (kept ? more : 0);
                if (size > 0) {
                    parts.add(new Part(new Reservation(size, part.inItem.lapsesAt()), part.inFlight));
                }
            }
            if (granted > 0) {
                parts.add(new Part(new Reservation(granted + more, now.plus(BudgetState.RESERVATION_LEASE)), granted));
            }
            BudgetState written = next;
            for (Part part : parts) {
                written = written.withReservation(part.inItem);
            }
            if (written.equals(state)) {
                if (!fresh) {
                    fresh = true; // nothing to write over the item as last known: make sure it is still so
                    continue;
                }
                mine.folded();
                return decision;
            }
            if (put(key, mine, written)) {
                boolean allowanceKept = granted > 0 || (take == 0 && !parts.isEmpty() && mine.allowance() != null
                        && parts.get(parts.size() - 1).inItem.lapsesAt().equals(mine.allowance().inItem.lapsesAt()));
                mine.parts.clear();
                mine.parts.addAll(parts);
                mine.unused = allowanceKept ? more : 0;
                mine.folded();
                if (written.heldUntil() != null && (mine.heldUntil == null || written.heldUntil().isAfter(mine.heldUntil))) {
                    mine.heldUntil = written.heldUntil();
                }
                return decision;
            }
            fresh = true;
            pause(attempt++); // another instance changed the budget since it was read
        }
        LOG.log(Level.WARNING, "the budget {0} kept changing under {1} attempts", budget.buildkiteScope(), ATTEMPTS);
        return new Decision.NotBefore(now.plus(CONTENDED), budget);
    }

    /** An item read for {@link #backed} with the call's other budgets', and the state it was read over (to tell whether it is still the newest). */
    private record Prefetched(Map<String, AttributeValue> item, BudgetState over) {}

    /**
     * A call on several budgets each granted from an allowance and due a read reads each one's item: one round trip
     * for them all (a strongly consistent BatchGetItem: the same read units as a GetItem each) instead
     * of one each, a Lambda's wait on DynamoDB halved for a poll's two budgets. Each is read at most a
     * few milliseconds earlier than {@link #backed} would read it, which no other instance can tell
     * from a read it made then; where this instance read or wrote the item meanwhile, or an earlier
     * budget of the call took the write path (tens of milliseconds, and more where it tried again), it is not used.
     */
    private Map<Budget, Prefetched> prefetch(List<Budget> budgets, long cost, Instant now) {
        Map<Map<String, AttributeValue>, Budget> keys = new HashMap<>();
        Map<Budget, BudgetState> over = new HashMap<>();
        for (Budget budget : budgets) {
            Held mine = held(budget);
            synchronized (mine) {
                Instant at = mine.at(now);
                if (mine.grants(cost, at) && !mine.current(at)) {
                    keys.put(keyOf(budget), budget);
                    over.put(budget, mine.stored);
                }
            }
        }
        if (keys.size() < 2) {
            return Map.of();
        }
        Map<Budget, Prefetched> read = new HashMap<>();
        BatchGetItemResponse answer = dynamo.batchGetItem(b -> b.requestItems(Map.of(table,
                KeysAndAttributes.builder().keys(keys.keySet()).consistentRead(true).build())));
        for (Map<String, AttributeValue> item : answer.responses().getOrDefault(table, List.of())) {
            Budget budget = keys.remove(Map.of(KitebridgeTable.PK, item.get(KitebridgeTable.PK), KitebridgeTable.SK, item.get(KitebridgeTable.SK)));
            if (budget != null) {
                read.put(budget, new Prefetched(item, over.get(budget)));
            }
        }
        // Items it did not find are absent (an allowance's item gone: forgotten or lapsed), unless left unprocessed: those are read alone.
        KeysAndAttributes unprocessed = answer.unprocessedKeys().get(table);
        for (Map.Entry<Map<String, AttributeValue>, Budget> missing : keys.entrySet()) {
            boolean left = unprocessed != null && unprocessed.keys().contains(missing.getKey());
            if (!left) {
                read.put(missing.getValue(), new Prefetched(Map.of(), over.get(missing.getValue())));
            }
        }
        return read;
    }

    /**
     * Strongly consistent, as every read of a budget here ({@link #prefetch} too), though an eventually consistent one
     * costs half: such a read may not show a write that completed before it (DynamoDB documents no bound on how long),
     * so another instance's hold after a 429, or its answer that Buildkite has less left than the reservations, would not
     * bind the calls this one grants after it; nor would this instance's own last write show, and the reservations it
     * holds for calls in flight would be dropped as gone from the item. What the design lets through is a call granted
     * before such a write lands (in flight: no read can recall it), not one granted from a read made after it
     * (beyond the allowance's calls within {@link #READ_EVERY} of a read, as the class comment says).
     */
    private void read(Map<String, AttributeValue> key, Held mine) {
        take(dynamo.getItem(b -> b.tableName(table).key(key).consistentRead(true)).item(), mine);
    }

    /** The item as read now (empty or null: there is none). */
    private static void take(Map<String, AttributeValue> item, Held mine) {
        mine.exists = item != null && !item.isEmpty();
        mine.stored = mine.exists ? StateJson.read(item.get("state").s(), BudgetState.class) : BudgetState.unknown();
        mine.version = mine.exists ? Long.parseLong(item.get("version").n()) : 0;
        mine.knownAt = mine.clock;
        if (mine.stored.heldUntil() != null && (mine.heldUntil == null || mine.stored.heldUntil().isAfter(mine.heldUntil))) {
            mine.heldUntil = mine.stored.heldUntil(); // another instance's hold binds what this one grants from its allowance
        }
        // Gone from the item (lapsed, or the budget forgotten): their calls no longer count there.
        BudgetState stored = mine.stored;
        mine.keepOnly(p -> stored.inFlight().contains(p.inItem));
    }

    /** Writes {@code next} over the version last known; false when another instance changed it meanwhile. */
    private boolean put(Map<String, AttributeValue> key, Held mine, BudgetState next) {
        // The SDK retries a put whose answer was lost; if the first one landed, the retry fails its
        // condition, and the write's own nonce on the item tells that apart from a real conflict.
        String nonce = UUID.randomUUID().toString();
        Map<String, AttributeValue> written = new HashMap<>(key);
        written.put("state", KitebridgeTable.s(StateJson.write(next)));
        written.put("version", KitebridgeTable.n(mine.version + 1));
        written.put("nonce", KitebridgeTable.s(nonce));
        // A budget nobody has used for a day is forgotten; the next answer describes it again.
        written.put(KitebridgeTable.EXPIRES_AT, KitebridgeTable.expiresAt(time.now().plus(Duration.ofDays(1))));
        try {
            if (mine.exists) {
                dynamo.putItem(b -> b.tableName(table).item(written)
                        .conditionExpression("version = :v").expressionAttributeValues(Map.of(":v", KitebridgeTable.n(mine.version))));
            } else {
                dynamo.putItem(b -> b.tableName(table).item(written).conditionExpression("attribute_not_exists(pk)"));
            }
        } catch (ConditionalCheckFailedException conflict) {
            if (!landed(key, nonce)) {
                return false;
            }
        }
        mine.stored = next;
        mine.version = mine.version + 1;
        mine.exists = true;
        mine.knownAt = mine.clock;
        return true;
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
