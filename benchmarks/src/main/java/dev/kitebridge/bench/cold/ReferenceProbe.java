package dev.kitebridge.bench.cold;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The least a Lambda doing this work could do: the JVM starts, one HTTP GET to Buildkite (the sandbox), one JSON parse. */
public final class ReferenceProbe {

    private ReferenceProbe() {}

    public static void main(String[] args) throws Exception {
        HttpResponse<byte[]> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(System.getenv("KITEBRIDGE_BUILDKITE_REST_URL") + "/v2/organizations/acme/members?per_page=100"))
                .header("Authorization", "Bearer " + System.getenv("PROBE_BUILDKITE_TOKEN")).build(), HttpResponse.BodyHandlers.ofByteArray());
        JsonNode members = new ObjectMapper().readTree(answer.body());
        if (answer.statusCode() != 200 || !members.isArray()) {
            System.err.println("the reference GET answered " + answer.statusCode());
            System.exit(1);
        }
    }
}
