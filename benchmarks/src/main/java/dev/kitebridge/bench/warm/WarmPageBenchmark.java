package dev.kitebridge.bench.warm;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.core.type.TypeReference;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.app.Application;
import dev.kitebridge.bench.SdkHttpClients;
import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.contract.ApiJson;
import dev.kitebridge.directory.model.UnifiedUser;
import dev.kitebridge.functions.Dependencies;
import dev.kitebridge.functions.users.UsersHandler;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Population;
import dev.kitebridge.state.aws.Dynalite;
import dev.kitebridge.state.aws.MotoServer;

/**
 * A warm users list page of 100 through the users handler, Buildkite's answers served from memory
 * (recorded from the sandbox first), with the state in memory and with the state in DynamoDB
 * (dynalite) and Secrets Manager (moto) through each SDK HTTP client, beside the
 * floor: writing the same 100 records with the shared ObjectMapper alone.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class WarmPageBenchmark {

    /** The whole warm request: the event in, the account opened, the page read and written, the log line built. */
    @Benchmark
    public APIGatewayV2HTTPResponse usersPage(InMemory state) {
        return state.page.handle();
    }

    /** The same request with the state in AWS's services (dynalite, moto), through one SDK HTTP client. */
    @Benchmark
    public APIGatewayV2HTTPResponse usersPageOnAws(OnAws state) {
        return state.page.handle();
    }

    /** The floor: the same 100 records written with the shared ObjectMapper. */
    @Benchmark
    public String serializeOnly(InMemory state) {
        return ApiJson.write(state.envelope);
    }

    @State(Scope.Benchmark)
    public static class InMemory {

        WarmPage page;
        Map<String, Object> envelope;

        @Setup
        public void setUp() throws Exception {
            page = new WarmPage(buildkite -> Application.Wiring.builder()
                    .buildkite(buildkite)
                    .build());
            List<UnifiedUser> records = ApiJson.MAPPER.convertValue(ApiJson.MAPPER.readTree(page.handle().getBody()).get("result"),
                    new TypeReference<List<UnifiedUser>>() {});
            envelope = new LinkedHashMap<>();
            envelope.put("result", records);
            envelope.put("next_cursor", "a-cursor-id-of-the-usual-length");
            envelope.put("result_count", records.size());
        }

        @TearDown
        public void tearDown() {
            page.close();
        }
    }

    @State(Scope.Benchmark)
    public static class OnAws {

        @Param({"url-connection", "apache", "crt"})
        public String client;

        WarmPage page;

        @Setup
        public void setUp() throws Exception {
            // Every SDK client of this (forked) JVM is built after this, with the client named.
            System.setProperty(SdkHttpClients.PROPERTY, SdkHttpClients.named(client).service());
            Dynalite.Table table = Dynalite.get().newTable();
            // The wiring Lambda builds from its environment, with Buildkite from memory.
            Application.Wiring aws = Dependencies.fromEnvironment(Map.of("KITEBRIDGE_TABLE", table.name(),
                    "KITEBRIDGE_DYNAMODB_ENDPOINT", Dynalite.get().endpoint().toString(),
                    "KITEBRIDGE_SECRETSMANAGER_ENDPOINT", MotoServer.get().endpoint().toString()));
            page = new WarmPage(buildkite -> Application.Wiring.builder()
                    .accounts(aws.accounts())
                    .tokens(aws.tokens())
                    .cursors(aws.cursors())
                    .organizationData(aws.organizationData())
                    .apiKeys(aws.apiKeys())
                    .idempotency(aws.idempotency())
                    .governor(aws.governor())
                    .buildkite(buildkite)
                    .time(aws.time())
                    .build());
        }

        @TearDown
        public void tearDown() {
            page.close();
        }
    }

    /** The users handler on a wiring, its account linked, the organization read, and its one Buildkite call per page kept in memory. */
    static final class WarmPage implements AutoCloseable {

        /** Held here: java.util.logging keeps loggers weakly, and a collected one forgets its level. */
        private static final Logger REQUESTS = Logger.getLogger("dev.kitebridge.requests");

        private final Sandbox sandbox;
        private final UsersHandler handler;
        private final APIGatewayV2HTTPEvent event;

        WarmPage(Function<BuildkiteAccess.Endpoints, Application.Wiring> wiring) throws Exception {
            // The request line is built on every request, as in Lambda; printing it is not what is measured.
            REQUESTS.setLevel(Level.OFF);
            sandbox = Sandbox.builder().population(Population.of(300, 8))
                    .limits(RateLimits.BUILDKITE.withRest(1_000_000, 1_000_000).withGraphql(10_000_000, 10_000_000)).start();
            MemoryBuildkite buildkite = new MemoryBuildkite(HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build());
            Application app = Application.create(wiring.apply(new BuildkiteAccess.Endpoints(URI.create(sandbox.restUrl()),
                    URI.create(sandbox.graphqlUrl()), buildkite)));
            String account = app.accountsService().link("tenant-bench", BuildkiteToken.of(sandbox.token()), "bench").account().id();
            handler = new UsersHandler(app.routes());
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
                page = handle(); // the first reads the organization's data
            }
            page = handle(); // and this records the warm page's one call
            if (page.getStatusCode() != 200) {
                throw new IllegalStateException("the users page answered " + page.getStatusCode() + ": " + page.getBody());
            }
            buildkite.freeze();
            APIGatewayV2HTTPResponse frozen = handle();
            if (frozen.getStatusCode() != 200 || !frozen.getBody().equals(page.getBody().replaceAll("\"next_cursor\":\"[^\"]+\"",
                    "\"next_cursor\":" + ApiJson.MAPPER.writeValueAsString(ApiJson.MAPPER.readTree(frozen.getBody()).get("next_cursor").asText())))) {
                throw new IllegalStateException("served from memory, the page differs: " + frozen.getStatusCode());
            }
            if (ApiJson.MAPPER.readTree(page.getBody()).get("result").size() != 100) {
                throw new IllegalStateException("a page of 100 was expected: " + page.getBody());
            }
        }

        APIGatewayV2HTTPResponse handle() {
            return handler.handleRequest(event, null);
        }

        @Override
        public void close() {
            sandbox.close();
        }
    }
}
