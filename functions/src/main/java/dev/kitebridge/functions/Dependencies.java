package dev.kitebridge.functions;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.app.Application;
import dev.kitebridge.app.ConnectState;
import dev.kitebridge.app.SyncState;
import dev.kitebridge.buildkite.client.BuildkiteClient;
import dev.kitebridge.logging.JsonLogFormatter;
import dev.kitebridge.state.aws.AwsClients;
import dev.kitebridge.state.aws.AwsConfig;
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
import dev.kitebridge.state.aws.SecretsManagerTokenVault;
import dev.kitebridge.state.aws.SqsSyncQueue;
import dev.kitebridge.state.memory.InMemoryApiKeyStore;
import dev.kitebridge.sync.SyncCadence;
import dev.kitebridge.sync.SyncQueue;
import dev.kitebridge.tenants.ApiKeyStore;
import dev.kitebridge.tenants.ApiKeys;
import dev.kitebridge.time.TimeSource;
import dev.kitebridge.webhooks.WebhookTargets;

/**
 * What the handlers run on, built once per process (a Lambda container keeps it between
 * invocations). From the environment: {@code KITEBRIDGE_TABLE} (with {@code AWS_REGION},
 * {@code KITEBRIDGE_SECRET_PREFIX} and the optional endpoint overrides of {@link AwsConfig})
 * puts the state in DynamoDB and Secrets Manager; without it the state is in memory.
 * {@code KITEBRIDGE_BUILDKITE_REST_URL} and {@code KITEBRIDGE_BUILDKITE_GRAPHQL_URL} default to
 * Buildkite's public endpoints. Building either also makes every log line of the process JSON
 * ({@link JsonLogFormatter#install()}). The local dev server installs its own wiring.
 */
public final class Dependencies {

    private static volatile Application application;
    private static volatile ApiKeys apiKeys;
    /** Kept reachable: CRaC holds its resources weakly. */
    private static Resource refreshAfterRestore;
    private static Resource priming;

    private Dependencies() {}

    public static Application application() {
        Application current = application;
        if (current == null) {
            synchronized (Dependencies.class) {
                if (application == null) {
                    JsonLogFormatter.install();
                    application = Application.create(fromEnvironment(System.getenv()));
                    Application created = application;
                    priming = new Resource() {
                        @Override
                        public void beforeCheckpoint(Context<? extends Resource> context) {
                            Priming.prime(created);
                        }

                        @Override
                        public void afterRestore(Context<? extends Resource> context) {
                            // nothing: the tokens are forgotten by refreshAfterRestore
                        }
                    };
                    Core.getGlobalContext().register(priming);
                }
                current = application;
            }
        }
        return current;
    }

    /**
     * The API keys alone, for the authorizer: its process needs one table read per key, not the
     * whole application (no Secrets Manager client, no governor), which keeps its cold start short.
     * Where an application is installed (the dev server), its keys.
     */
    public static ApiKeys apiKeys() {
        Application installed = application;
        if (installed != null) {
            return installed.apiKeys();
        }
        ApiKeys current = apiKeys;
        if (current == null) {
            synchronized (Dependencies.class) {
                if (apiKeys == null) {
                    JsonLogFormatter.install();
                    apiKeys = new ApiKeys(AwsConfig.fromEnvironment(System.getenv())
                            .<ApiKeyStore>map(config -> new DynamoDbApiKeyStore(AwsClients.dynamoDb(config), config.table()))
                            .orElseGet(InMemoryApiKeyStore::new), TimeSource.SYSTEM);
                }
                current = apiKeys;
            }
        }
        return current;
    }

    /** Installs the application the handlers of this process use (the local dev server, tests). */
    public static void use(Application installed) {
        application = installed;
    }

    public static Application.Wiring fromEnvironment(Map<String, String> env) {
        BuildkiteAccess.Endpoints buildkite = new BuildkiteAccess.Endpoints(
                Optional.ofNullable(env.get("KITEBRIDGE_BUILDKITE_REST_URL")).map(URI::create).orElse(BuildkiteClient.BUILDKITE_REST),
                Optional.ofNullable(env.get("KITEBRIDGE_BUILDKITE_GRAPHQL_URL")).map(URI::create).orElse(BuildkiteClient.BUILDKITE_GRAPHQL));
        Optional<AwsConfig> aws = AwsConfig.fromEnvironment(env);
        double maxDeletionShare = Optional.ofNullable(env.get("KITEBRIDGE_SYNC_MAX_DELETION_SHARE")).map(Double::parseDouble)
                .orElse(SyncState.DEFAULT_MAX_DELETION_SHARE);
        WebhookTargets webhookTargets = WebhookTargets.fromEnvironment(env);
        SyncCadence cadence = SyncCadence.fromEnvironment(env);
        if (aws.isEmpty()) {
            // (The dev server puts its own queue in; a Lambda without a table has no queue to send runs to.)
            return Application.Wiring.builder()
                    .buildkite(buildkite)
                    .sync(SyncState.inMemory((runId, delay) -> { }, maxDeletionShare).withWebhookTargets(webhookTargets).withCadence(cadence))
                    .build();
        }
        AwsConfig config = aws.get();
        DynamoDbClient dynamo = AwsClients.dynamoDb(config);
        String table = config.table();
        SecretsManagerTokenVault tokens = new SecretsManagerTokenVault(AwsClients.secretsManager(config), config.secretPrefix(),
                TimeSource.SYSTEM);
        refreshAfterRestore = new Resource() {
            @Override
            public void beforeCheckpoint(Context<? extends Resource> context) {
                tokens.forgetAll();
            }

            @Override
            public void afterRestore(Context<? extends Resource> context) {
                // A restored snapshot may be days old: tokens are read again from Secrets Manager.
                tokens.forgetAll();
            }
        };
        Core.getGlobalContext().register(refreshAfterRestore);
        return Application.Wiring.builder()
                .accounts(new DynamoDbAccountStore(dynamo, table))
                .tokens(tokens)
                .cursors(new DynamoDbCursorStore(dynamo, table))
                .organizationData(new DynamoDbOrganizationDataStore(dynamo, table, TimeSource.SYSTEM))
                .apiKeys(new DynamoDbApiKeyStore(dynamo, table))
                .idempotency(new DynamoDbIdempotencyStore(dynamo, table))
                .governor(new DynamoDbRateLimitGovernor(dynamo, table, TimeSource.SYSTEM))
                .buildkite(buildkite)
                .sync(new SyncState(new DynamoDbSyncStore(dynamo, table), new DynamoDbSnapshotStore(dynamo, table),
                        new DynamoDbEventLog(dynamo, table), syncQueue(config, env), new DynamoDbWebhookStore(dynamo, table),
                        new DynamoDbDeadLetterStore(dynamo, table), maxDeletionShare, webhookTargets, cadence))
                .connect(new ConnectState(new DynamoDbConnectSessionStore(dynamo, table), new DynamoDbRedirectOriginStore(dynamo, table)))
                .build();
    }

    /**
     * The sync queue, its SQS client built at the first run queued: only the sync functions queue
     * runs, and only their package carries the SQS module (the directory's functions never load it).
     */
    private static SyncQueue syncQueue(AwsConfig config, Map<String, String> env) {
        String queueUrl = env.get("KITEBRIDGE_SYNC_QUEUE_URL");
        URI endpoint = Optional.ofNullable(env.get("KITEBRIDGE_SQS_ENDPOINT")).map(URI::create).orElse(null);
        return new SyncQueue() {
            private SyncQueue sqs;

            @Override
            public synchronized void enqueue(String runId, java.time.Duration delay) {
                if (queueUrl == null) {
                    throw new IllegalStateException("KITEBRIDGE_SYNC_QUEUE_URL is not set: this function cannot queue sync runs");
                }
                if (sqs == null) {
                    sqs = new SqsSyncQueue(AwsClients.sqs(config, endpoint), queueUrl);
                }
                sqs.enqueue(runId, delay);
            }
        };
    }
}
