package dev.kitebridge.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

import dev.kitebridge.api.ApiRequest;
import dev.kitebridge.api.ApiResponse;
import dev.kitebridge.api.Application;
import dev.kitebridge.buildkite.TimeSource;
import dev.kitebridge.directory.BuildkiteAccess;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Population;
import dev.kitebridge.state.aws.Dynalite;
import dev.kitebridge.state.aws.DynamoDbAccountStore;
import dev.kitebridge.state.aws.DynamoDbApiKeyStore;
import dev.kitebridge.state.aws.DynamoDbIdempotencyStore;
import dev.kitebridge.state.aws.DynamoDbCursorStore;
import dev.kitebridge.state.aws.DynamoDbOrganizationDataStore;
import dev.kitebridge.state.aws.DynamoDbRateLimitGovernor;
import dev.kitebridge.state.memory.InMemoryTokenVault;

/**
 * template.yaml's table permissions against what the code does: every DynamoDB call of every
 * endpoint, recorded on dynalite, is one the function's policy allows (its action, and a
 * partition key its {@code dynamodb:LeadingKeys} patterns match). A store that starts using a new
 * partition or action fails here, not in production with AccessDenied.
 */
class TablePermissionsTest {

    /** One DynamoDB call: its operation and the partition key it touches. */
    private record Access(String operation, String partitionKey) {}

    /** What a policy statement allows: actions, and partition-key patterns. */
    private record Allowed(List<String> actions, List<Pattern> leadingKeys) {

        boolean permits(Access access) {
            return actions.contains("dynamodb:" + access.operation()) && access.partitionKey() != null
                    && leadingKeys.stream().anyMatch(p -> p.matcher(access.partitionKey()).matches());
        }
    }

    private static final class Recorder implements ExecutionInterceptor {
        final List<Access> accesses = new CopyOnWriteArrayList<>();

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            accesses.add(new Access(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME), partitionKey(context.request())));
        }

        private static String partitionKey(SdkRequest request) {
            AttributeValue pk = null;
            if (request instanceof GetItemRequest get) {
                pk = get.key().get("pk");
            } else if (request instanceof PutItemRequest put) {
                pk = put.item().get("pk");
            } else if (request instanceof DeleteItemRequest delete) {
                pk = delete.key().get("pk");
            } else if (request instanceof QueryRequest query && query.keyConditionExpression().startsWith("pk = :pk")) {
                pk = query.expressionAttributeValues().get(":pk");
            }
            return pk == null ? null : pk.s();
        }
    }

    @Test
    void everyCallOfTheApiIsOneItsPolicyAllows() throws IOException {
        JsonNode template = new ObjectMapper(new YAMLFactory()).readTree(Path.of("template.yaml").toFile());
        Allowed api = allowed(template.at("/Resources/DirectoryStatePolicy/Properties/PolicyDocument/Statement/0"));
        Allowed authorizer = allowed(template.at("/Resources/AuthorizerFunction/Properties/Policies/0/Statement/0"));
        for (String function : List.of("AccountsFunction", "UsersFunction", "GroupsFunction", "RolesFunction", "OrganizationsFunction",
                "MeFunction", "ProxyFunction")) {
            assertEquals("DirectoryStatePolicy", template.at("/Resources/" + function + "/Properties/Policies/0").asText(),
                    function + "'s table access is the API's policy");
        }

        Recorder recorder = new Recorder();
        Dynalite.Table table = Dynalite.get().newTable();
        DynamoDbClient dynamo = DynamoDbClient.builder().region(Region.US_EAST_1)
                .endpointOverride(table.config().dynamoDbEndpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .overrideConfiguration(c -> c.addExecutionInterceptor(recorder))
                .build();
        try (Sandbox sandbox = Sandbox.builder().population(Population.of(120, 6))
                .limits(RateLimits.BUILDKITE.withRest(10_000, 10_000)).start()) {
            Application app = Application.create(new Application.Wiring(new DynamoDbAccountStore(dynamo, table.name()),
                    new InMemoryTokenVault(), new DynamoDbCursorStore(dynamo, table.name()),
                    new DynamoDbOrganizationDataStore(dynamo, table.name(), Clock.systemUTC()), new DynamoDbApiKeyStore(dynamo, table.name()), new DynamoDbIdempotencyStore(dynamo, table.name()),
                    new DynamoDbRateLimitGovernor(dynamo, table.name()),
                    new BuildkiteAccess.Endpoints(URI.create(sandbox.restUrl()), URI.create(sandbox.graphqlUrl())),
                    TimeSource.scaled(sandbox.clock().scale())));

            String key = app.apiKeys().create("tenant-a", "test").secret(); // the keys tool's work, not a function's
            recorder.accesses.clear();
            assertEquals("tenant-a", app.apiKeys().tenantOf("Bearer " + key).orElseThrow());
            assertAllowed("the authorizer", authorizer, recorder.accesses);
            recorder.accesses.clear();

            ApiResponse linked = app.accounts().handle(request("POST", "/integrated-accounts", Map.of(), Map.of(),
                    "{\"token\":\"" + sandbox.token() + "\",\"label\":\"Acme\"}"));
            assertEquals(201, linked.statusCode(), linked.body());
            String id = new ObjectMapper().readTree(linked.body()).get("id").asText();
            Map<String, String> account = Map.of("integrated_account_id", id);
            Map<String, String> page = Map.of("integrated_account_id", id, "limit", "50");
            List<ApiResponse> answers = new ArrayList<>();
            answers.add(app.accounts().handle(request("GET", "/integrated-accounts", Map.of(), Map.of(), null)));
            answers.add(app.directory().users(request("GET", "/unified/user-directory/users", Map.of(), page, null)));
            String next = new ObjectMapper().readTree(answers.get(answers.size() - 1).body()).get("next_cursor").asText();
            answers.add(app.directory().users(request("GET", "/unified/user-directory/users", Map.of(),
                    Map.of("integrated_account_id", id, "limit", "50", "next_cursor", next), null)));
            answers.add(app.directory().groups(request("GET", "/unified/user-directory/groups", Map.of(), page, null)));
            answers.add(app.directory().roles(request("GET", "/unified/user-directory/roles", Map.of(), account, null)));
            answers.add(app.directory().organizations(request("GET", "/unified/user-directory/organizations", Map.of(), account, null)));
            answers.add(app.directory().me(request("GET", "/unified/user-directory/me", Map.of(), account, null)));
            answers.add(app.proxy().handle(request("GET", "/proxy/organizations", Map.of("path", "organizations"), account, null)));
            String organizationId = sandbox.world().organizations().get(0).uuid();
            answers.add(app.directory().groups(new ApiRequest("POST", "/unified/user-directory/groups", Map.of(), account,
                    Map.of("idempotency-key", "permissions-1"), "{\"organization_id\":\"" + organizationId + "\",\"name\":\"Audited\"}",
                    "req-permissions", "tenant-a")));
            answers.add(app.accounts().handle(request("PATCH", "/integrated-accounts/" + id, Map.of("id", id), Map.of(),
                    "{\"token\":\"" + sandbox.token() + "\"}")));
            answers.add(app.accounts().handle(request("DELETE", "/integrated-accounts/" + id, Map.of("id", id), Map.of(), null)));
            for (ApiResponse answer : answers) {
                assertEquals(answer.statusCode() / 100, 2, answer.body());
            }
            assertAllowed("the API's functions", api, recorder.accesses);
            assertTrue(recorder.accesses.stream().anyMatch(a -> a.partitionKey().startsWith("ORGDATA#")), "organization data was written");
            assertTrue(recorder.accesses.stream().anyMatch(a -> a.partitionKey().startsWith("IDEMPOTENCY#")), "an idempotency key was kept");
        }
    }

    private static void assertAllowed(String who, Allowed allowed, List<Access> accesses) {
        assertFalse(accesses.isEmpty());
        List<Access> denied = accesses.stream().filter(a -> !allowed.permits(a)).distinct().toList();
        assertTrue(denied.isEmpty(), who + " would be denied: " + denied);
    }

    private static ApiRequest request(String method, String path, Map<String, String> pathParameters, Map<String, String> query,
                                      String body) {
        return new ApiRequest(method, path, pathParameters, query, Map.of(), body, "req-permissions", "tenant-a");
    }

    /** A statement's actions and its LeadingKeys patterns, IAM's {@code *} and {@code ?} as regular expressions. */
    private static Allowed allowed(JsonNode statement) {
        List<String> actions = new ArrayList<>();
        statement.get("Action").forEach(a -> actions.add(a.asText()));
        List<Pattern> patterns = new ArrayList<>();
        statement.at("/Condition/ForAllValues:StringLike/dynamodb:LeadingKeys").forEach(p -> patterns.add(Pattern.compile(
                Pattern.quote(p.asText()).replace("*", "\\E.*\\Q").replace("?", "\\E.\\Q"))));
        assertFalse(patterns.isEmpty(), "the statement limits partition keys: " + statement);
        return new Allowed(actions, patterns);
    }
}
