package dev.kitebridge.state.aws;

import dev.kitebridge.buildkite.TimeSource;
import dev.kitebridge.buildkite.ratelimit.RateLimitGovernor;
import dev.kitebridge.buildkite.ratelimit.RateLimitGovernorContract;

class DynamoDbRateLimitGovernorTest extends RateLimitGovernorContract {

    @Override
    protected RateLimitGovernor newGovernor() {
        Dynalite.Table table = Dynalite.get().newTable();
        return new DynamoDbRateLimitGovernor(table.client(), table.name(), TimeSource.SYSTEM);
    }
}
