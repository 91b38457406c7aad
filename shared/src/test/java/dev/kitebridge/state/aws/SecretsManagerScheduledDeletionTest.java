package dev.kitebridge.state.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.time.TimeSource;

/**
 * A token put under a name whose secret is scheduled for deletion (an unlink racing a rotate). Secrets
 * Manager refuses CreateSecret there with InvalidRequestException, which the vault answers by
 * restoring the secret; moto answers ResourceExistsException instead and lets a value be put on the
 * deleted secret, so this one answer comes from a scripted endpoint that speaks the JSON protocol.
 */
class SecretsManagerScheduledDeletionTest {

    private final List<String> operations = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    SecretsManagerScheduledDeletionTest() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        server.createContext("/", this::answer);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void aTokenPutOverAScheduledDeletionRestoresTheSecret() {
        URI endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        SecretsManagerTokenVault vault = new SecretsManagerTokenVault(AwsClients.secretsManager(
                new AwsConfig("us-east-1", "unused", "kitebridge/accounts/", null, endpoint)), "kitebridge/accounts/", TimeSource.SYSTEM);

        vault.put("acct-1", BuildkiteToken.of("bkua_back"));

        assertEquals(List.of("CreateSecret", "RestoreSecret", "PutSecretValue"), operations);
        assertEquals("bkua_back", vault.get("acct-1").orElseThrow().reveal());
    }

    private void answer(HttpExchange exchange) throws IOException {
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        String operation = target.substring(target.indexOf('.') + 1);
        operations.add(operation);
        exchange.getRequestBody().readAllBytes();
        int status = 200;
        String body = "{\"ARN\":\"arn:aws:secretsmanager:us-east-1:000000000000:secret:kitebridge/accounts/acct-1-AbCdEf\","
                + "\"Name\":\"kitebridge/accounts/acct-1\"}";
        if (operation.equals("CreateSecret")) {
            status = 400;
            exchange.getResponseHeaders().set("x-amzn-ErrorType", "InvalidRequestException");
            body = "{\"__type\":\"InvalidRequestException\",\"Message\":\"You can't create this secret because a secret with this name"
                    + " is already scheduled for deletion.\"}";
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
