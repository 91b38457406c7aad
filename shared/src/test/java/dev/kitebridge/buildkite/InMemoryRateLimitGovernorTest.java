package dev.kitebridge.buildkite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.kitebridge.buildkite.ratelimit.Budget;
import dev.kitebridge.buildkite.ratelimit.BudgetReading;
import dev.kitebridge.buildkite.ratelimit.InMemoryRateLimitGovernor;
import dev.kitebridge.buildkite.ratelimit.RateLimitGovernor.Decision;

class InMemoryRateLimitGovernorTest {

    private static final Budget USER = Budget.user(Budget.Api.REST, "user-1");
    private static final Budget ORG = Budget.organization(Budget.Api.REST, "acme");
    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");

    private final InMemoryRateLimitGovernor governor = new InMemoryRateLimitGovernor();

    @Test
    void grantsWhatRemainsThenWaitsForTheReset() {
        assertInstanceOf(Decision.Granted.class, governor.reserve(List.of(ORG, USER), 1, T0), "an unknown budget is granted");
        governor.observe(List.of(new BudgetReading(USER, 50, 2, T0.plusSeconds(40), T0)));
        assertInstanceOf(Decision.Granted.class, governor.reserve(List.of(ORG, USER), 1, T0));
        assertInstanceOf(Decision.Granted.class, governor.reserve(List.of(ORG, USER), 1, T0));
        Decision third = governor.reserve(List.of(ORG, USER), 1, T0.plusSeconds(1));
        assertEquals(new Decision.NotBefore(T0.plusSeconds(40), USER), third);
        assertInstanceOf(Decision.Granted.class, governor.reserve(List.of(ORG, USER), 1, T0.plusSeconds(40)), "a new window");
    }

    @Test
    void answersOutOfOrderNeverRaiseTheRemainderWithinAWindow() {
        governor.observe(List.of(new BudgetReading(USER, 50, 10, T0.plusSeconds(30), T0)));
        governor.observe(List.of(new BudgetReading(USER, 50, 14, T0.plusSeconds(31), T0.plusMillis(5))));
        for (int i = 0; i < 10; i++) {
            assertInstanceOf(Decision.Granted.class, governor.reserve(List.of(USER), 1, T0.plusSeconds(1)));
        }
        assertInstanceOf(Decision.NotBefore.class, governor.reserve(List.of(USER), 1, T0.plusSeconds(1)));
    }

    @Test
    void aFreshWindowCountsDownFromItsLimitUntilAnAnswerDescribesIt() {
        governor.observe(List.of(new BudgetReading(USER, 3, 0, T0.plusSeconds(10), T0)));
        Instant later = T0.plusSeconds(10);
        for (int i = 0; i < 3; i++) {
            assertInstanceOf(Decision.Granted.class, governor.reserve(List.of(USER), 1, later));
        }
        assertInstanceOf(Decision.NotBefore.class, governor.reserve(List.of(USER), 1, later),
                "in-flight calls of the new window are counted before any answer arrives");
    }

    @Test
    void graphqlReservesItsExpectedCost() {
        governor.observe(List.of(new BudgetReading(Budget.user(Budget.Api.GRAPHQL, "u"), 5000, 1200, T0.plusSeconds(200), T0)));
        assertInstanceOf(Decision.NotBefore.class, governor.reserve(List.of(Budget.user(Budget.Api.GRAPHQL, "u")), 1504, T0));
        assertInstanceOf(Decision.Granted.class, governor.reserve(List.of(Budget.user(Budget.Api.GRAPHQL, "u")), 1004, T0));
    }
}
