package dev.kitebridge.buildkite.ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One budget as a governor knows it, and how it changes: a reservation before a call, a
 * settlement after it, Buildkite's reading of the window. Immutable, so that the same rules run
 * on a map in memory and on an item in DynamoDB (read, change, write if unchanged).
 *
 * <p>The governor keeps what Buildkite last reported as remaining in the current window and,
 * apart from it, what calls in flight have reserved; a call is granted when the reported
 * remainder less the calls in flight covers its cost. Buildkite's windows open at the first call
 * after the last one closed, so a call that leaves late in one window may land in, and open, the
 * next: calls in flight are charged to whatever window is current. Within one window the
 * remainder only falls, so answers arriving out of order are merged by taking the lower one.
 *
 * @param limit the window's limit; {@link #UNKNOWN} before any answer
 * @param reported the remainder Buildkite last reported (the full limit for a window no answer has
 *     described yet), less calls that got no answer
 * @param inFlight what granted calls that have not settled reserved, each until it lapses
 * @param resetsAt when the described window closes; null for a window not yet described
 * @param closedAt when the last described window closed, to recognise its late answers
 * @param windowLength the longest window seen, to guess the close of an undescribed one
 * @param heldUntil no grant before this instant (after a 429 that named no budget)
 */
public record BudgetState(long limit, long reported, List<Reservation> inFlight, Instant resetsAt, Instant closedAt,
                          Duration windowLength, Instant heldUntil) {

    public static final long UNKNOWN = Long.MAX_VALUE;

    /**
     * What a granted call holds of the budget until it settles. A caller that never settles (its
     * Lambda timed out or crashed mid-call) would hold it for ever, so a reservation lapses after
     * {@link #RESERVATION_LEASE}: far longer than a call may take (15 s of connect and request
     * timeouts), short enough that lost ones do not starve the budget.
     */
    public record Reservation(long cost, Instant lapsesAt) {}

    public static final Duration RESERVATION_LEASE = Duration.ofMinutes(10);

    public BudgetState {
        inFlight = List.copyOf(inFlight);
    }

    /**
     * Readings of one window differ in their reset time by the rounding of {@code RateLimit-Reset} to
     * whole seconds and by latency; a new window resets a whole window length later.
     */
    static final Duration SAME_WINDOW = Duration.ofSeconds(5);

    /** How long to hold back when a fresh window is spent before any answer from it arrived. */
    static final Duration SETTLE = Duration.ofSeconds(1);

    /** A budget no answer has described. */
    public static BudgetState unknown() {
        return new BudgetState(UNKNOWN, UNKNOWN, List.of(), null, null, null, null);
    }

    public long available() {
        return reported - inFlight.stream().mapToLong(Reservation::cost).sum();
    }

    /**
     * The state at {@code now}: lapsed reservations are dropped, and once a window has closed, the
     * next starts full until an answer describes it.
     */
    public BudgetState at(Instant now) {
        List<Reservation> live = inFlight.stream().filter(r -> now.isBefore(r.lapsesAt())).toList();
        if (resetsAt != null && !now.isBefore(resetsAt)) {
            return new BudgetState(limit, limit, live, null, resetsAt, windowLength, heldUntil);
        }
        return live.size() == inFlight.size() ? this
                : new BudgetState(limit, reported, live, resetsAt, closedAt, windowLength, heldUntil);
    }

    /**
     * Whether no window of this budget can ever grant a call of this cost: it costs more than the
     * whole limit. Waiting for such a call would never end, so it is refused outright.
     */
    public boolean neverGrants(long cost) {
        return limit != UNKNOWN && cost > limit;
    }

    /** The state in a few words, for a log line: limit, remainder, calls in flight, reset, hold. */
    public String summary() {
        if (limit == UNKNOWN) {
            return "not yet described by Buildkite";
        }
        return "limit " + limit + ", remaining " + reported + ", in flight " + (reported - available())
                + (resetsAt != null ? ", resets at " + resetsAt : ", window closed at " + closedAt)
                + (heldUntil != null ? ", held until " + heldUntil : "");
    }

    /** When a call of this cost could be granted: null for now. Call on {@link #at(Instant)}'s result. */
    public Instant notBefore(long cost, Instant now) {
        if (heldUntil != null && now.isBefore(heldUntil)) {
            return heldUntil;
        }
        if (available() >= cost) {
            return null;
        }
        if (resetsAt != null) {
            return resetsAt;
        }
        // A fresh window spent before any answer described it: wait for the answers in flight, or,
        // with none coming, for the window to have surely closed.
        Instant retry = !inFlight.isEmpty() || windowLength == null || closedAt == null ? now.plus(SETTLE) : closedAt.plus(windowLength);
        return retry.isAfter(now) ? retry : now.plus(SETTLE);
    }

    public BudgetState reserved(long cost, Instant now) {
        List<Reservation> more = new ArrayList<>(inFlight);
        more.add(new Reservation(cost, now.plus(RESERVATION_LEASE)));
        return new BudgetState(limit, reported, more, resetsAt, closedAt, windowLength, heldUntil);
    }

    /** A reservation given back unused: the call was never sent. */
    public BudgetState cancelled(long cost) {
        return new BudgetState(limit, reported, withoutOne(cost), resetsAt, closedAt, windowLength, heldUntil);
    }

    /** A call ended; without an answer about this budget, it is assumed to have been counted. */
    public BudgetState settled(long cost, boolean answered) {
        long newReported = answered || reported == UNKNOWN ? reported : reported - cost;
        return new BudgetState(limit, newReported, withoutOne(cost), resetsAt, closedAt, windowLength, heldUntil);
    }

    /**
     * The reservations less the newest of this cost. Calls of one cost are interchangeable here, and
     * a call settles seconds after it reserved, so the newest is most likely its own; the old ones
     * left are those never settled, which lapse the soonest.
     */
    private List<Reservation> withoutOne(long cost) {
        List<Reservation> fewer = new ArrayList<>(inFlight);
        for (int i = fewer.size() - 1; i >= 0; i--) {
            if (fewer.get(i).cost() == cost) {
                fewer.remove(i);
                break;
            }
        }
        return fewer;
    }

    /**
     * With this reservation added as it is: an allowance a governor instance takes for several calls
     * at once, which it grants from without asking the shared state each time.
     */
    public BudgetState withReservation(Reservation reservation) {
        List<Reservation> more = new ArrayList<>(inFlight);
        more.add(reservation);
        return new BudgetState(limit, reported, more, resetsAt, closedAt, windowLength, heldUntil);
    }

    /** Without this reservation (one equal to it), if it is still held: it may have lapsed. */
    public BudgetState withoutReservation(Reservation reservation) {
        List<Reservation> fewer = new ArrayList<>(inFlight);
        return fewer.remove(reservation) ? new BudgetState(limit, reported, fewer, resetsAt, closedAt, windowLength, heldUntil) : this;
    }

    /**
     * A call that got no answer about this budget, counted as spent ({@link #settled} without its
     * reservation, which an allowance holds apart).
     */
    public BudgetState spentWithoutAnswer(long cost) {
        return reported == UNKNOWN ? this : new BudgetState(limit, reported - cost, inFlight, resetsAt, closedAt, windowLength, heldUntil);
    }

    public BudgetState held(Instant until) {
        return new BudgetState(limit, reported, inFlight, resetsAt, closedAt, windowLength, until);
    }

    /** What an answer said about this budget, merged with what was known. */
    public BudgetState observed(BudgetReading reading) {
        Duration length = longest(windowLength, Duration.between(reading.observedAt(), reading.resetsAt()));
        if (limit == UNKNOWN) {
            return new BudgetState(reading.limit(), reading.remaining(), inFlight, reading.resetsAt(), null, length, heldUntil);
        }
        if (closedAt != null && !reading.resetsAt().isAfter(closedAt.plus(SAME_WINDOW))) {
            return this; // a late answer from a window that has already closed
        }
        if (resetsAt == null) {
            // The first answer from the window that opened after the last one closed.
            return new BudgetState(reading.limit(), Math.min(reported, reading.remaining()), inFlight, reading.resetsAt(),
                    closedAt, length, heldUntil);
        }
        // (Within BudgetReading.OTHER_WINDOW it is this window's: a slow answer's reset lies late, and one counted before
        // others may say more is left than they do; a new window resets a window length or more after this one.)
        if (reading.resetsAt().isAfter(resetsAt.plus(BudgetReading.OTHER_WINDOW))) {
            // A new window opened before the known one was due to close: a late call opened it.
            return new BudgetState(reading.limit(), reading.remaining(), inFlight, reading.resetsAt(), resetsAt, length, heldUntil);
        }
        return new BudgetState(reading.limit(), Math.min(reported, reading.remaining()), inFlight, resetsAt, closedAt, length,
                heldUntil);
    }

    private static Duration longest(Duration a, Duration b) {
        return a == null || b.compareTo(a) > 0 ? b : a;
    }
}
