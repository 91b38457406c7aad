package dev.kitebridge.proxy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.access.Session;
import dev.kitebridge.buildkite.LinkHeader;
import dev.kitebridge.buildkite.PageRequest;
import dev.kitebridge.buildkite.Transport;
import dev.kitebridge.contract.ApiError;
import dev.kitebridge.contract.ApiJson;
import dev.kitebridge.directory.Cursors;
import dev.kitebridge.directory.ListQuery;

/**
 * The Proxy API: a call to Buildkite REST v2 or GraphQL, made with the account's stored token,
 * through the same client, governor and retries as the directory. It only ever calls the
 * configured Buildkite: a path is plain segments of letters, digits and {@code _ . ~ -} (what
 * Buildkite's slugs, UUIDs and numbers are made of), or nothing is sent.
 */
public final class ProxyService {

    public static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");
    public static final int MAX_BODY_BYTES = 256 * 1024;
    static final int MAX_PATH = 1_024;

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_~-][A-Za-z0-9._~-]*");
    private static final Pattern QUERY_TEXT = Pattern.compile("[^\\x00-\\x1f\\x7f]*");
    private static final Set<String> OURS = Set.of("integrated_account_id", "next_cursor");

    private final BuildkiteAccess access;
    private final Cursors cursors;

    public ProxyService(BuildkiteAccess access, Cursors cursors) {
        this.access = access;
        this.cursors = cursors;
    }

    /**
     * What goes back: Buildkite's status and body; for a list, the envelope instead of the body.
     *
     * @param body the JSON to answer, or null to answer {@code raw} as Buildkite sent it
     */
    public record Result(int status, Object body, byte[] raw) {}

    /** Checks a proxied path (what follows {@code /proxy/}); 400 naming the problem, before anything is sent. */
    public static List<String> segments(String path) {
        if (path == null || path.isEmpty()) {
            throw ApiError.invalidPath("the proxy needs a Buildkite path after /proxy/");
        }
        if (path.length() > MAX_PATH) {
            throw ApiError.invalidPath("the path is longer than " + MAX_PATH + " characters");
        }
        List<String> segments = List.of(path.split("/", -1));
        for (String segment : segments) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..") || !SEGMENT.matcher(segment).matches()) {
                throw ApiError.invalidPath("a proxied path is plain segments of letters, digits and _ . ~ - "
                        + "(no dot segments, encodings, schemes, hosts, @, backslashes or control characters)");
            }
        }
        return segments;
    }

    /** {@code ANY /proxy/{path+}}: Buildkite REST v2 at {@code /v2/{path}}. */
    public Result rest(Session session, String method, String path, Map<String, String> query, String body) {
        if (!METHODS.contains(method)) {
            throw ApiError.methodNotAllowed(method + " is not a method Buildkite's API takes; the proxy passes "
                    + String.join(", ", new java.util.TreeSet<>(METHODS)));
        }
        List<String> segments = segments(path);
        byte[] json = jsonBody(body);
        if (json != null && (method.equals("GET") || method.equals("DELETE"))) {
            throw ApiError.invalidRequest(method + " takes no body");
        }
        Map<String, String> passed = new TreeMap<>();
        query.forEach((name, value) -> {
            if (!OURS.contains(name)) {
                if (!QUERY_TEXT.matcher(name).matches() || !QUERY_TEXT.matcher(value).matches()) {
                    throw ApiError.invalidRequest("query parameters cannot hold control characters");
                }
                passed.put(name, value);
            }
        });
        String resource = "proxy:/v2/" + path;
        ListQuery listQuery = new ListQuery(1, query.get("next_cursor"), true, null, passed);
        Map<String, String> position = cursors.position(session, resource, listQuery);
        PageRequest request = new PageRequest(position.isEmpty() ? passed : position);
        String org = segments.size() >= 2 && segments.get(0).equals("organizations") ? segments.get(1) : null;

        Transport.Response response = access.call(session,
                buildkite -> buildkite.rest().forward(method, "/v2/" + path, request, json, org));
        JsonNode answer = response.body();
        if (response.status() >= 200 && response.status() < 300 && answer != null) {
            Optional<PageRequest> next;
            JsonNode items;
            if (answer.isArray()) {
                items = answer;
                next = LinkHeader.next(response.headers().firstValue("Link").orElse(null));
            } else if (answer.path("items").isArray() && answer.path("links").isObject()) {
                // The invitations list: a cursor envelope of Buildkite's own.
                items = answer.get("items");
                JsonNode link = answer.path("links").path("next");
                next = link.isTextual() && !link.asText().isBlank() ? Optional.of(PageRequest.fromLink(URI.create(link.asText())))
                        : Optional.empty();
            } else {
                return new Result(response.status(), null, response.raw());
            }
            Map<String, Object> envelope = new LinkedHashMap<>();
            envelope.put("result", items);
            envelope.put("next_cursor", next.map(n -> cursors.issue(session, resource, listQuery, n.query())).orElse(null));
            envelope.put("result_count", items.size());
            return new Result(response.status(), envelope, null);
        }
        return new Result(response.status(), null, response.raw());
    }

    /** {@code POST /proxy/graphql}: the GraphQL request as given, Buildkite's answer as it came (errors with HTTP 200 too). */
    public Result graphql(Session session, String body) {
        byte[] json = bodyBytes(body);
        if (json == null) {
            throw ApiError.invalidRequest("a GraphQL request is a JSON object with a query");
        }
        JsonNode request = parsed(body);
        if (!request.isObject() || !request.path("query").isTextual() || request.path("query").asText().isBlank()) {
            throw ApiError.invalidRequest("a GraphQL request is a JSON object with a query");
        }
        JsonNode operationName = request.path("operationName");
        if (!operationName.isMissingNode() && !operationName.isNull() && !operationName.isTextual()) {
            throw ApiError.invalidRequest("operationName must be a string");
        }
        // Sent once only if it may write: a retry after a lost answer could make the write twice.
        boolean mayWrite = GraphqlOperations.mayWrite(request.path("query").asText());
        Transport.Response response = access.call(session, buildkite -> buildkite.graphql().executor().forward(json, mayWrite));
        return new Result(response.status(), null, response.raw());
    }

    /** The body's bytes, checked to be whole JSON; null for none. */
    private static byte[] jsonBody(String body) {
        byte[] bytes = bodyBytes(body);
        if (bytes != null) {
            parsed(body);
        }
        return bytes;
    }

    /** The body's bytes, within the size Buildkite takes; null for none. */
    private static byte[] bodyBytes(String body) {
        if (body == null || body.isEmpty()) {
            return null;
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_BODY_BYTES) {
            throw ApiError.tooLarge("the request body is over " + MAX_BODY_BYTES + " bytes");
        }
        return bytes;
    }

    private static JsonNode parsed(String body) {
        JsonNode json = ApiJson.readRequestBody(body);
        if (json.isMissingNode()) {
            throw ApiError.invalidRequest("the request body is not valid JSON");
        }
        return json;
    }
}
