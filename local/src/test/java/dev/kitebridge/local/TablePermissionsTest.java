package dev.kitebridge.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
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
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.api.ApiRequest;
import dev.kitebridge.api.ApiResponse;
import dev.kitebridge.app.Application;
import dev.kitebridge.app.ConnectState;
import dev.kitebridge.connect.ConnectSecrets;
import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.events.EventFeed;
import dev.kitebridge.events.EventLog;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Population;
import dev.kitebridge.state.aws.Dynalite;
import dev.kitebridge.state.aws.DynamoDbAccountStore;
import dev.kitebridge.state.aws.DynamoDbApiKeyStore;
import dev.kitebridge.state.aws.DynamoDbConnectSessionStore;
import dev.kitebridge.state.aws.DynamoDbCursorStore;
import dev.kitebridge.state.aws.DynamoDbEventLog;
import dev.kitebridge.state.aws.DynamoDbIdempotencyStore;
import dev.kitebridge.state.aws.DynamoDbOrganizationDataStore;
import dev.kitebridge.state.aws.DynamoDbRateLimitGovernor;
import dev.kitebridge.state.aws.DynamoDbRedirectOriginStore;
import dev.kitebridge.state.aws.DynamoDbSnapshotStore;
import dev.kitebridge.state.aws.DynamoDbSyncStore;
import dev.kitebridge.sync.AccountSync;
import dev.kitebridge.sync.SnapshotStore;
import dev.kitebridge.sync.SyncRun;
import dev.kitebridge.sync.SyncStore;
import dev.kitebridge.time.TimeSource;

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
            String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
            partitionKeys(context.request()).forEach(pk -> accesses.add(new Access(operation, pk)));
        }

        /** A batch touches each of its items' partitions; any other call one (null where it cannot tell). */
        private static List<String> partitionKeys(SdkRequest request) {
            if (request instanceof BatchGetItemRequest batch) {
                return batch.requestItems().values().stream().flatMap(keys -> keys.keys().stream()).map(key -> key.get("pk").s()).toList();
            }
            if (request instanceof BatchWriteItemRequest batch) {
                return batch.requestItems().values().stream().flatMap(List::stream)
                        .map(write -> (write.putRequest() != null ? write.putRequest().item() : write.deleteRequest().key()).get("pk").s())
                        .toList();
            }
            return Collections.singletonList(partitionKey(request));
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
                "MeFunction", "ProxyFunction", "ConnectSessionsFunction", "ConnectFunction")) {
            assertEquals("DirectoryStatePolicy", template.at("/Resources/" + function + "/Properties/Policies/0").asText(),
                    function + "'s table access is the API's policy");
        }

        Recorder recorder = new Recorder();
        Dynalite.Table table = Dynalite.get().newTable();
        DynamoDbClient dynamo = recording(table, recorder);
        try (Sandbox sandbox = Sandbox.builder().population(Population.of(120, 6))
                .limits(RateLimits.BUILDKITE.withRest(10_000, 10_000)).start()) {
            Application app = Application.create(Application.Wiring.builder()
                    .accounts(new DynamoDbAccountStore(dynamo, table.name()))
                    .cursors(new DynamoDbCursorStore(dynamo, table.name()))
                    .organizationData(new DynamoDbOrganizationDataStore(dynamo, table.name(), TimeSource.SYSTEM))
                    .apiKeys(new DynamoDbApiKeyStore(dynamo, table.name()))
                    .idempotency(new DynamoDbIdempotencyStore(dynamo, table.name()))
                    .governor(new DynamoDbRateLimitGovernor(dynamo, table.name(), TimeSource.SYSTEM))
                    .buildkite(new BuildkiteAccess.Endpoints(URI.create(sandbox.restUrl()), URI.create(sandbox.graphqlUrl())))
                    .time(TimeSource.scaled(sandbox.clock().scale()))
                    .connect(new ConnectState(new DynamoDbConnectSessionStore(dynamo, table.name()), new DynamoDbRedirectOriginStore(dynamo, table.name())))
                    .build());

            String key = app.apiKeys().create("tenant-a", "test").secret(); // the keys tool's work, not a function's
            recorder.accesses.clear();
            assertEquals("tenant-a", app.apiKeys().tenantOf("Bearer " + key).orElseThrow());
            assertAllowed("the authorizer", authorizer, recorder.accesses);
            recorder.accesses.clear();

            ApiResponse linked = app.accounts().link(request("POST", "/integrated-accounts", Map.of(), Map.of(),
                    "{\"token\":\"" + sandbox.token() + "\",\"label\":\"Acme\"}"));
            assertEquals(201, linked.statusCode(), linked.body());
            String id = new ObjectMapper().readTree(linked.body()).get("id").asText();
            Map<String, String> account = Map.of("integrated_account_id", id);
            Map<String, String> page = Map.of("integrated_account_id", id, "limit", "50");
            List<ApiResponse> answers = new ArrayList<>();
            answers.add(app.accounts().list(request("GET", "/integrated-accounts", Map.of(), Map.of(), null)));
            answers.add(app.directory().listUsers(request("GET", "/unified/user-directory/users", Map.of(), page, null)));
            String next = new ObjectMapper().readTree(answers.get(answers.size() - 1).body()).get("next_cursor").asText();
            answers.add(app.directory().listUsers(request("GET", "/unified/user-directory/users", Map.of(),
                    Map.of("integrated_account_id", id, "limit", "50", "next_cursor", next), null)));
            answers.add(app.directory().listGroups(request("GET", "/unified/user-directory/groups", Map.of(), page, null)));
            answers.add(app.directory().listRoles(request("GET", "/unified/user-directory/roles", Map.of(), account, null)));
            answers.add(app.directory().listOrganizations(request("GET", "/unified/user-directory/organizations", Map.of(), account, null)));
            answers.add(app.directory().me(request("GET", "/unified/user-directory/me", Map.of(), account, null)));
            answers.add(app.proxy().rest(request("GET", "/proxy/organizations", Map.of("path", "organizations"), account, null)));
            String organizationId = sandbox.world().organizations().get(0).uuid();
            answers.add(app.routes().answer(new ApiRequest("POST /unified/user-directory/groups", "POST", "/unified/user-directory/groups", Map.of(), account,
                    Map.of("idempotency-key", "permissions-1"), "{\"organization_id\":\"" + organizationId + "\",\"name\":\"Audited\"}",
                    "req-permissions", "tenant-a")));
            answers.add(app.accounts().update(request("PATCH", "/integrated-accounts/" + id, Map.of("id", id), Map.of(),
                    "{\"token\":\"" + sandbox.token() + "\"}")));
            answers.add(app.accounts().unlink(request("DELETE", "/integrated-accounts/" + id, Map.of("id", id), Map.of(), null)));
            // A customer links an account on the connect page: the session, the tenant's origins, the check and the link.
            answers.add(app.connectSessions().putSettings(request("PUT", "/connect-settings", Map.of(), Map.of(),
                    "{\"allowed_redirect_origins\":[\"https://app.example.com\"]}")));
            answers.add(app.connectSessions().getSettings(request("GET", "/connect-settings", Map.of(), Map.of(), null)));
            ApiResponse session = app.connectSessions().createSession(request("POST", "/connect-sessions", Map.of(), Map.of(),
                    "{\"redirect_url\":\"https://app.example.com/done\"}"));
            answers.add(session);
            String url = new ObjectMapper().readTree(session.body()).get("url").asText();
            String secret = url.substring(url.lastIndexOf('/') + 1);
            Map<String, String> connectPage = Map.of("session", secret);
            answers.add(app.connect().show(new ApiRequest("GET", "/connect/{session}", connectPage, Map.of(), Map.of(), null, "req-page", null)));
            String csrf = ConnectSecrets.csrfToken(secret);
            ApiResponse checked = app.connect().submit(new ApiRequest("POST", "/connect/{session}", connectPage, Map.of(), Map.of(),
                    "csrf=" + csrf + "&action=check&token=" + sandbox.token(), "req-check", null));
            ApiResponse confirmed = app.connect().submit(new ApiRequest("POST", "/connect/{session}", connectPage, Map.of(), Map.of(),
                    "csrf=" + csrf + "&action=confirm", "req-confirm", null));
            assertEquals(303, checked.statusCode(), checked.body());
            assertEquals(303, confirmed.statusCode(), confirmed.body());
            for (ApiResponse answer : answers) {
                assertEquals(answer.statusCode() / 100, 2, answer.body());
            }
            assertAllowed("the API's functions", api, recorder.accesses);
            assertTrue(recorder.accesses.stream().anyMatch(a -> a.partitionKey().startsWith("ORGDATA#")), "organization data was written");
            assertTrue(recorder.accesses.stream().anyMatch(a -> a.partitionKey().startsWith("IDEMPOTENCY#")), "an idempotency key was kept");
            assertTrue(recorder.accesses.stream().anyMatch(a -> a.partitionKey().startsWith("CONNECT#")), "a connect session was kept");
        }
    }

    /**
     * No route syncs yet; the sync stores' every kind of call, made directly, is one the API's
     * policy allows, so that the routes and the sync worker that will use them can.
     */
    @Test
    void everyCallOfTheSyncStoresIsOneTheApiPolicyAllows() throws IOException {
        JsonNode template = new ObjectMapper(new YAMLFactory()).readTree(Path.of("template.yaml").toFile());
        Allowed api = allowed(template.at("/Resources/DirectoryStatePolicy/Properties/PolicyDocument/Statement/0"));
        Recorder recorder = new Recorder();
        Dynalite.Table table = Dynalite.get().newTable();
        DynamoDbClient dynamo = recording(table, recorder);
        Instant now = Instant.parse("2026-11-25T12:00:00Z");

        SnapshotStore snapshots = new DynamoDbSnapshotStore(dynamo, table.name());
        snapshots.put("acct-1", 1, List.of(new SnapshotStore.Item("o/acme/g/team-1", JsonNodeFactory.instance.objectNode())));
        snapshots.list("acct-1", 1, null, 10);
        snapshots.get("acct-1", 1, List.of("o/acme/g/team-1"));
        snapshots.delete("acct-1", 1, List.of("o/acme/g/team-1"));

        EventLog events = new DynamoDbEventLog(dynamo, table.name());
        events.put("acct-1", List.of(new ChangeEvent("evt-1", ChangeEvent.GROUP_CREATED, "tenant-a", "acct-1", now,
                JsonNodeFactory.instance.objectNode(), null, "000000000001/20/o/acme/g/team-1")));
        SyncStore syncs = new DynamoDbSyncStore(dynamo, table.name());
        AccountSync state = AccountSync.first("acct-1", "tenant-a");
        syncs.createAccount(state);
        syncs.replaceAccount(state.published(1, 1));
        syncs.accounts();
        new EventFeed(events, syncs).after("acct-1", null, 10);
        events.delete("acct-1", List.of("000000000001/20/o/acme/g/team-1"));
        syncs.deleteAccount("acct-1");

        SyncRun run = SyncRun.queued("run-1", "tenant-a", "acct-1", 1, "schedule", false, now, 0);
        syncs.createRun(run);
        syncs.replaceRun(run.started(now, List.of()));
        syncs.run("run-1");
        syncs.runs("acct-1", Long.MAX_VALUE, 10);

        assertAllowed("the sync stores", api, recorder.accesses);
        assertEquals(Set.of("BatchWriteItem", "BatchGetItem", "Query", "GetItem", "PutItem", "DeleteItem"),
                recorder.accesses.stream().map(Access::operation).collect(Collectors.toSet()));
    }

    private static DynamoDbClient recording(Dynalite.Table table, Recorder recorder) {
        return DynamoDbClient.builder().region(Region.US_EAST_1)
                .endpointOverride(table.config().dynamoDbEndpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .overrideConfiguration(c -> c.addExecutionInterceptor(recorder))
                .build();
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
