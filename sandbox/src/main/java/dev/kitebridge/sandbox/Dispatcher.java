package dev.kitebridge.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import dev.kitebridge.sandbox.faults.Fault;
import dev.kitebridge.sandbox.faults.Faults;
import dev.kitebridge.sandbox.graphql.GraphqlEndpoint;
import dev.kitebridge.sandbox.http.Json;
import dev.kitebridge.sandbox.http.Reply;
import dev.kitebridge.sandbox.http.SandboxRequest;
import dev.kitebridge.sandbox.journal.Journal;
import dev.kitebridge.sandbox.journal.JournalEntry;
import dev.kitebridge.sandbox.limits.RateLimiter;
import dev.kitebridge.sandbox.model.ApiToken;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.Refusal;
import dev.kitebridge.sandbox.model.World;
import dev.kitebridge.sandbox.rest.RestApi;
import dev.kitebridge.sandbox.rest.RestCall;
import dev.kitebridge.sandbox.rest.RestRoute;

/**
 * The sandbox's front door: every request passes authentication, the rate limiter and the fault
 * plan before a REST route or the GraphQL endpoint answers it, and lands in the journal.
 */
public final class Dispatcher implements HttpHandler {

    public static final String GRAPHQL_PATH = "/graphql/v1";
    public static final String GRAPHQL_ROUTE = "POST /graphql";

    static final String UNAUTHENTICATED_REST =
            "Authentication required. Please supply a valid API Access Token: https://buildkite.com/docs/apis/rest-api#authentication";
    static final String UNAUTHENTICATED_GRAPHQL =
            "Authentication required. Please supply a valid API Access Token: https://buildkite.com/docs/apis/graphql-api#authentication";

    private final World world;
    private final RestApi rest;
    private final GraphqlEndpoint graphql;
    private final RateLimiter limiter;
    private final Faults faults;
    private final Journal journal;
    private final SandboxClock clock;
    private final String baseUrl;

    public Dispatcher(World world, RestApi rest, GraphqlEndpoint graphql, RateLimiter limiter, Faults faults,
                      Journal journal, SandboxClock clock, String baseUrl) {
        this.world = world;
        this.rest = rest;
        this.graphql = graphql;
        this.limiter = limiter;
        this.faults = faults;
        this.journal = journal;
        this.clock = clock;
        this.baseUrl = baseUrl;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        SandboxRequest request = read(exchange);
        Answer answer = answer(request);
        journal.record(new JournalEntry(clock.now(), request.method(), answer.route(), request.path(),
                answer.token() == null ? null : answer.token().uuid(), answer.organizationSlug(),
                answer.fault() == Fault.RESET ? 0 : answer.reply().status(),
                answer.requestedComplexity(), answer.actualComplexity(), answer.fault().journalName(), answer.operation()));
        Duration latency = faults.latency(answer.route());
        if (!latency.isZero()) {
            sleep(latency);
        }
        if (answer.fault() == Fault.RESET) {
            // Thrown out of the handler before any byte is sent, the server drops the connection.
            throw new ConnectionDropped();
        }
        write(exchange, answer.reply());
    }

    /** One request's outcome, and what the journal records of it. */
    record Answer(Reply reply, String route, ApiToken token, String organizationSlug, Fault fault,
                  long requestedComplexity, long actualComplexity, String operation) {

        Answer(Reply reply, String route, ApiToken token, String organizationSlug, Fault fault,
               long requestedComplexity, long actualComplexity) {
            this(reply, route, token, organizationSlug, fault, requestedComplexity, actualComplexity, null);
        }

        static Answer plain(Reply reply, String route) {
            return new Answer(reply, route, null, null, Fault.NONE, 0, 0);
        }
    }

    private Answer answer(SandboxRequest request) {
        if (request.path().equals("/") && request.method().equals("GET")) {
            return Answer.plain(Reply.json(200, Map.of("message", "🛠", "timestamp", clock.now().getEpochSecond())), "GET /");
        }
        boolean isGraphql = request.path().equals(GRAPHQL_PATH);
        if (isGraphql && !request.method().equals("POST")) {
            return Answer.plain(Reply.message(405, "GraphQL queries are sent with POST"), request.method() + " /graphql");
        }
        RestRoute route = null;
        Map<String, String> params = Map.of();
        if (!isGraphql) {
            for (RestRoute candidate : rest.routes()) {
                Map<String, String> matched = candidate.method().equals(request.method()) ? candidate.match(request.path()) : null;
                if (matched != null) {
                    route = candidate;
                    params = matched;
                    break;
                }
            }
            if (route == null) {
                return Answer.plain(Reply.message(404, "Not Found"), request.method() + " " + request.path());
            }
        }
        String routeName = isGraphql ? GRAPHQL_ROUTE : route.name();

        Optional<ApiToken> token = authenticate(request);
        if (token.isEmpty()) {
            Reply unauthorized = isGraphql
                    ? GraphqlEndpoint.errors(401, UNAUTHENTICATED_GRAPHQL)
                    : Reply.message(401, UNAUTHENTICATED_REST);
            return Answer.plain(unauthorized, routeName);
        }
        if (isGraphql) {
            return answerGraphql(request, token.get());
        }
        return answerRest(request, route, params, token.get());
    }

    private Answer answerRest(SandboxRequest request, RestRoute route, Map<String, String> params, ApiToken token) {
        Organization org = Optional.ofNullable(params.get("org"))
                .flatMap(world::organizationBySlug)
                .filter(o -> world.reachableOrganizations(token).contains(o))
                .orElse(null);
        String orgSlug = org != null ? org.slug() : params.get("org");
        RateLimiter.Decision decision = limiter.admitRest(token.userUuid(), org == null ? null : org.uuid());
        Fault fault = faults.draw(route.name());
        Reply reply;
        if (!decision.allowed()) {
            reply = restRateLimited(decision.refusedScope(), decision.refusedUsage().limit(),
                    decision.refusedUsage().current(), decision.refusedUsage().resetSeconds());
            fault = Fault.NONE;
        } else if (fault == Fault.RATE_LIMIT_BURST) {
            long reset = faults.burstResetSeconds(route.name());
            reply = restRateLimited("rest_user", limiter.limits().restPerUser(), limiter.limits().restPerUser() + 1, reset);
        } else if (fault == Fault.SERVER_ERROR) {
            reply = Reply.message(faults.serverErrorStatus(), "Internal Server Error");
        } else if (fault == Fault.RESET) {
            reply = Reply.noContent(); // never sent: the connection is dropped
        } else {
            reply = route(route, new RestCall(request, token, org, params, world, baseUrl));
            if (fault == Fault.TRUNCATED && reply.body().length > 1) {
                reply = reply.truncated();
            } else if (fault == Fault.TRUNCATED) {
                fault = Fault.NONE;
            }
        }
        reply = reply.withHeaders(decision.headers());
        if (fault == Fault.RATE_LIMIT_BURST) {
            reply = reply.withHeaders(burstHeaders("rest_user", limiter.limits().restPerUser(), faults.burstResetSeconds(route.name())));
        }
        return new Answer(reply, route.name(), token, orgSlug, fault, 0, 0);
    }

    private Answer answerGraphql(SandboxRequest request, ApiToken token) {
        Fault fault = faults.draw(GRAPHQL_ROUTE);
        if (!token.hasScope("graphql")) {
            return new Answer(GraphqlEndpoint.errors(403, "Your access token doesn't have the graphql scope"),
                    GRAPHQL_ROUTE, token, null, Fault.NONE, 0, 0);
        }
        if (fault == Fault.RATE_LIMIT_BURST) {
            long reset = faults.burstResetSeconds(GRAPHQL_ROUTE);
            long limit = limiter.limits().graphqlPointsPerUser();
            Reply reply = GraphqlEndpoint.errors(429, "You have exceeded your per-user limit of "
                    + limit + " complexity points. Please try again in " + reset + " seconds.")
                    .withHeaders(burstHeaders("graphql_user", limit, reset));
            return new Answer(reply, GRAPHQL_ROUTE, token, null, fault, 0, 0);
        }
        if (fault == Fault.SERVER_ERROR) {
            Reply reply = GraphqlEndpoint.errors(faults.serverErrorStatus(), "Internal Server Error");
            return new Answer(reply, GRAPHQL_ROUTE, token, null, fault, 0, 0);
        }
        if (fault == Fault.RESET) {
            return new Answer(Reply.noContent(), GRAPHQL_ROUTE, token, null, fault, 0, 0);
        }
        GraphqlEndpoint.Outcome outcome = world.throughApi(token, () -> graphql.execute(request, token));
        Reply reply = outcome.reply();
        if (fault == Fault.TRUNCATED) {
            reply = reply.truncated();
        }
        return new Answer(reply, GRAPHQL_ROUTE, token, outcome.organizationSlug(), fault,
                outcome.requestedComplexity(), outcome.actualComplexity(), outcome.operation());
    }

    private Reply route(RestRoute route, RestCall call) {
        if (route.scope() != null && !call.token().hasScope(route.scope())) {
            return Reply.message(403, "Your access token doesn't have the " + route.scope() + " scope");
        }
        try {
            // Changes a route makes are the API's, with this token, in the audit log.
            return world.throughApi(call.token(), () -> route.handler().handle(call));
        } catch (Refusal refusal) {
            int status = switch (refusal.kind()) {
                case NOT_FOUND -> 404;
                case FORBIDDEN -> 403;
                case INVALID -> 422;
            };
            return Reply.message(status, refusal.getMessage());
        } catch (RestCall.BadRequest bad) {
            return Reply.message(400, bad.getMessage());
        }
    }

    private static Reply restRateLimited(String scope, long limit, long current, long resetSeconds) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", "You have exceeded your API rate limit. Please wait " + resetSeconds
                + " seconds before making more requests.");
        body.put("scope", scope);
        body.put("limit", limit);
        body.put("current", current);
        body.put("reset", resetSeconds);
        return Reply.json(429, body);
    }

    /** An injected burst says the user's budget is spent, whatever the real window holds. */
    private static Map<String, String> burstHeaders(String scope, long limit, long resetSeconds) {
        return Map.of("RateLimit-User-Scope", scope, "RateLimit-User-Limit", Long.toString(limit),
                "RateLimit-User-Remaining", "0", "RateLimit-User-Reset", Long.toString(resetSeconds),
                "RateLimit-User-Warning", "You have exceeded your API rate limit.");
    }

    private Optional<ApiToken> authenticate(SandboxRequest request) {
        if (request.bearer() == null) {
            return Optional.empty();
        }
        Instant now = clock.now();
        return world.tokenBySecret(request.bearer())
                .filter(token -> token.expiresAt() == null || token.expiresAt().isAfter(now));
    }

    private static SandboxRequest read(HttpExchange exchange) throws IOException {
        URI uri = exchange.getRequestURI();
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        String bearer = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim() : null;
        return new SandboxRequest(exchange.getRequestMethod(), uri.getRawPath(), parseQuery(uri.getRawQuery()), body, bearer);
    }

    private static Map<String, List<String>> parseQuery(String raw) {
        Map<String, List<String>> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            query.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return query;
    }

    private static void write(HttpExchange exchange, Reply reply) throws IOException {
        reply.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
        exchange.getResponseHeaders().set("Access-Control-Expose-Headers", "Link");
        if (reply.body().length == 0) {
            exchange.sendResponseHeaders(reply.status(), -1);
            exchange.close();
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(reply.status(), reply.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(reply.body());
        }
    }

    private static void sleep(Duration latency) {
        try {
            Thread.sleep(latency.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Thrown to make the HTTP server drop a connection without answering. */
    static final class ConnectionDropped extends RuntimeException {
        ConnectionDropped() {
            super("injected connection reset", null, false, false);
        }
    }
}
