package dev.kitebridge.accounts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.api.ApiRequest;
import dev.kitebridge.api.ApiResponse;
import dev.kitebridge.app.Application;
import dev.kitebridge.app.ConnectState;
import dev.kitebridge.app.SyncState;
import dev.kitebridge.contract.ApiJson;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.state.aws.AwsClients;
import dev.kitebridge.state.aws.AwsConfig;
import dev.kitebridge.state.aws.Dynalite;
import dev.kitebridge.state.aws.DynamoDbAccountStore;
import dev.kitebridge.state.aws.DynamoDbApiKeyStore;
import dev.kitebridge.state.aws.DynamoDbConnectSessionStore;
import dev.kitebridge.state.aws.DynamoDbCursorStore;
import dev.kitebridge.state.aws.DynamoDbDeadLetterStore;
import dev.kitebridge.state.aws.DynamoDbEventLog;
import dev.kitebridge.state.aws.DynamoDbIdempotencyStore;
import dev.kitebridge.state.aws.DynamoDbOrganizationDataStore;
import dev.kitebridge.state.aws.DynamoDbRateLimitGovernor;
import dev.kitebridge.state.aws.DynamoDbRedirectOriginStore;
import dev.kitebridge.state.aws.DynamoDbSnapshotStore;
import dev.kitebridge.state.aws.DynamoDbSyncStore;
import dev.kitebridge.state.aws.DynamoDbWebhookStore;
import dev.kitebridge.state.aws.MotoServer;
import dev.kitebridge.state.aws.SecretsManagerTokenVault;
import dev.kitebridge.time.TimeSource;
import dev.kitebridge.webhooks.WebhookTargets;

/** The whole application over a sandbox, on in-memory state or on dynalite and moto's Secrets Manager. */
public final class AppFixture implements AutoCloseable {

    public final Sandbox sandbox;
    public final Application app;
    /** The table, on AWS state; null in memory. */
    public final Dynalite.Table table;
    /** Where the tokens are, on AWS: moto, and the secret names' prefix, of this fixture alone. */
    private final MotoServer moto;
    final String secretPrefix;

    private AppFixture(Sandbox sandbox, Application app, Dynalite.Table table, MotoServer moto, String secretPrefix) {
        this.sandbox = sandbox;
        this.app = app;
        this.table = table;
        this.moto = moto;
        this.secretPrefix = secretPrefix;
    }

    public static AppFixture inMemory(Sandbox sandbox) {
        return new AppFixture(sandbox, Application.create(Application.Wiring.builder()
                .buildkite(endpoints(sandbox))
                .time(TimeSource.scaled(sandbox.clock().scale()))
                .build()), null, null, null);
    }

    /** In memory, the schedule on the given cadence; the runs it queues are taken by {@link #tick}. */
    public static AppFixture inMemory(Sandbox sandbox, dev.kitebridge.sync.SyncCadence cadence) {
        List<String> queued = new java.util.concurrent.CopyOnWriteArrayList<>();
        AppFixture fixture = new AppFixture(sandbox, Application.create(Application.Wiring.builder()
                .buildkite(endpoints(sandbox))
                .time(TimeSource.scaled(sandbox.clock().scale()))
                .sync(SyncState.inMemory((runId, delay) -> queued.add(runId)).withCadence(cadence))
                .build()), null, null, null);
        fixture.queued = queued;
        return fixture;
    }

    /** Run ids the schedule queued (with {@link #inMemory(Sandbox, dev.kitebridge.sync.SyncCadence)}). */
    private List<String> queued = List.of();

    /**
     * The schedule's tick; each run it queued worked on to its end; then every event published so
     * far, a page at a time: the answers, as {@link #sync} gives them (none where nothing was started).
     */
    List<String> tick(String tenant, String accountId) {
        int before = queued.size();
        app.syncSchedule().tick();
        if (queued.size() == before) {
            return List.of();
        }
        String runId = queued.get(queued.size() - 1);
        return work(tenant, accountId, runId, answer(app.sync().getRun(new ApiRequest("GET", "/sync-runs/" + runId, Map.of("id", runId),
                Map.of(), Map.of(), null, "req-sync", tenant))).raw());
    }

    /** On dynalite and moto; skipped where moto_server is absent (failed in CI). */
    public static AppFixture onAws(Sandbox sandbox) {
        MotoServer moto;
        try {
            moto = MotoServer.require();
        } catch (RuntimeException | AssertionError notRunnable) {
            sandbox.close();
            throw notRunnable;
        }
        Dynalite.Table table = Dynalite.get().newTable();
        AwsConfig config = new AwsConfig("us-east-1", table.name(), moto.newSecretPrefix(), table.config().dynamoDbEndpoint(), moto.endpoint());
        var dynamo = table.client();
        Application app = Application.create(Application.Wiring.builder()
                .accounts(new DynamoDbAccountStore(dynamo, table.name()))
                .tokens(new SecretsManagerTokenVault(AwsClients.secretsManager(config), config.secretPrefix(), TimeSource.SYSTEM))
                .cursors(new DynamoDbCursorStore(dynamo, table.name()))
                .organizationData(new DynamoDbOrganizationDataStore(dynamo, table.name(), TimeSource.SYSTEM))
                .apiKeys(new DynamoDbApiKeyStore(dynamo, table.name()))
                .idempotency(new DynamoDbIdempotencyStore(dynamo, table.name()))
                .governor(new DynamoDbRateLimitGovernor(dynamo, table.name(), TimeSource.SYSTEM))
                .buildkite(endpoints(sandbox))
                .time(TimeSource.scaled(sandbox.clock().scale()))
                .sync(new SyncState(new DynamoDbSyncStore(dynamo, table.name()), new DynamoDbSnapshotStore(dynamo, table.name()), new DynamoDbEventLog(dynamo, table.name()), (runId, delay) -> { }, new DynamoDbWebhookStore(dynamo, table.name()), new DynamoDbDeadLetterStore(dynamo, table.name()), SyncState.DEFAULT_MAX_DELETION_SHARE, WebhookTargets.PUBLIC_ONLY))
                .connect(new ConnectState(new DynamoDbConnectSessionStore(dynamo, table.name()), new DynamoDbRedirectOriginStore(dynamo, table.name())))
                .build());
        return new AppFixture(sandbox, app, table, moto, config.secretPrefix());
    }

    /** This fixture's secrets that are not scheduled for deletion, by name, with their values. */
    Map<String, String> liveSecrets() {
        return moto.liveSecrets(secretPrefix);
    }

    private static BuildkiteAccess.Endpoints endpoints(Sandbox sandbox) {
        return new BuildkiteAccess.Endpoints(URI.create(sandbox.restUrl()), URI.create(sandbox.graphqlUrl()));
    }

    /** An answer: status, headers and body as JSON. */
    record Answer(int status, Map<String, String> headers, JsonNode body, String raw) {}

    Answer accounts(String tenant, String method, String id, String body) {
        ApiRequest request = new ApiRequest(method + " /integrated-accounts" + (id == null ? "" : "/{id}"), method,
                "/integrated-accounts" + (id == null ? "" : "/" + id),
                id == null ? Map.of() : Map.of("id", id), Map.of(), Map.of(), body, "req-accounts", tenant);
        return answer(app.routes().answer(request));
    }

    /** A directory GET: {@code resource} is users, groups, roles, organizations or me. */
    Answer directory(String tenant, String resource, String id, Map<String, String> query) {
        ApiRequest request = new ApiRequest("GET /unified/user-directory/" + resource + (id == null ? "" : "/{id}"), "GET",
                "/unified/user-directory/" + resource, id == null ? Map.of() : Map.of("id", id), new HashMap<>(query), Map.of(), null,
                "req-directory", tenant);
        return answer(app.routes().answer(request));
    }

    /**
     * A sync run of the account, started over the API and worked on to its end, then every event it
     * published, a page at a time: the answers, as the API gave them.
     */
    List<String> sync(String tenant, String accountId) {
        List<String> answers = new ArrayList<>();
        ApiResponse started = app.sync().startRun(new ApiRequest("POST", "/sync-runs", Map.of(), Map.of(), Map.of(),
                "{\"integrated_account_id\": \"" + accountId + "\"}", "req-sync", tenant));
        String runId = answer(started).body().get("id").asText();
        return work(tenant, accountId, runId, started.body());
    }

    /** The run worked on to its end, then the answers: how it started, how it ended, and every event published so far. */
    private List<String> work(String tenant, String accountId, String runId, String startedAnswer) {
        List<String> answers = new ArrayList<>();
        answers.add(startedAnswer);
        TimeSource time = TimeSource.scaled(sandbox.clock().scale());
        while (app.syncRunner().work(runId, "worker", time.now().plus(java.time.Duration.ofMinutes(10))).kind()
                != dev.kitebridge.sync.SyncRunner.Outcome.Kind.DONE) {
            // a worker's time at a time
        }
        answers.add(app.sync().getRun(new ApiRequest("GET", "/sync-runs/" + runId, Map.of("id", runId), Map.of(), Map.of(), null,
                "req-sync", tenant)).body());
        String after = null;
        while (true) {
            Map<String, String> query = new HashMap<>(Map.of("integrated_account_id", accountId, "limit", "500"));
            if (after != null) {
                query.put("after", after);
            }
            Answer page = answer(app.sync().events(new ApiRequest("GET", "/events", Map.of(), query, Map.of(), null, "req-sync", tenant)));
            answers.add(page.raw());
            if (page.body().get("result").isEmpty()) {
                return answers;
            }
            after = page.body().get("next_cursor").asText();
        }
    }

    /** Links the sandbox's ready token for the tenant and returns the account's id. */
    public String link(String tenant, String token) {
        Answer linked = accounts(tenant, "POST", null, "{\"token\":\"" + token + "\",\"label\":\"" + tenant + "'s Buildkite\"}");
        if (linked.status() != 201) {
            throw new AssertionError("linking failed: " + linked.raw());
        }
        return linked.body().get("id").asText();
    }

    static Answer answerOf(ApiResponse response) {
        return answer(response);
    }

    private static Answer answer(ApiResponse response) {
        try {
            return new Answer(response.statusCode(), response.headers(), ApiJson.MAPPER.readTree(response.body()), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        sandbox.close();
    }
}
