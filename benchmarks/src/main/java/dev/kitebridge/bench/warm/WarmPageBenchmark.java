package dev.kitebridge.bench.warm;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.core.type.TypeReference;

import dev.kitebridge.api.ApiJson;
import dev.kitebridge.api.Application;
import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.buildkite.TimeSource;
import dev.kitebridge.buildkite.ratelimit.InMemoryRateLimitGovernor;
import dev.kitebridge.directory.BuildkiteAccess;
import dev.kitebridge.directory.model.UnifiedUser;
import dev.kitebridge.functions.users.UsersHandler;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Population;
import dev.kitebridge.state.memory.InMemoryAccountStore;
import dev.kitebridge.state.memory.InMemoryApiKeyStore;
import dev.kitebridge.state.memory.InMemoryCursorStore;
import dev.kitebridge.state.memory.InMemoryIdempotencyStore;
import dev.kitebridge.state.memory.InMemoryOrganizationDataStore;
import dev.kitebridge.state.memory.InMemoryTokenVault;

/**
 * A warm users list page of 100 through the users handler, Buildkite's answers served from memory
 * (recorded from the sandbox first), beside the floor: writing the same 100 records with the
 * shared ObjectMapper alone.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class WarmPageBenchmark {

    private Sandbox sandbox;
    private UsersHandler handler;
    private APIGatewayV2HTTPEvent event;
    private Map<String, Object> envelope;
    private static final Logger REQUEST_LOG = Logger.getLogger("dev.kitebridge.requests"); // held: JUL keeps loggers weakly

    @Setup
    public void setUp() throws Exception {
        // The request line is built on every request, as in Lambda; printing it is not what is measured.
        Logger.getLogger("dev.kitebridge.requests").setLevel(Level.OFF);
        sandbox = Sandbox.builder().population(Population.of(300, 8))
                .limits(RateLimits.BUILDKITE.withRest(1_000_000, 1_000_000).withGraphql(10_000_000, 10_000_000)).start();
        MemoryBuildkite buildkite = new MemoryBuildkite(HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build());
        Application app = Application.create(new Application.Wiring(new InMemoryAccountStore(), new InMemoryTokenVault(),
                new InMemoryCursorStore(), new InMemoryOrganizationDataStore(), new InMemoryApiKeyStore(), new InMemoryIdempotencyStore(),
                new InMemoryRateLimitGovernor(), new BuildkiteAccess.Endpoints(URI.create(sandbox.restUrl()), URI.create(sandbox.graphqlUrl()),
                buildkite), TimeSource.SYSTEM));
        String account = app.accountsService().link("tenant-bench", BuildkiteToken.of(sandbox.token()), "bench").account().id();
        handler = new UsersHandler(app.directory());
        event = APIGatewayV2HTTPEvent.builder()
                .withRouteKey("GET /unified/user-directory/users")
                .withRawPath("/unified/user-directory/users")
                .withQueryStringParameters(Map.of("integrated_account_id", account, "limit", "100"))
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withRequestId("warm")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("GET").build())
                        .withAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                                .withLambda(Map.of("tenant_id", "tenant-bench")).build())
                        .build())
                .build();
        APIGatewayV2HTTPResponse page = null;
        for (int i = 0; i < 50 && (page == null || page.getStatusCode() != 200); i++) {
            page = handler.handleRequest(event, null); // the first reads the organization's data
        }
        page = handler.handleRequest(event, null); // and this records the warm page's one call
        if (page.getStatusCode() != 200) {
            throw new IllegalStateException("the users page answered " + page.getStatusCode() + ": " + page.getBody());
        }
        buildkite.freeze();
        APIGatewayV2HTTPResponse frozen = handler.handleRequest(event, null);
        if (frozen.getStatusCode() != 200 || !frozen.getBody().equals(page.getBody().replaceAll("\"next_cursor\":\"[^\"]+\"",
                "\"next_cursor\":" + ApiJson.MAPPER.writeValueAsString(ApiJson.MAPPER.readTree(frozen.getBody()).get("next_cursor").asText())))) {
            throw new IllegalStateException("served from memory, the page differs: " + frozen.getStatusCode());
        }
        List<UnifiedUser> records = ApiJson.MAPPER.convertValue(ApiJson.MAPPER.readTree(page.getBody()).get("result"),
                new TypeReference<List<UnifiedUser>>() {});
        if (records.size() != 100) {
            throw new IllegalStateException("a page of 100 was expected, not " + records.size());
        }
        envelope = new LinkedHashMap<>();
        envelope.put("result", records);
        envelope.put("next_cursor", "a-cursor-id-of-the-usual-length");
        envelope.put("result_count", records.size());
    }

    @TearDown
    public void tearDown() {
        sandbox.close();
    }

    /** The whole warm request: the event in, the account opened, the page read and written, the log line built. */
    @Benchmark
    public APIGatewayV2HTTPResponse usersPage() {
        return handler.handleRequest(event, null);
    }

    /** The floor: the same 100 records written with the shared ObjectMapper. */
    @Benchmark
    public String serializeOnly() {
        return ApiJson.write(envelope);
    }
}
