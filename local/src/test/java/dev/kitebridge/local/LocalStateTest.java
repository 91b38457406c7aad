package dev.kitebridge.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.kitebridge.api.HttpApiEvents;
import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.model.Population;
import dev.kitebridge.state.aws.Dynalite;

/**
 * Where the dev server keeps its state: never real AWS (its key is published, its token is the
 * developer's own); in memory by default; in DynamoDB across restarts, shared by several dev servers.
 */
class LocalStateTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path folder;

    @Test
    void realAwsStateIsRefused() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> LocalState.fromEnvironment(Map.of("KITEBRIDGE_TABLE", "kitebridge-prod"), folder));
        assertTrue(refused.getMessage().contains("KITEBRIDGE_DYNAMODB_ENDPOINT"), refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LocalState.requireStandIn(Map.of("KITEBRIDGE_TABLE", "kitebridge-prod")));
    }

    @Test
    void memoryUnlessATableIsNamed() throws StartFailed {
        LocalState memory = LocalState.fromEnvironment(Map.of(), folder);
        assertNull(memory.environment().get("KITEBRIDGE_TABLE"));
        assertNull(memory.tokenFolder());
    }

    @Test
    void aTableOnAStandInKeepsTokensInOwnerOnlyFilesWithoutASecretsManagerStandIn() throws IOException, StartFailed {
        LocalState state = LocalState.fromEnvironment(Map.of("KITEBRIDGE_TABLE", "local-state-test",
                "KITEBRIDGE_DYNAMODB_ENDPOINT", Dynalite.get().endpoint().toString()), folder);
        assertEquals(folder.resolve("tokens"), state.tokenFolder());
        TokenFiles tokens = new TokenFiles(state.tokenFolder());
        tokens.put("../../escape", BuildkiteToken.of("bkua_kept_in_a_file"));
        assertEquals("bkua_kept_in_a_file", tokens.get("../../escape").orElseThrow().reveal());
        try (Stream<Path> files = Files.list(state.tokenFolder())) {
            List<Path> kept = files.toList();
            assertEquals(1, kept.size(), "one file, inside the folder, whatever the id: " + kept);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(kept.get(0))));
            assertFalse(kept.get(0).getFileName().toString().contains("escape"));
        }
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.tokenFolder())));
        tokens.delete("../../escape");
        assertTrue(tokens.get("../../escape").isEmpty());
    }

    /** A second dev server on the same table starts (its key and account are there already), and what one linked the other reads after a restart. */
    @Test
    void dynamoDbStateIsSharedAndOutlivesTheServer() throws IOException, StartFailed {
        Map<String, String> env = Map.of("KITEBRIDGE_TABLE", "local-shared-" + System.nanoTime(),
                "KITEBRIDGE_DYNAMODB_ENDPOINT", Dynalite.get().endpoint().toString());
        Template template = Template.load(Path.of("template.yaml"));
        String linked;
        try (Sandbox sandbox = LocalMain.startSandbox(Population.demo());
             LocalRuntime first = LocalRuntime.onSandbox(template, sandbox, LocalState.fromEnvironment(env, folder))) {
            JsonNode answer = accounts(first, "POST", "{\"token\":\"" + sandbox.token() + "\",\"label\":\"kept\"}");
            linked = answer.get("id").asText();
            try (LocalRuntime second = LocalRuntime.onSandbox(template, sandbox, LocalState.fromEnvironment(env, folder))) {
                assertTrue(accounts(second, "GET", null).toString().contains(linked), "the second server sees the first's account");
            }
        }
        try (Sandbox sandbox = LocalMain.startSandbox(Population.demo());
             LocalRuntime restarted = LocalRuntime.onSandbox(template, sandbox, LocalState.fromEnvironment(env, folder))) {
            JsonNode list = accounts(restarted, "GET", null);
            assertTrue(list.toString().contains(linked), "kept across a restart: " + list);
            APIGatewayV2HTTPResponse users = restarted.invoke("UsersFunction", event("GET /unified/user-directory/users",
                    "/unified/user-directory/users", Map.of("integrated_account_id", linked, "limit", "1"), null));
            assertTrue(users.getStatusCode() == 200 || users.getStatusCode() == 429, "its token was kept too: " + users.getBody());
        }
    }

    /** A folder's own dynalite is one process's: a second is told where it is, to share it. */
    @Test
    void aFoldersDynaliteIsHeldByOneServerAndNamedToTheNext() throws StartFailed {
        LocalState first = LocalState.inDynamoDb(Map.of(), folder);
        String endpoint = first.environment().get("KITEBRIDGE_DYNAMODB_ENDPOINT");
        StartFailed second = assertThrows(StartFailed.class, () -> LocalState.inDynamoDb(Map.of(), folder));
        assertTrue(second.getMessage().contains("KITEBRIDGE_DYNAMODB_ENDPOINT=" + endpoint), second.getMessage());
        LocalState sharing = LocalState.inDynamoDb(Map.of("KITEBRIDGE_DYNAMODB_ENDPOINT", endpoint), folder);
        assertEquals(LocalState.TABLE, sharing.environment().get("KITEBRIDGE_TABLE"));
    }

    private static JsonNode accounts(LocalRuntime runtime, String method, String body) throws IOException {
        APIGatewayV2HTTPResponse response = runtime.invoke("AccountsFunction",
                event(method + " /integrated-accounts", "/integrated-accounts", null, body));
        assertEquals(2, response.getStatusCode() / 100, response.getBody());
        return JSON.readTree(response.getBody());
    }

    private static APIGatewayV2HTTPEvent event(String routeKey, String path, Map<String, String> query, String body) {
        return APIGatewayV2HTTPEvent.builder()
                .withRouteKey(routeKey)
                .withRawPath(path)
                .withQueryStringParameters(query)
                .withBody(body)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withRequestId("local-state-test")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(routeKey.split(" ")[0]).build())
                        .withAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                                .withLambda(Map.of(HttpApiEvents.TENANT_KEY, LocalRuntime.TENANT)).build())
                        .build())
                .build();
    }
}
