package dev.kitebridge.functions;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

import dev.kitebridge.api.DirectoryEndpoints;
import dev.kitebridge.buildkite.BuildkiteClient;
import dev.kitebridge.buildkite.TimeSource;
import dev.kitebridge.buildkite.ratelimit.InMemoryRateLimitGovernor;
import dev.kitebridge.directory.BuildkiteAccess;
import dev.kitebridge.state.memory.InMemoryAccountStore;
import dev.kitebridge.state.memory.InMemoryCursorStore;
import dev.kitebridge.state.memory.InMemoryOrganizationDataStore;
import dev.kitebridge.state.memory.InMemoryTokenVault;

/**
 * What the handlers run on, built once per process (a Lambda container keeps it between
 * invocations). Configuration comes from the environment:
 * {@code KITEBRIDGE_BUILDKITE_REST_URL} and {@code KITEBRIDGE_BUILDKITE_GRAPHQL_URL} (Buildkite's
 * public endpoints by default). State is in memory until the DynamoDB and Secrets Manager
 * adapters arrive. The local dev server installs its own wiring before it creates handlers.
 */
public final class Dependencies {

    private static volatile DirectoryEndpoints directory;

    private Dependencies() {}

    public static DirectoryEndpoints directory() {
        DirectoryEndpoints current = directory;
        if (current == null) {
            synchronized (Dependencies.class) {
                if (directory == null) {
                    directory = DirectoryEndpoints.create(fromEnvironment(System.getenv()));
                }
                current = directory;
            }
        }
        return current;
    }

    /** Installs the wiring the handlers of this process use (the local dev server, tests). */
    public static void use(DirectoryEndpoints endpoints) {
        directory = endpoints;
    }

    static DirectoryEndpoints.Wiring fromEnvironment(Map<String, String> env) {
        URI rest = Optional.ofNullable(env.get("KITEBRIDGE_BUILDKITE_REST_URL")).map(URI::create)
                .orElse(BuildkiteClient.BUILDKITE_REST);
        URI graphql = Optional.ofNullable(env.get("KITEBRIDGE_BUILDKITE_GRAPHQL_URL")).map(URI::create)
                .orElse(BuildkiteClient.BUILDKITE_GRAPHQL);
        return new DirectoryEndpoints.Wiring(new InMemoryAccountStore(), new InMemoryTokenVault(), new InMemoryCursorStore(),
                new InMemoryOrganizationDataStore(), new InMemoryRateLimitGovernor(), new BuildkiteAccess.Endpoints(rest, graphql),
                TimeSource.SYSTEM);
    }
}
