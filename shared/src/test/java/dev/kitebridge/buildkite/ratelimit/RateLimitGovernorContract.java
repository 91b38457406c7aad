package dev.kitebridge.buildkite.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.kitebridge.buildkite.ratelimit.RateLimitGovernor.Decision;

/** What every RateLimitGovernor must do; each adapter's test extends this. */
public abstract class RateLimitGovernorContract {

    private static final Budget USER = Budget.user(Budget.Api.REST, "user-1");
    private static final Budget ORG = Budget.organization(Budget.Api.REST, "acme");
    private static final List<Budget> BOTH = List.of(ORG, USER);
    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");

    private RateLimitGovernor governor;

    /** A governor with no state. */
    protected abstract RateLimitGovernor newGovernor();

    /**
     * Another instance sharing the state of the governor {@link #newGovernor} last made (another
     * Lambda instance): in memory, the same governor, which a process shares.
     */
    protected abstract RateLimitGovernor anotherInstance();

    /**
     * How late another instance may learn of an answer that the budget is low for the calls it grants
     * from what it already holds: none in memory, where the instances are one governor.
     */
    protected Duration othersLearnWithin() {
        return Duration.ZERO;
    }

    @org.junit.jupiter.api.BeforeEach
    void fresh() {
        governor = newGovernor();
    }

    /** One call: reserved at {@code at}, answered with the user's remaining and reset. */
    private Decision call(Instant at, long remaining, long resetSeconds) {
        Decision decision = governor.reserve(BOTH, 1, at);
        if (decision instanceof Decision.Granted) {
            governor.settle(BOTH, 1, List.of(new BudgetReading(USER, 50, remaining, at.plusSeconds(resetSeconds), at)));
        }
        return decision;
    }

    @Test
    void grantsWhatRemainsThenWaitsForTheReset() {
        assertInstanceOf(Decision.Granted.class, call(T0, 2, 40), "an unknown budget is granted");
        assertInstanceOf(Decision.Granted.class, call(T0, 1, 40));
        assertInstanceOf(Decision.Granted.class, call(T0, 0, 40));
        assertEquals(new Decision.NotBefore(T0.plusSeconds(40), USER), governor.reserve(BOTH, 1, T0.plusSeconds(1)));
        assertInstanceOf(Decision.Granted.class, governor.reserve(BOTH, 1, T0.plusSeconds(40)), "a new window");
    }

    @Test
    void answersOutOfOrderNeverRaiseTheRemainderWithinAWindow() {
        governor.reserve(List.of(USER), 1, T0);
        governor.settle(List.of(USER), 1, List.of(new BudgetReading(USER, 50, 10, T0.plusSeconds(30), T0)));
        governor.reserve(List.of(USER), 1, T0);
        governor.settle(List.of(USER), 1, List.of(new BudgetReading(USER, 50, 14, T0.plusSeconds(31), T0)));
        // The answer saying 14 was written before the one saying 10, which counts both calls.
        for (int i = 0; i < 10; i++) {
            assertInstanceOf(Decision.Granted.class, governor.reserve(List.of(USER), 1, T0.plusSeconds(1)));
        }
        assertInstanceOf(Decision.NotBefore.class, governor.reserve(List.of(USER), 1, T0.plusSeconds(1)));
    }

    @Test
    void aSlowAnswerOfTheWindowDoesNotRaiseTheRemainder() {
        governor.reserve(List.of(USER), 1, T0);
        governor.reserve(List.of(USER), 1, T0);
        // The second call, counted after the first, is answered at once; the first, counted first, 8 s late: its reset lies
        // 8 s late too (arrival plus RateLimit-Reset), and it says more is left than Buildkite has.
        governor.settle(List.of(USER), 1, List.of(new BudgetReading(USER, 50, 10, T0.plusSeconds(30), T0)));
        governor.settle(List.of(USER), 1, List.of(new BudgetReading(USER, 50, 11, T0.plusSeconds(38), T0.plusSeconds(8))));
        for (int i = 0; i < 10; i++) {
            assertInstanceOf(Decision.Granted.class, governor.reserve(List.of(USER), 1, T0.plusSeconds(9)));
        }
        assertInstanceOf(Decision.NotBefore.class, governor.reserve(List.of(USER), 1, T0.plusSeconds(9)), "10 were left, not 11");
    }

    @Test
    void callsInFlightAreChargedToTheWindowTheyMayLandIn() {
        governor.reserve(List.of(USER), 1, T0);
        governor.settle(List.of(USER), 1, List.of(new BudgetReading(USER, 3, 2, T0.plusSeconds(10), T0)));
        // Two calls leave just before the window closes; they may open the next one.
        governor.reserve(List.of(USER), 1, T0.plusSeconds(9));
        governor.reserve(List.of(USER), 1, T0.plusSeconds(9));
        Instant later = T0.plusSeconds(10);
        assertInstanceOf(Decision.Granted.class, governor.reserve(List.of(USER), 1, later));
        assertInstanceOf(Decision.NotBefore.class, governor.reserve(List.of(USER), 1, later),
                "the new window's 3 are taken by the 2 in flight and the 1 just granted");
    }

    @Test
    void aReservationNeverSettledLapsesInsteadOfStarvingTheBudget() {
        governor.reserve(List.of(USER), 1, T0);
        governor.settle(List.of(USER), 1, List.of(new BudgetReading(USER, 3, 2, T0.plusSeconds(60), T0)));
        // Two calls whose callers died mid-call (a Lambda timeout) and never settle.
        governor.reserve(List.of(USER), 1, T0.plusSeconds(1));
        governor.reserve(List.of(USER), 1, T0.plusSeconds(1));
        Instant nextWindow = T0.plusSeconds(60);
        assertInstanceOf(Decision.Granted.class, governor.reserve(List.of(USER), 1, nextWindow));
        assertInstanceOf(Decision.NotBefore.class, governor.reserve(List.of(USER), 1, nextWindow),
                "while they might still land, they count");

        Instant lapsed = T0.plusSeconds(1).plus(BudgetState.RESERVATION_LEASE);
        governor.settle(List.of(USER), 1, List.of(new BudgetReading(USER, 3, 2, lapsed.plusSeconds(60), lapsed)));
        assertInstanceOf(Decision.Granted.class, governor.reserve(List.of(USER), 1, lapsed));
        assertInstanceOf(Decision.Granted.class, governor.reserve(List.of(USER), 1, lapsed),
                "once lapsed, only what Buildkite reports counts");
    }

    @Test
    void aNewWindowOpenedByALateCallIsRecognised() {
        governor.reserve(List.of(USER), 1, T0);
        governor.settle(List.of(USER), 1, List.of(new BudgetReading(USER, 50, 0, T0.plusSeconds(10), T0)));
        // The answer of a call that opened the next window before the known one was due to close.
        governor.settle(List.of(), 0, List.of(new BudgetReading(USER, 50, 49, T0.plusSeconds(69), T0.plusSeconds(9))));
        // The new window is open: its 49 can be spent, and no more, even once the old one's reset passes.
        for (int i = 0; i < 49; i++) {
            assertInstanceOf(Decision.Granted.class, governor.reserve(List.of(USER), 1, T0.plusSeconds(9 + i % 3)));
        }
        assertEquals(new Decision.NotBefore(T0.plusSeconds(69), USER), governor.reserve(List.of(USER), 1, T0.plusSeconds(11)));
    }

    @Test
    void aQueryThatCostLessThanItReservedGivesTheRestBack() {
        Budget points = Budget.user(Budget.Api.GRAPHQL, "u");
        governor.reserve(List.of(points), 10, T0);
        governor.settle(List.of(points), 10, List.of(new BudgetReading(points, 5000, 4990, T0.plusSeconds(300), T0)));
        for (int i = 0; i < 2; i++) {
            assertInstanceOf(Decision.Granted.class, governor.reserve(List.of(points), 2004, T0));
        }
        assertInstanceOf(Decision.NotBefore.class, governor.reserve(List.of(points), 2004, T0), "4008 of 4990 in flight");
        governor.settle(List.of(points), 2004, List.of(new BudgetReading(points, 5000, 4956, T0.plusSeconds(300), T0)));
        governor.settle(List.of(points), 2004, List.of(new BudgetReading(points, 5000, 4922, T0.plusSeconds(300), T0)));
        for (int i = 0; i < 2; i++) {
            assertInstanceOf(Decision.Granted.class, governor.reserve(List.of(points), 2004, T0),
                    "the two queries cost 34 points each, not 2004");
        }
    }

    @Test
    void aHoldRefusesUntilItEnds() {
        governor.holdUntil(USER, T0.plusSeconds(3));
        assertEquals(new Decision.NotBefore(T0.plusSeconds(3), USER), governor.reserve(BOTH, 1, T0));
        assertInstanceOf(Decision.Granted.class, governor.reserve(BOTH, 1, T0.plusSeconds(3)));
    }

    @Test
    void aCallWithoutAnAnswerIsAssumedCounted() {
        governor.reserve(List.of(USER), 1, T0);
        governor.settle(List.of(USER), 1, List.of(new BudgetReading(USER, 50, 1, T0.plusSeconds(30), T0)));
        governor.reserve(List.of(USER), 1, T0);
        governor.settle(List.of(USER), 1, List.of());
        assertInstanceOf(Decision.NotBefore.class, governor.reserve(List.of(USER), 1, T0));
    }

    @Test
    void graphqlReservesItsExpectedCost() {
        Budget points = Budget.user(Budget.Api.GRAPHQL, "u");
        governor.reserve(List.of(points), 10, T0);
        governor.settle(List.of(points), 10, List.of(new BudgetReading(points, 5000, 1200, T0.plusSeconds(200), T0)));
        assertInstanceOf(Decision.NotBefore.class, governor.reserve(List.of(points), 1504, T0));
        assertInstanceOf(Decision.Granted.class, governor.reserve(List.of(points), 1004, T0));
    }

    @Test
    void aCallCostingMoreThanTheWholeLimitIsNeverWaitedForAndReservesNothing() {
        Budget points = Budget.user(Budget.Api.GRAPHQL, "u");
        Budget orgPoints = Budget.organization(Budget.Api.GRAPHQL, "acme");
        governor.reserve(List.of(orgPoints, points), 10, T0);
        governor.settle(List.of(orgPoints, points), 10, List.of(new BudgetReading(points, 300, 290, T0.plusSeconds(300), T0),
                new BudgetReading(orgPoints, 20_000, 19_990, T0.plusSeconds(300), T0)));
        assertEquals(new Decision.OverLimit(points, 300), governor.reserve(List.of(orgPoints, points), 404, T0),
                "no refill of a 300-point window covers 404 points");
        assertEquals(19_990, governor.state(orgPoints).orElseThrow().available(), "the organization's budget holds nothing for it");
        assertEquals(new Decision.OverLimit(points, 300), governor.reserve(List.of(orgPoints, points), 404, T0.plusSeconds(600)),
                "nor does a later one");
        assertInstanceOf(Decision.Granted.class, governor.reserve(List.of(orgPoints, points), 290, T0), "a call that fits");
    }

    @Test
    void tellsWhereABudgetStands() {
        assertEquals(java.util.Optional.empty(), governor.state(USER));
        call(T0, 7, 40);
        BudgetState state = governor.state(USER).orElseThrow();
        assertEquals(50, state.limit());
        assertEquals(7, state.available());
    }

    @Test
    void instancesSharingABudgetGrantTogetherWhatItHasAndNoMore() {
        RateLimitGovernor other = anotherInstance();
        governor.reserve(List.of(USER), 1, T0);
        governor.settle(List.of(USER), 1, List.of(new BudgetReading(USER, 50, 30, T0.plusSeconds(60), T0)));
        other.reserve(List.of(USER), 1, T0);
        other.settle(List.of(USER), 1, List.of(new BudgetReading(USER, 50, 20, T0.plusSeconds(60), T0)));
        int granted = 0;
        for (int i = 0; i < 30; i++) {
            RateLimitGovernor each = i % 3 == 0 ? other : governor;
            granted += each.reserve(List.of(USER), 1, T0.plusSeconds(1)) instanceof Decision.Granted ? 1 : 0;
        }
        assertEquals(20, granted, "the lower answer, 20, is what both may grant, whoever holds what of it");
        assertInstanceOf(Decision.NotBefore.class, other.reserve(List.of(USER), 1, T0.plusSeconds(2)));
        assertInstanceOf(Decision.NotBefore.class, governor.reserve(List.of(USER), 1, T0.plusSeconds(2)));
    }

    /** An answer that the budget is low binds the other instances once they learn of it ({@link #othersLearnWithin}). */
    @Test
    void anAnswerThatTheBudgetIsLowReachesTheOtherInstances() {
        RateLimitGovernor other = anotherInstance();
        other.reserve(List.of(USER), 1, T0);
        other.settle(List.of(USER), 1, List.of(new BudgetReading(USER, 50, 49, T0.plusSeconds(600), T0)));
        governor.reserve(List.of(USER), 1, T0);
        governor.settle(List.of(USER), 1, List.of(new BudgetReading(USER, 50, 2, T0.plusSeconds(600), T0.plusSeconds(1))));
        assertEquals(2, other.state(USER).orElseThrow().at(T0.plusSeconds(1)).reported(), "another user of the budget left 2");
        Instant learnt = T0.plusSeconds(2).plus(othersLearnWithin());
        int granted = 0;
        for (int i = 0; i < 5; i++) {
            granted += other.reserve(List.of(USER), 1, learnt) instanceof Decision.Granted ? 1 : 0;
        }
        assertEquals(2, granted);
    }

    @Test
    void aCallNeverSentGivesBackWhatItTookOfTheFirstBudget() {
        governor.reserve(BOTH, 1, T0);
        governor.settle(BOTH, 1, List.of(new BudgetReading(USER, 50, 10, T0.plusSeconds(60), T0),
                new BudgetReading(ORG, 200, 150, T0.plusSeconds(60), T0)));
        governor.holdUntil(USER, T0.plusSeconds(30));
        assertEquals(new Decision.NotBefore(T0.plusSeconds(30), USER), governor.reserve(BOTH, 1, T0.plusSeconds(1)));
        assertEquals(150, governor.state(ORG).orElseThrow().at(T0.plusSeconds(1)).available(), "the organization's budget holds nothing for it");
    }
}
