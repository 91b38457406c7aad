package dev.kitebridge.state.aws;

import dev.kitebridge.buildkite.ratelimit.RateLimitGovernor;
import dev.kitebridge.buildkite.ratelimit.RateLimitGovernorContract;
import dev.kitebridge.time.TimeSource;

class DynamoDbRateLimitGovernorTest extends RateLimitGovernorContract {

    @Override
    protected RateLimitGovernor newGovernor() {
        Dynalite.Table table = Dynalite.get().newTable();
        return new DynamoDbRateLimitGovernor(table.client(), table.name(), TimeSource.SYSTEM);
    }
}
