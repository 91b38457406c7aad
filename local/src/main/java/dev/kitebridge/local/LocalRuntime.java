package dev.kitebridge.local;

import java.lang.reflect.InvocationTargetException;
import java.net.URI;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import dev.kitebridge.api.DirectoryEndpoints;
import dev.kitebridge.buildkite.BuildkiteClient;
import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.buildkite.TimeSource;
import dev.kitebridge.buildkite.ratelimit.InMemoryRateLimitGovernor;
import dev.kitebridge.directory.BuildkiteAccess;
import dev.kitebridge.functions.Dependencies;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.state.IntegratedAccount;
import dev.kitebridge.state.memory.InMemoryAccountStore;
import dev.kitebridge.state.memory.InMemoryCursorStore;
import dev.kitebridge.state.memory.InMemoryOrganizationDataStore;
import dev.kitebridge.state.memory.InMemoryTokenVault;

/**
 * The handlers of template.yaml in this process, on in-memory state, with one integrated account
 * for the local tenant: the sandbox's, or a real Buildkite token's.
 */
public final class LocalRuntime implements AutoCloseable {

    /** The tenant every local request belongs to (there is no authorizer locally). */
    public static final String TENANT = "local";
    public static final String SANDBOX_ACCOUNT = "local-sandbox";
    public static final String BUILDKITE_ACCOUNT = "local-buildkite";

    private final Template template;
    private final Sandbox sandbox;
    private final String accountId;
    private final Map<String, RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>> handlers = new HashMap<>();

    private LocalRuntime(Template template, Sandbox sandbox, String accountId, BuildkiteToken token,
                         BuildkiteAccess.Endpoints endpoints, TimeSource time) {
        this.template = template;
        this.sandbox = sandbox;
        this.accountId = accountId;
        InMemoryAccountStore accounts = new InMemoryAccountStore();
        InMemoryTokenVault tokens = new InMemoryTokenVault();
        accounts.save(new IntegratedAccount(accountId, TENANT, sandbox != null ? "Buildkite sandbox" : "Buildkite",
                IntegratedAccount.Status.ACTIVE, List.of(), List.of(), null, Instant.now()));
        tokens.put(accountId, token);
        Dependencies.use(DirectoryEndpoints.create(new DirectoryEndpoints.Wiring(accounts, tokens, new InMemoryCursorStore(),
                new InMemoryOrganizationDataStore(), new InMemoryRateLimitGovernor(), endpoints, time)));
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

    /** Invokes a function's handler with an event, as Lambda would. */
    public APIGatewayV2HTTPResponse invoke(String functionName, APIGatewayV2HTTPEvent event) {
        return handler(functionName).handleRequest(event, new LocalContext(functionName));
    }

    @SuppressWarnings("unchecked")
    private synchronized RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> handler(String functionName) {
        return handlers.computeIfAbsent(functionName, name -> {
            String className = template.function(name).handlerClass();
            try {
                return (RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>) Class.forName(className)
                        .getDeclaredConstructor().newInstance();
            } catch (ClassNotFoundException | NoSuchMethodException | InstantiationException | IllegalAccessException
                     | InvocationTargetException e) {
                throw new IllegalStateException("template.yaml names handler " + className + " for " + name
                        + ", which cannot be created: " + e, e);
            }
        });
    }

    @Override
    public void close() {
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
