package dev.kitebridge.buildkite.ratelimit;

class InMemoryRateLimitGovernorTest extends RateLimitGovernorContract {

    @Override
    protected RateLimitGovernor newGovernor() {
        return new InMemoryRateLimitGovernor();
    }
}
