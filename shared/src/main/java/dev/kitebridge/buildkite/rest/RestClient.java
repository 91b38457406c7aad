package dev.kitebridge.buildkite.rest;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.buildkite.BuildkiteException;
import dev.kitebridge.buildkite.BuildkiteJson;
import dev.kitebridge.buildkite.LinkHeader;
import dev.kitebridge.buildkite.Page;
import dev.kitebridge.buildkite.PageRequest;
import dev.kitebridge.buildkite.Transport;
import dev.kitebridge.buildkite.WithJson;
import dev.kitebridge.buildkite.ratelimit.Budget;
import dev.kitebridge.time.Deadline;

/**
 * Buildkite's REST v2 API at the level of paths and JSON, under the typed resources. Every path is
 * built from segments, each percent-encoded, below the configured base URL.
 */
public final class RestClient {

    private final Transport transport;
    private final URI baseUrl;
    private final Supplier<Deadline> deadline;

    /** @param deadline until when each call may wait for a spent budget, asked as the call starts */
    public RestClient(Transport transport, URI baseUrl, Supplier<Deadline> deadline) {
        this.transport = transport;
        this.baseUrl = baseUrl;
        this.deadline = deadline;
    }

    /** {@code /v2/} followed by the segments, each encoded, e.g. {@code path("organizations", slug)}. */
    public static String path(String... segments) {
        StringBuilder path = new StringBuilder("/v2");
        for (String segment : segments) {
            if (segment == null || segment.isEmpty()) {
                throw new IllegalArgumentException("a path segment is empty");
            }
            path.append('/').append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return path.toString();
    }

    /** GET one object. */
    public <T> T get(String path, String organizationSlug, Class<T> type) {
        return getWithJson(path, organizationSlug, type).value();
    }

    /** GET one object, with the JSON it was read from. */
    public <T> WithJson<T> getWithJson(String path, String organizationSlug, Class<T> type) {
        return WithJson.read(call("GET", path, null, null, organizationSlug).body(), type);
    }

    /** GET one page of a numbered list. */
    public <T> Page<T> list(String path, PageRequest page, String organizationSlug, Class<T> type) {
        Transport.Response response = call("GET", path, page, null, organizationSlug);
        JsonNode body = response.body();
        if (body == null || !body.isArray()) {
            throw new BuildkiteException.Unavailable(response.status(), "Buildkite answered GET " + path
                    + " with something other than a list", null);
        }
        return page(body, LinkHeader.next(response.headers().firstValue("Link").orElse(null)), type);
    }

    /** POST, PATCH or DELETE with a JSON body (or none); the answer's JSON, or null for 204. */
    public JsonNode write(String method, String path, Object body, String organizationSlug) {
        return call(method, path, null, body, organizationSlug).body();
    }

    /** Any call, as the proxy needs it: the answer as Buildkite sent it, errors included as exceptions. */
    public Transport.Response call(String method, String path, PageRequest query, Object body, String organizationSlug) {
        boolean idempotent = method.equals("GET") || method.equals("DELETE") || method.equals("PUT");
        return transport.send(new Transport.Call(method, resolve(path, query), body == null ? null : BuildkiteJson.write(body),
                Budget.Api.REST, organizationSlug, idempotent, 1), deadline.get(), false);
    }

    /**
     * A call passed through as it is (the proxy): the body's bytes as given, and Buildkite's refusals
     * (4xx but 401 and 429) answered rather than thrown.
     */
    public Transport.Response forward(String method, String path, PageRequest query, byte[] body, String organizationSlug) {
        boolean idempotent = method.equals("GET") || method.equals("DELETE") || method.equals("PUT");
        return transport.send(new Transport.Call(method, resolve(path, query), body, Budget.Api.REST, organizationSlug, idempotent, 1),
                deadline.get(), true);
    }

    /**
     * The URL of a path below the base URL. The path must be an absolute {@code /v2/...} path, and the
     * result must still name Buildkite's scheme, host and port: nothing a caller passes can send the
     * token anywhere else.
     */
    URI resolve(String path, PageRequest query) {
        if (path == null || !path.startsWith("/v2/") && !path.equals("/v2")) {
            throw new IllegalArgumentException("a Buildkite REST path starts with /v2/");
        }
        String lower = path.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("%2f") || lower.contains("%5c") || lower.contains("%2e") || path.contains("\\")
                || java.util.Arrays.stream(path.split("/")).anyMatch(s -> s.equals(".") || s.equals(".."))) {
            throw new IllegalArgumentException("a Buildkite REST path cannot hold dot segments or encoded slashes and dots");
        }
        String base = baseUrl.toString().replaceAll("/+$", "");
        URI uri;
        try {
            uri = new URI(base + path + (query == null || query.query().isEmpty() ? "" : "?" + query.encoded()));
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("not a valid Buildkite REST path");
        }
        if (!uri.getScheme().equals(baseUrl.getScheme()) || uri.getRawUserInfo() != null
                || !baseUrl.getHost().equalsIgnoreCase(uri.getHost()) || uri.getPort() != baseUrl.getPort()
                || !uri.getRawPath().startsWith(Optional.ofNullable(baseUrl.getRawPath()).orElse("").replaceAll("/+$", "") + "/v2")) {
            throw new IllegalArgumentException("a Buildkite REST path must stay on " + baseUrl.getHost());
        }
        return uri;
    }

    static <T> Page<T> page(JsonNode array, Optional<PageRequest> next, Class<T> type) {
        List<T> items = new ArrayList<>(array.size());
        List<JsonNode> raw = new ArrayList<>(array.size());
        for (JsonNode item : array) {
            items.add(BuildkiteJson.read(item, type));
            raw.add(item);
        }
        return new Page<>(items, raw, next);
    }


}
