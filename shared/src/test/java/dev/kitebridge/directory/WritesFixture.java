package dev.kitebridge.directory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.api.ApiRequest;
import dev.kitebridge.api.ApiResponse;
import dev.kitebridge.app.Application;
import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.contract.ApiJson;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.journal.JournalEntry;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.ApiToken;
import dev.kitebridge.sandbox.model.DataGenerator;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.Population;
import dev.kitebridge.time.TimeSource;

/** The application over a sandbox, with the sandbox owner's account linked, for the directory's writes. */
final class WritesFixture implements AutoCloseable {

    static final String TENANT = "tenant-writes";

    final Sandbox sandbox = Sandbox.builder().population(Population.of(40, 3))
            .limits(RateLimits.BUILDKITE.withRest(10_000, 10_000).withGraphql(1_000_000, 1_000_000)).start();
    final Application app = Application.create(Application.Wiring.builder()
            .buildkite(new BuildkiteAccess.Endpoints(URI.create(sandbox.restUrl()), URI.create(sandbox.graphqlUrl())))
            .time(TimeSource.scaled(sandbox.clock().scale()))
            .build());
    final String account = app.accountsService().link(TENANT, BuildkiteToken.of(sandbox.token()), "owner").account().id();
    final Organization org = sandbox.world().organizations().get(0);

    /** An answer: status, headers, body. */
    record Answer(int status, Map<String, String> headers, JsonNode body, String raw) {

        String message() {
            return body.path("message").asText();
        }
    }

    /** Links another account of the tenant, with a token of the owner's that has only these scopes. */
    String linkWithScopes(Set<String> scopes) {
        ApiToken token = sandbox.issueToken(sandbox.owner().uuid(), scopes, Set.of(org.slug()), null);
        return app.accountsService().link(TENANT, BuildkiteToken.of(token.secret()), "narrow").account().id();
    }

    static Set<String> allScopesBut(String scope) {
        Set<String> scopes = new java.util.HashSet<>(DataGenerator.ALL_SCOPES);
        scopes.remove(scope);
        return scopes;
    }

    /** A request to {@code /unified/user-directory/<path>} on the linked account. */
    Answer call(String method, String path, String body, Map<String, String> query, Map<String, String> headers) {
        return call(account, method, path, body, query, headers);
    }

    Answer call(String accountId, String method, String path, String body, Map<String, String> query, Map<String, String> headers) {
        Map<String, String> all = new HashMap<>(query);
        all.put("integrated_account_id", accountId);
        String[] parts = path.split("/");
        String resource = parts[0];
        Map<String, String> pathParameters = parts.length == 2 && !parts[1].equals("add-user") && !parts[1].equals("remove-user")
                ? Map.of("id", parts[1]) : Map.of();
        // The route API Gateway would match: /users/{id}, /groups/add-user, ...
        String route = "/unified/user-directory/" + resource + (!pathParameters.isEmpty() ? "/{id}" : parts.length == 2 ? "/" + parts[1] : "");
        ApiRequest request = new ApiRequest(method + " " + route, method, "/unified/user-directory/" + path, pathParameters, all, headers,
                body, "req-writes", TENANT);
        ApiResponse response = app.routes().answer(request);
        try {
            return new Answer(response.statusCode(), response.headers(), ApiJson.MAPPER.readTree(response.body()), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Answer call(String method, String path, String body) {
        return call(method, path, body, Map.of(), Map.of());
    }

    /** A read, asked again while it answers 429 (the organization's data is being read), as a client would. */
    Answer read(String path, Map<String, String> query) {
        for (int attempt = 0; attempt < 50; attempt++) {
            Answer answer = call("GET", path, null, query, Map.of());
            if (answer.status() != 429) {
                return answer;
            }
            sleep(Long.parseLong(answer.headers().get("retry-after")) * 1000 / (long) Math.max(1, sandbox.clock().scale()));
        }
        throw new AssertionError("still 429 after 50 attempts: " + path);
    }

    /** How many writes (anything but GET, and GraphQL) reached the sandbox. */
    long writes() {
        return sandbox.journal().count(WritesFixture::isWrite);
    }

    long writes(String route) {
        return sandbox.journal().count(e -> isWrite(e) && e.route().equals(route));
    }

    private static boolean isWrite(JournalEntry entry) {
        return !entry.method().equals("GET") && !entry.isGraphql();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(Math.max(10, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        sandbox.close();
    }
}
