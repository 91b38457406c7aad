package dev.kitebridge.state.aws;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An endpoint that speaks Secrets Manager's JSON protocol (1.1) for the operations the token vault
 * uses, so that the real SDK client, its serialization and its error mapping run in the tests.
 * No open implementation of Secrets Manager installs here; LocalStack runs the same suite where
 * Docker exists.
 */
public final class FakeSecretsManager implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Secret(String value, String arn, boolean deleted) {}

    private final HttpServer server;
    private final Map<String, Secret> secrets = new ConcurrentHashMap<>();
    private final AtomicInteger reads = new AtomicInteger();

    public FakeSecretsManager() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/", this::handle);
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** How many GetSecretValue calls were answered. */
    public int reads() {
        return reads.get();
    }

    public Map<String, String> liveSecrets() {
        Map<String, String> live = new java.util.TreeMap<>();
        secrets.forEach((name, secret) -> {
            if (!secret.deleted()) {
                live.put(name, secret.value());
            }
        });
        return live;
    }

    private void handle(HttpExchange exchange) throws IOException {
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
        String operation = target == null ? "" : target.substring(target.indexOf('.') + 1);
        ObjectNode answer = JSON.createObjectNode();
        String name = request.path(operation.equals("CreateSecret") ? "Name" : "SecretId").asText();
        Secret secret = secrets.get(name);
        switch (operation) {
            case "CreateSecret" -> {
                if (secret != null) {
                    error(exchange, secret.deleted() ? "InvalidRequestException" : "ResourceExistsException",
                            "The operation failed because the secret " + name + " already exists.");
                    return;
                }
                secret = new Secret(request.path("SecretString").asText(), "arn:aws:secretsmanager:us-east-1:000000000000:secret:" + name, false);
                secrets.put(name, secret);
            }
            case "PutSecretValue" -> {
                if (secret == null || secret.deleted()) {
                    notFound(exchange);
                    return;
                }
                secret = new Secret(request.path("SecretString").asText(), secret.arn(), false);
                secrets.put(name, secret);
            }
            case "GetSecretValue" -> {
                if (secret == null) {
                    notFound(exchange);
                    return;
                }
                if (secret.deleted()) {
                    error(exchange, "InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion.");
                    return;
                }
                reads.incrementAndGet();
                answer.put("SecretString", secret.value());
                answer.put("CreatedDate", Instant.now().getEpochSecond());
            }
            case "DeleteSecret" -> {
                if (secret == null) {
                    notFound(exchange);
                    return;
                }
                secrets.put(name, new Secret(secret.value(), secret.arn(), true));
                answer.put("DeletionDate", Instant.now().plusSeconds(86_400L * request.path("RecoveryWindowInDays").asLong(30)).getEpochSecond());
            }
            case "RestoreSecret" -> {
                if (secret == null) {
                    notFound(exchange);
                    return;
                }
                secret = new Secret(secret.value(), secret.arn(), false);
                secrets.put(name, secret);
            }
            default -> {
                error(exchange, "InvalidAction", "this stand-in does not do " + operation);
                return;
            }
        }
        answer.put("ARN", secret.arn());
        answer.put("Name", name);
        answer.put("VersionId", UUID.randomUUID().toString());
        write(exchange, 200, answer.toString());
    }

    private static void notFound(HttpExchange exchange) throws IOException {
        error(exchange, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
    }

    private static void error(HttpExchange exchange, String type, String message) throws IOException {
        exchange.getResponseHeaders().set("x-amzn-ErrorType", type);
        write(exchange, 400, JSON.createObjectNode().put("__type", type).put("Message", message).toString());
    }

    private static void write(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
