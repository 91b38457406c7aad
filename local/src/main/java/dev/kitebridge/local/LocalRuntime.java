package dev.kitebridge.local;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.app.Application;
import dev.kitebridge.app.ConnectState;
import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.connect.ConnectSecrets;
import dev.kitebridge.connect.ConnectSession;
import dev.kitebridge.connect.Scopes;
import dev.kitebridge.functions.Dependencies;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.tenants.ApiKeyStore;
import dev.kitebridge.time.TimeSource;
import dev.kitebridge.webhooks.WebhookTargets;

/**
 * The handlers of template.yaml in this process, on the state {@link LocalState} names, with one
 * integrated account for the local tenant: the sandbox's, or a real Buildkite token's.
 */
public final class LocalRuntime implements AutoCloseable {

    /** The tenant every local request belongs to (there is no authorizer locally). */
    public static final String TENANT = "local";
    /** The local tenant's integrated account, on the sandbox or on Buildkite alike: events/ name it. */
    public static final String ACCOUNT = "local-account";
    /**
     * The local tenant's API key, published in the README: the dev server listens on the loopback
     * interface only and refuses real AWS state, so its only caller is the person running it.
     */
    public static final String DEMO_KEY = "kb_local_dev_server_key_for_the_demo";
    /**
     * A connect session of the local tenant that every dev server has, for events/ (as it has
     * {@link #ACCOUNT}): its secret is published here, which, like {@link #DEMO_KEY}, only the person
     * running the dev server can use. The link the dev server prints is a new, random one.
     */
    public static final String EVENTS_CONNECT_SECRET = "kbcs_local_dev_server_connect_session_for_events";

    /**
     * The dev server delivers to receivers on the developer's machine (http://127.0.0.1:…), as
     * {@value WebhookTargets#ALLOW_PRIVATE_VARIABLE}=true allows; a deployed stack does not.
     */
    static final WebhookTargets LOCAL_RECEIVERS = new WebhookTargets(true, WebhookTargets.Resolver.SYSTEM);

    private final Template template;
    private final Sandbox sandbox;
    private final String accountId;
    private final Map<String, RequestHandler<Object, Object>> handlers = new HashMap<>();
    private final LocalState state;
    /** Sync runs are worked on in this process, as the worker function takes them from SQS in AWS. */
    private final LocalSyncQueue syncQueue;
    private final Application application;
    private final ConnectState connect;

    private LocalRuntime(Template template, Sandbox sandbox, String accountId, BuildkiteToken token,
                         BuildkiteAccess.Endpoints endpoints, TimeSource time, LocalState state) {
        this.template = template;
        this.sandbox = sandbox;
        this.accountId = accountId;
        this.state = state;
        this.syncQueue = new LocalSyncQueue(time);
        Application.Wiring onState = state.wiring();
        Application.Wiring wiring = onState.toBuilder()
                .buildkite(endpoints)
                .time(time)
                .sync(onState.sync().withQueue(syncQueue).withWebhookTargets(LOCAL_RECEIVERS))
                .build();
        // Kept state may have the key already (an earlier start, or another dev server on the same table).
        if (wiring.apiKeys().tenantOf(ApiKeyStore.hash(DEMO_KEY)).isEmpty()) {
            wiring.apiKeys().save(new ApiKeyStore.StoredKey(TENANT, DEMO_KEY.substring(0, 11), ApiKeyStore.hash(DEMO_KEY),
                    "the local dev server's key", time.now()));
        }
        Application application = Application.create(wiring);
        this.application = application;
        this.connect = wiring.connect();
        Instant opened = wiring.people().now(); // a connect session keeps people's time
        try {
            connect.sessions().create(ConnectSession.opened("cs_local_events", ConnectSecrets.hash(EVENTS_CONNECT_SECRET), TENANT,
                    "Buildkite sandbox (events/)", "events", null, Scopes.DEFAULT_REQUIRED, opened, opened.plus(Duration.ofDays(1))));
        } catch (IllegalStateException exists) {
            // Kept state has it from an earlier start.
        }
        syncQueue.attach(application.syncRunner(), application.webhookRounds());
        String label = sandbox != null ? "Buildkite sandbox" : "Buildkite";
        if (wiring.accounts().find(TENANT, accountId).isPresent()) {
            application.accountsService().rotate(TENANT, accountId, token, label);
        } else {
            application.accountsService().link(TENANT, token, label, accountId);
        }
        Dependencies.use(application);
    }

    /** On a sandbox, with state in memory. */
    public static LocalRuntime onSandbox(Template template, Sandbox sandbox) {
        return onSandbox(template, sandbox, LocalState.inMemory(System.getenv()));
    }

    /** On a sandbox, keeping time as the sandbox does (its rate-limit windows may pass faster than real time). */
    static LocalRuntime onSandbox(Template template, Sandbox sandbox, LocalState state) {
        return new LocalRuntime(template, sandbox, ACCOUNT, BuildkiteToken.of(sandbox.token()),
                new BuildkiteAccess.Endpoints(URI.create(sandbox.restUrl()), URI.create(sandbox.graphqlUrl())),
                TimeSource.scaled(sandbox.clock().scale()), state);
    }

    /** On Buildkite itself (or a Buildkite-compatible endpoint), with a token of the user's. */
    static LocalRuntime onBuildkite(Template template, BuildkiteToken token, BuildkiteAccess.Endpoints endpoints, LocalState state) {
        return new LocalRuntime(template, null, ACCOUNT, token, endpoints, TimeSource.SYSTEM, state);
    }

    /**
     * A new connect session of the local tenant, as {@code POST /connect-sessions} makes one; its
     * page is {@code /connect/<the secret returned>}.
     */
    public String newConnectSession(String label) {
        return application.connectService().create(TENANT, label, null, null, null).secret();
    }

    /**
     * A new sandbox token of the ready token's user, reaching every organization, with these scopes
     * (to paste on a connect page); null off the sandbox.
     */
    public String issueSandboxToken(Set<String> scopes) {
        if (sandbox == null) {
            return null;
        }
        Set<String> organizations = new java.util.HashSet<>();
        sandbox.world().organizations().forEach(o -> organizations.add(o.slug()));
        return sandbox.issueToken(sandbox.owner().uuid(), scopes, organizations, null).secret();
    }

    /** The connect state, for tests that need a session in a given state (expired). */
    ConnectState connectState() {
        return connect;
    }

    Application application() {
        return application;
    }

    public Template template() {
        return template;
    }

    public String accountId() {
        return accountId;
    }

    /** Where the state is kept, in words. */
    public String stateDescription() {
        return state.description();
    }

    /** Invokes an HTTP API function's handler with an event, as Lambda would. */
    public APIGatewayV2HTTPResponse invoke(String functionName, APIGatewayV2HTTPEvent event) {
        return (APIGatewayV2HTTPResponse) invokeAny(functionName, event);
    }

    /**
     * Invokes a function as Lambda's Java runtime does: the event's JSON read as the type its
     * handler takes, and the answer written back as JSON (what {@code sam local invoke} prints).
     */
    public String invokeJson(String functionName, InputStream event) {
        Object answer = invokeAny(functionName, serializer(eventType(functionName)).fromJson(event));
        if (answer == null) {
            return "null";
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        serializer(answer.getClass()).toJson(answer, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Lambda's serializer for a type: its own for the event classes it knows, Jackson's for any other. */
    @SuppressWarnings("unchecked")
    private static <T> PojoSerializer<T> serializer(Class<?> type) {
        ClassLoader loader = LocalRuntime.class.getClassLoader();
        return (PojoSerializer<T>) (LambdaEventSerializers.isLambdaSupportedEvent(type.getName())
                ? LambdaEventSerializers.serializerFor(type, loader)
                : JacksonFactory.getInstance().getSerializer(type));
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
