package dev.kitebridge.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Plain HTTP calls to a sandbox, as any Buildkite client would make them. */
final class SandboxHttp {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Sandbox sandbox;

    SandboxHttp(Sandbox sandbox) {
        this.sandbox = sandbox;
    }

    HttpResponse<String> get(String token, String pathAndQuery) {
        return send(token, "GET", pathAndQuery, null);
    }

    HttpResponse<String> send(String token, String method, String pathAndQuery, Object body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(sandbox.restUrl() + pathAndQuery));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> graphql(String token, String query) {
        return graphql(token, query, Map.of());
    }

    HttpResponse<String> graphql(String token, String query, Map<String, Object> variables) {
        return send(token, "POST", "/graphql/v1", Map.of("query", query, "variables", variables));
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
