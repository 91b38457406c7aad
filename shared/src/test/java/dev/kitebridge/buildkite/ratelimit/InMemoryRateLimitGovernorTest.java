package dev.kitebridge.buildkite.ratelimit;

class InMemoryRateLimitGovernorTest extends RateLimitGovernorContract {

    private InMemoryRateLimitGovernor governor;

    @Override
    protected RateLimitGovernor newGovernor() {
        governor = new InMemoryRateLimitGovernor();
        return governor;
    }

    @Override
    protected RateLimitGovernor anotherInstance() {
        return governor;
    }
}
