package dev.kitebridge.buildkite.graphql;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.buildkite.BuildkiteException;
import dev.kitebridge.buildkite.BuildkiteJson;
import dev.kitebridge.buildkite.Transport;
import dev.kitebridge.buildkite.ratelimit.Budget;
import dev.kitebridge.time.Deadline;

/**
 * Sends this client's GraphQL documents ({@link GraphqlDocument}) to Buildkite, under the query
 * classes as {@code RestClient} is under the REST resources: what a document costs, Buildkite's
 * refusals (HTTP 200 with {@code errors}) as the same typed exceptions as REST's, and the pages of
 * connections. Queries are retried like any idempotent call; mutations are not.
 */
public final class GraphqlExecutor {

    /** Buildkite's largest page. */
    public static final int MAX_FIRST = 500;

    private static final Pattern NOT_FOUND = Pattern.compile("No [\\w ]+? found|not found|no longer exists", Pattern.CASE_INSENSITIVE);
    private static final Pattern INVALID = Pattern.compile(
            "Validation failed|already been|already exists|has already|can't be blank|is not|must|exceeds max complexity",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern FORBIDDEN = Pattern.compile("Forbidden|not allowed|permission|can't change your own",
            Pattern.CASE_INSENSITIVE);

    private final Transport transport;
    private final URI endpoint;
    private final Supplier<Deadline> deadline;

    /** @param deadline until when each call may wait for a spent budget, asked as the call starts */
    public GraphqlExecutor(Transport transport, URI endpoint, Supplier<Deadline> deadline) {
        this.transport = transport;
        this.endpoint = endpoint;
        this.deadline = deadline;
    }

    /** A GraphQL answer: its data, and what the query cost as Buildkite's headers told. */
    public record Result(JsonNode data, long requestedComplexity, long actualComplexity) {}

    /**
     * Sends a document. Variables that are null are left out, so that arguments take their defaults.
     *
     * @param organizationSlug the organization whose budget the query spends (null for none)
     * @param first the page size, for the cost estimate
     */
    public Result execute(GraphqlDocument document, Map<String, Object> variables, String organizationSlug, int first) {
        return execute(document, variables, organizationSlug, (long) document.requestedComplexity(first));
    }

    /** Sends a document whose cost the caller knows better than the document's own estimate. */
    public Result execute(GraphqlDocument document, Map<String, Object> variables, String organizationSlug, long cost) {
        Answer answer = send(document, variables, organizationSlug, cost);
        if (!answer.errors().isEmpty()) {
            throw errorsOf(answer.errors(), document);
        }
        if (answer.data() == null) {
            throw new BuildkiteException.Unavailable(answer.status(), "Buildkite answered the " + document.name()
                    + " query without data", null);
        }
        return new Result(answer.data(), answer.requestedComplexity(), answer.actualComplexity());
    }

    /**
     * An answer whose {@code errors} the caller reads itself, beside the data that came with them
     * (GraphQL nulls only the fields that failed).
     *
     * @param data the {@code data} object, or null when there is none
     * @param errors the {@code errors} array, empty when there are none
     */
    record Answer(int status, JsonNode data, JsonNode errors, long requestedComplexity, long actualComplexity) {}

    /** Sends a document and answers its data and errors as they came: for a query that expects some fields to be refused. */
    Answer send(GraphqlDocument document, Map<String, Object> variables, String organizationSlug, long cost) {
        Map<String, Object> present = new LinkedHashMap<>();
        variables.forEach((name, value) -> {
            if (value != null) {
                present.put(name, value);
            }
        });
        Map<String, Object> body = Map.of("query", document.text(), "variables", present);
        Transport.Response response = transport.send(new Transport.Call("POST", endpoint, BuildkiteJson.write(body),
                Budget.Api.GRAPHQL, organizationSlug, !document.mutation(), cost), deadline.get(), false);
        JsonNode answer = response.body();
        JsonNode errors = answer == null ? null : answer.get("errors");
        JsonNode data = answer == null || !answer.path("data").isObject() ? null : answer.get("data");
        return new Answer(response.status(), data,
                errors != null && errors.isArray() ? errors : BuildkiteJson.MAPPER.createArrayNode(),
                response.headers().firstValueAsLong("RateLimit-Complexity-Requested").orElse(-1),
                response.headers().firstValueAsLong("RateLimit-Complexity-Actual").orElse(-1));
    }

    /**
     * A GraphQL request passed through as it is (the proxy). Its cost is not known before Buildkite
     * counts it, so it reserves one point: Buildkite too refuses a query only once the budget is spent.
     * A mutation is not retried.
     */
    public Transport.Response forward(byte[] body, boolean mutation) {
        return transport.send(new Transport.Call("POST", endpoint, body, Budget.Api.GRAPHQL, null, !mutation, 1), deadline.get(), true);
    }

    /**
     * One page of the connection {@code field} of the object {@code owner} (named {@code name} in
     * the error) in a query's data; 404 when Buildkite has no such object.
     */
    <T> Connection<T> page(JsonNode data, String owner, String name, String field, Class<T> type) {
        JsonNode object = data.path(owner);
        if (!object.isObject()) {
            throw new BuildkiteException.NotFound("No " + owner + " found: " + name);
        }
        return Connection.from(object.path(field), type);
    }

    /** Sends a mutation with its {@code input}; the payload of its {@code field}. */
    JsonNode mutate(GraphqlDocument document, Map<String, Object> input, String org, String field) {
        JsonNode payload = execute(document, Map.of("input", input), org, 0).data().path(field);
        if (!payload.isObject()) {
            throw new BuildkiteException.Unavailable(200, "Buildkite answered " + field + " without a payload", null);
        }
        return payload;
    }

    /** A page size Buildkite accepts, or the caller's mistake. */
    static int pageSize(int first) {
        if (first < 1 || first > MAX_FIRST) {
            throw new IllegalArgumentException("first must be 1.." + MAX_FIRST + ", was " + first);
        }
        return first;
    }

    /** GraphQL errors in REST's terms: not found, invalid input, forbidden, or plain errors. */
    static BuildkiteException errorsOf(JsonNode errors, GraphqlDocument document) {
        List<String> messages = new ArrayList<>();
        errors.forEach(error -> messages.add(error.path("message").asText("(no message)")));
        String first = messages.get(0);
        String message = first + " (GraphQL " + document.name() + ")";
        if (first.startsWith("Validation failed")) {
            return new BuildkiteException.Validation(422, message);
        }
        if (NOT_FOUND.matcher(first).find()) {
            return new BuildkiteException.NotFound(message);
        }
        if (FORBIDDEN.matcher(first).find()) {
            return new BuildkiteException.Forbidden(message);
        }
        if (INVALID.matcher(first).find()) {
            return new BuildkiteException.Validation(422, message);
        }
        return new BuildkiteException.GraphqlErrors(messages);
    }
}
