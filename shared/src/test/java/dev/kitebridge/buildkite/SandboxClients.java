package dev.kitebridge.buildkite;

import java.net.URI;
import java.time.Duration;

import dev.kitebridge.buildkite.client.BuildkiteClient;
import dev.kitebridge.buildkite.ratelimit.InMemoryRateLimitGovernor;
import dev.kitebridge.buildkite.ratelimit.RateLimitGovernor;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.time.TimeSource;

/** Clients pointed at a sandbox, on the sandbox's clock (scaled the same, or the virtual one it reads). */
final class SandboxClients {

    private SandboxClients() {}

    static BuildkiteClient.Builder builder(Sandbox sandbox) {
        return builder(sandbox, sandbox.token());
    }

    static BuildkiteClient.Builder builder(Sandbox sandbox, String token) {
        return builder(sandbox, token, TimeSource.scaled(sandbox.clock().scale()));
    }

    /** On {@code time}: the virtual clock the sandbox was built on. */
    static BuildkiteClient.Builder builder(Sandbox sandbox, TimeSource time) {
        return builder(sandbox, sandbox.token(), time);
    }

    static BuildkiteClient.Builder builder(Sandbox sandbox, String token, TimeSource time) {
        return BuildkiteClient.builder(BuildkiteToken.of(token))
                .restBaseUrl(URI.create(sandbox.restUrl()))
                .graphqlUrl(URI.create(sandbox.graphqlUrl()))
                .time(time)
                .retry(new RetryPolicy(6, Duration.ofMillis(5), Duration.ofMillis(50)))
                .userBudgetKey(sandbox.owner().uuid());
    }

    static BuildkiteClient client(Sandbox sandbox) {
        return builder(sandbox).build();
    }

    static BuildkiteClient client(Sandbox sandbox, RateLimitGovernor governor) {
        return builder(sandbox).governor(governor).build();
    }

    static RateLimitGovernor governor() {
        return new InMemoryRateLimitGovernor();
    }
}
