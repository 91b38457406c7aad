package dev.kitebridge.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.app.Application;
import dev.kitebridge.state.aws.Dynalite;
import dev.kitebridge.state.aws.DynamoDbAccountStore;
import dev.kitebridge.state.aws.DynamoDbApiKeyStore;
import dev.kitebridge.state.aws.DynamoDbCursorStore;
import dev.kitebridge.state.aws.DynamoDbIdempotencyStore;
import dev.kitebridge.state.aws.DynamoDbOrganizationDataStore;
import dev.kitebridge.time.TimeSource;

/**
 * Priming before a SnapStart snapshot runs each main route's request path, as far as the state read
 * of its account, on DynamoDB (dynalite), without calling Buildkite, writing state or printing a
 * request line.
 */
class PrimingTest {

    @Test
    void primingRunsEveryMainRouteToItsStateReadAndTouchesNothingOutside() throws Exception {
        List<String> operations = new CopyOnWriteArrayList<>();
        List<String> accountsRead = new CopyOnWriteArrayList<>();
        ExecutionInterceptor recorder = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                operations.add(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
                if (context.request() instanceof GetItemRequest get) {
                    accountsRead.add(get.key().get("pk").s() + " " + get.key().get("sk").s());
                }
            }
        };
        Dynalite.Table table = Dynalite.get().newTable();
        DynamoDbClient dynamo = DynamoDbClient.builder().region(Region.US_EAST_1)
                .endpointOverride(table.config().dynamoDbEndpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .overrideConfiguration(c -> c.addExecutionInterceptor(recorder))
                .build();
        // "Buildkite" counts the connections made to it.
        ServerSocket buildkite = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        AtomicInteger connections = new AtomicInteger();
        Thread listener = new Thread(() -> {
            while (!buildkite.isClosed()) {
                try (Socket ignored = buildkite.accept()) {
                    connections.incrementAndGet();
                } catch (IOException closed) {
                    return;
                }
            }
        });
        listener.start();
        String base = "http://127.0.0.1:" + buildkite.getLocalPort();
        Application application = Application.create(Application.Wiring.builder()
                .accounts(new DynamoDbAccountStore(dynamo, table.name()))
                .cursors(new DynamoDbCursorStore(dynamo, table.name()))
                .organizationData(new DynamoDbOrganizationDataStore(dynamo, table.name(), TimeSource.SYSTEM))
                .apiKeys(new DynamoDbApiKeyStore(dynamo, table.name()))
                .idempotency(new DynamoDbIdempotencyStore(dynamo, table.name()))
                .buildkite(new BuildkiteAccess.Endpoints(URI.create(base), URI.create(base + "/graphql")))
                .build());

        PrintStream stdout = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            Priming.prime(application);
        } finally {
            System.setOut(stdout);
            buildkite.close();
            listener.join();
        }

        int routes = Priming.routes(application).size();
        String account = "TENANT#" + Priming.TENANT + " ACCOUNT#" + Priming.NO_ACCOUNT;
        assertEquals(routes, accountsRead.stream().filter(account::equals).count(), "each route read its account: " + accountsRead);
        assertEquals(List.of("GetItem"), operations.stream().distinct().toList(), "reads only, no write: " + operations);
        assertEquals(0, connections.get(), "no call to Buildkite");
        assertEquals("", printed.toString(StandardCharsets.UTF_8), "no request line");
    }
}
