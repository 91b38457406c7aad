package dev.kitebridge.local;

import java.lang.reflect.InvocationTargetException;
import java.net.URI;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import dev.kitebridge.api.Application;
import dev.kitebridge.sync.SyncState;
import dev.kitebridge.buildkite.BuildkiteClient;
import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.buildkite.TimeSource;
import dev.kitebridge.directory.BuildkiteAccess;
import dev.kitebridge.functions.Dependencies;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.state.ApiKeyStore;
import dev.kitebridge.state.aws.AwsClients;
import dev.kitebridge.state.aws.AwsConfig;
import dev.kitebridge.state.aws.KitebridgeTable;

/**
 * The handlers of template.yaml in this process, on in-memory state, with one integrated account
 * for the local tenant: the sandbox's, or a real Buildkite token's.
 */
public final class LocalRuntime implements AutoCloseable {

    /** The tenant every local request belongs to (there is no authorizer locally). */
    public static final String TENANT = "local";
    public static final String SANDBOX_ACCOUNT = "local-sandbox";
    public static final String BUILDKITE_ACCOUNT = "local-buildkite";
    /**
     * The local tenant's API key, published in the README: the dev server listens on the loopback
     * interface only and refuses real AWS state, so its only caller is the person running it.
     */
    public static final String DEMO_KEY = "kb_local_dev_server_key_for_the_demo";

    private final Template template;
    private final Sandbox sandbox;
    private final String accountId;
    private final Map<String, RequestHandler<Object, Object>> handlers = new HashMap<>();
    /** Sync runs are worked on in this process, as the worker function takes them from SQS in AWS. */
    private final LocalSyncQueue syncQueue;

    private LocalRuntime(Template template, Sandbox sandbox, String accountId, BuildkiteToken token,
                         BuildkiteAccess.Endpoints endpoints, TimeSource time) {
        this.template = template;
        this.sandbox = sandbox;
        this.accountId = accountId;
        this.syncQueue = new LocalSyncQueue(time);
        // In memory by default; KITEBRIDGE_TABLE with endpoint overrides puts the state in local stand-ins.
        localStandIns(System.getenv()).ifPresent(c -> KitebridgeTable.create(AwsClients.dynamoDb(c), c.table()));
        Application.Wiring fromEnvironment = Dependencies.fromEnvironment(System.getenv());
        SyncState sync = fromEnvironment.sync();
        Application.Wiring wiring = new Application.Wiring(fromEnvironment.accounts(), fromEnvironment.tokens(),
                fromEnvironment.cursors(), fromEnvironment.organizationData(), fromEnvironment.apiKeys(), fromEnvironment.idempotency(), fromEnvironment.governor(),
                endpoints, time, sync.withQueue(syncQueue));
        wiring.apiKeys().save(new ApiKeyStore.StoredKey(TENANT, DEMO_KEY.substring(0, 11), ApiKeyStore.hash(DEMO_KEY),
                "the local dev server's key", Instant.now()));
        Application application = Application.create(wiring);
        syncQueue.attach(application.syncRunner(), application.webhookRounds());
        application.accountsService().link(TENANT, token, sandbox != null ? "Buildkite sandbox" : "Buildkite", accountId);
        Dependencies.use(application);
    }

    /**
     * The stand-ins the environment names, if any.
     *
     * @throws IllegalArgumentException if it names real AWS state: the demo key is published, and the
     *     dev server's token is the developer's own; neither belongs there
     */
    static java.util.Optional<AwsConfig> localStandIns(Map<String, String> env) {
        java.util.Optional<AwsConfig> config = AwsConfig.fromEnvironment(env);
        if (config.isPresent() && (config.get().dynamoDbEndpoint() == null || config.get().secretsManagerEndpoint() == null)) {
            throw new IllegalArgumentException("the dev server runs on in-memory state or on local stand-ins: KITEBRIDGE_TABLE "
                    + "needs KITEBRIDGE_DYNAMODB_ENDPOINT and KITEBRIDGE_SECRETSMANAGER_ENDPOINT here, or unset it");
        }
        return config;
    }

    /** On a sandbox, keeping time as the sandbox does (its rate-limit windows may pass faster than real time). */
    public static LocalRuntime onSandbox(Template template, Sandbox sandbox) {
        return new LocalRuntime(template, sandbox, SANDBOX_ACCOUNT, BuildkiteToken.of(sandbox.token()),
                new BuildkiteAccess.Endpoints(URI.create(sandbox.restUrl()), URI.create(sandbox.graphqlUrl())),
                TimeSource.scaled(sandbox.clock().scale()));
    }

    /** On Buildkite itself, with a token of the user's. */
    public static LocalRuntime onBuildkite(Template template, BuildkiteToken token) {
        return new LocalRuntime(template, null, BUILDKITE_ACCOUNT, token,
                new BuildkiteAccess.Endpoints(BuildkiteClient.BUILDKITE_REST, BuildkiteClient.BUILDKITE_GRAPHQL), TimeSource.SYSTEM);
    }

    public Template template() {
        return template;
    }

    public String accountId() {
        return accountId;
    }

    /** Invokes an HTTP API function's handler with an event, as Lambda would. */
    public APIGatewayV2HTTPResponse invoke(String functionName, APIGatewayV2HTTPEvent event) {
        return (APIGatewayV2HTTPResponse) invokeAny(functionName, event);
    }

    /** Invokes any function's handler with an event of the type it takes. */
    public Object invokeAny(String functionName, Object event) {
        return handler(functionName).handleRequest(event, new LocalContext(functionName));
    }

    /** The event type a function's handler takes (its {@code RequestHandler}'s first type argument). */
    public Class<?> eventType(String functionName) {
        try {
            for (java.lang.reflect.Type type : Class.forName(template.function(functionName).handlerClass()).getGenericInterfaces()) {
                if (type instanceof java.lang.reflect.ParameterizedType parameterized
                        && parameterized.getRawType().equals(RequestHandler.class)) {
                    return (Class<?>) parameterized.getActualTypeArguments()[0];
                }
            }
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException(functionName + "'s handler is not a RequestHandler");
    }

    @SuppressWarnings("unchecked")
    private synchronized RequestHandler<Object, Object> handler(String functionName) {
        return handlers.computeIfAbsent(functionName, name -> {
            String className = template.function(name).handlerClass();
            try {
                return (RequestHandler<Object, Object>) Class.forName(className).getDeclaredConstructor().newInstance();
            } catch (ClassNotFoundException | NoSuchMethodException | InstantiationException | IllegalAccessException
                     | InvocationTargetException e) {
                throw new IllegalStateException("template.yaml names handler " + className + " for " + name
                        + ", which cannot be created: " + e, e);
            }
        });
    }

    @Override
    public void close() {
        syncQueue.close();
        if (sandbox != null) {
            sandbox.close();
        }
    }

    /** What a handler may ask of Lambda: little, locally. */
    private record LocalContext(String functionName) implements Context {
        @Override public String getAwsRequestId() { return "local-" + System.nanoTime(); }
        @Override public String getLogGroupName() { return "/aws/lambda/" + functionName; }
        @Override public String getLogStreamName() { return "local"; }
        @Override public String getFunctionName() { return functionName; }
        @Override public String getFunctionVersion() { return "$LATEST"; }
        @Override public String getInvokedFunctionArn() { return "arn:aws:lambda:local:000000000000:function:" + functionName; }
        @Override public com.amazonaws.services.lambda.runtime.CognitoIdentity getIdentity() { return null; }
        @Override public com.amazonaws.services.lambda.runtime.ClientContext getClientContext() { return null; }
        @Override public int getRemainingTimeInMillis() { return 29_000; }
        @Override public int getMemoryLimitInMB() { return 1024; }
        @Override public com.amazonaws.services.lambda.runtime.LambdaLogger getLogger() {
            return new com.amazonaws.services.lambda.runtime.LambdaLogger() {
                @Override public void log(String message) { System.err.print(message); }
                @Override public void log(byte[] message) { System.err.print(new String(message, java.nio.charset.StandardCharsets.UTF_8)); }
            };
        }
    }
}
