package dev.kitebridge.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import dev.kitebridge.accounts.AppFixture;
import dev.kitebridge.app.Application;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.journal.JournalEntry;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Population;

/**
 * Malformed requests on every route of openapi.yaml, through the handlers' gate as API Gateway's
 * events, on in-memory state and on dynalite: no answer is a 5xx, every 4xx of Kitebridge's own has
 * the contract's error shape, and a refused request writes nothing, to the table (compared item by
 * item before and after) or to Buildkite (the sandbox's journal). Every kind of malformation is
 * tried on every route it applies to, then random pairs of them; all from a fixed seed, so a run
 * sends the same requests as the last. Run it alone with
 * {@code ./mvnw -q -o -pl shared -am verify -Dtest=MalformedInputFuzzTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class MalformedInputFuzzTest {

    private static final long SEED = 13;
    /** Random pairs of malformations per route, after each kind alone. */
    private static final int PAIRS_PER_ROUTE = 12;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TENANT = "fuzz";

    /** A route as template.yaml keys it, the endpoint that answers it, and what a well-formed request to it carries. */
    private record Route(String method, String path, Function<Application, Function<ApiRequest, ApiResponse>> endpoint,
                         boolean takesAccount, Map<String, Object> body) {
        String key() {
            return method + " " + path;
        }

        boolean hasId() {
            return path.contains("{id}");
        }

        boolean isProxy() {
            return path.startsWith("/proxy/");
        }
    }

    /** One request, as mutable parts; {@code bytes} is the body when it is sent base64. */
    private static final class Request {
        String method;
        final Map<String, String> pathParameters = new LinkedHashMap<>();
        final Map<String, String> query = new LinkedHashMap<>();
        final Map<String, String> headers = new LinkedHashMap<>();
        Map<String, Object> json;
        String body;
        byte[] bytes;
        boolean base64Garbage;
        String tenant = TENANT;
        final List<String> done = new ArrayList<>();

        String rawPath(Route route) {
            String path = route.path().replace("{id}", pathParameters.getOrDefault("id", ""))
                    .replace("{path+}", pathParameters.getOrDefault("path", ""));
            return path;
        }
    }

    /** What the well-formed requests name: the fixture's real ids, and cursors to tamper with. */
    private record Known(String account, String foreignAccount, String user, String team, String organization, String run,
                         String usersCursor, String groupsCursor, String foreignCursor) {}

    /**
     * A kind of malformation: whether it applies to a route, and what it does to a request. One that
     * {@link #MUST_REFUSE must be refused} is never answered 2xx, whatever else the request has.
     */
    private record Mutation(String name, java.util.function.Predicate<Route> appliesTo, Mutator apply) {}

    /** What no route may take: accepted, they were written to the table or to Buildkite altered (U+FFFD, "?") or truncated. */
    private static final Set<String> MUST_REFUSE = Set.of("no tenant", "long integrated_account_id", "long id", "bad UTF-8",
            "bad base64", "duplicate keys", "lone surrogate");

    @FunctionalInterface
    private interface Mutator {
        void apply(Request request, Route route, Random random, Known known);
    }

    @Test
    void theRoutesAreOpenApisRoutes() throws IOException {
        Set<String> documented = new TreeSet<>();
        String path = null;
        Matcher line;
        for (String text : Files.readAllLines(Path.of("..", "openapi.yaml"))) {
            if ((line = Pattern.compile("^  (/\\S*):\\s*$").matcher(text)).matches()) {
                path = line.group(1);
            } else if (path != null && (line = Pattern.compile("^    (get|post|put|patch|delete):\\s*$").matcher(text)).matches()) {
                documented.add(line.group(1).toUpperCase() + " " + path);
            } else if (text.matches("^\\S.*")) {
                path = null;
            }
        }
        // The proxy takes any method at /proxy/{path+} (the document shows its GET); /health reads nothing and is the functions' own;
        // the connect page answers HTML, not the error shape, and is fuzzed by the test below.
        Set<String> fuzzed = ROUTES.stream().map(r -> r.key().replace("ANY /proxy/{path+}", "GET /proxy/{path}"))
                .collect(Collectors.toCollection(TreeSet::new));
        fuzzed.add("GET /health");
        fuzzed.add("GET /connect/{session}");
        fuzzed.add("POST /connect/{session}");
        assertEquals(documented, fuzzed);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"memory", "dynamodb"})
    void malformedRequestsAreRefusedWithTheErrorShapeAndWriteNothing(String state) {
        Sandbox sandbox = Sandbox.builder().population(Population.of(20, 3)).limits(RateLimits.BUILDKITE.withRest(1_000_000, 1_000_000))
                .start();
        try (AppFixture fixture = state.equals("memory") ? AppFixture.inMemory(sandbox) : AppFixture.onAws(sandbox)) {
            Known known = known(fixture);
            List<String> failures = new ArrayList<>();
            Random random = new Random(SEED);
            int sent = 0;
            for (Route route : ROUTES) {
                List<List<Mutation>> plans = new ArrayList<>();
                List<Mutation> applicable = MUTATIONS.stream().filter(m -> m.appliesTo().test(route)).toList();
                applicable.forEach(m -> plans.add(List.of(m)));
                for (int i = 0; i < PAIRS_PER_ROUTE; i++) {
                    // Those that must be refused go last, so that the other cannot undo them (a long id set, then an odd one).
                    plans.add(java.util.stream.Stream.of(applicable.get(random.nextInt(applicable.size())),
                                    applicable.get(random.nextInt(applicable.size())))
                            .sorted(java.util.Comparator.comparing(m -> MUST_REFUSE.contains(m.name()))).toList());
                }
                for (List<Mutation> plan : plans) {
                    Request request = wellFormed(route, known);
                    plan.forEach(m -> {
                        m.apply().apply(request, route, random, known);
                        request.done.add(m.name());
                    });
                    boolean mustRefuse = plan.stream().anyMatch(m -> MUST_REFUSE.contains(m.name())
                            && !(route.isProxy() && m.name().equals("lone surrogate")));
                    String failure = send(fixture, route, request, mustRefuse);
                    sent++;
                    if (failure != null) {
                        failures.add(route.key() + " " + request.done + ": " + failure);
                    }
                }
            }
            assertTrue(sent > 500, "sent " + sent);
            assertTrue(failures.isEmpty(), failures.size() + " of " + sent + " requests failed:\n" + String.join("\n", failures));
        }
    }

    /**
     * The connect page, which takes no API key (its session is the credential) and answers pages: a
     * malformed session or form is an HTML page of 4xx, never a 5xx, and writes nothing.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"memory", "dynamodb"})
    void malformedConnectPageRequestsAnswerPagesAndWriteNothing(String state) {
        Sandbox sandbox = Sandbox.builder().population(Population.of(5, 1)).limits(RateLimits.BUILDKITE.withRest(1_000_000, 1_000_000))
                .start();
        try (AppFixture fixture = state.equals("memory") ? AppFixture.inMemory(sandbox) : AppFixture.onAws(sandbox)) {
            Random random = new Random(SEED);
            List<String> sessions = List.of("", "kbcs_", "kbcs_unknown", longText(random), "%00", "kbcs_" + "\u00e9".repeat(40),
                    "../../integrated-accounts");
            List<String> forms = List.of("", "token=", "csrf=x&token=bkua_0", "token=" + "a".repeat(100_000), "%zz=%zz", "a=1&a=2&a=3",
                    "csrf=&csrf=&token=%FF%FE", "{\"json\":true}");
            List<String> failures = new ArrayList<>();
            for (String session : sessions) {
                failures.add(page(fixture, "GET", session, null, false));
                for (String form : forms) {
                    failures.add(page(fixture, "POST", session, form, random.nextBoolean()));
                }
                failures.add(page(fixture, "POST", session, "not base64!", true));
            }
            failures.removeIf(java.util.Objects::isNull);
            assertTrue(failures.isEmpty(), String.join("\n", failures));
        }
    }

    private static String page(AppFixture fixture, String method, String session, String form, boolean base64) {
        Map<String, String> itemsBefore = items(fixture);
        String body = form == null ? null : base64 && !form.equals("not base64!")
                ? Base64.getEncoder().encodeToString(form.getBytes(java.nio.charset.StandardCharsets.UTF_8)) : form;
        APIGatewayV2HTTPEvent event = APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey(method + " /connect/{session}")
                .withRawPath("/connect/" + session)
                .withPathParameters(Map.of("session", session))
                .withHeaders(Map.of("content-type", "application/x-www-form-urlencoded", "host", "kitebridge.example.com"))
                .withBody(body)
                .withIsBase64Encoded(base64)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withRequestId("req-fuzz")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(method).build())
                        .build())
                .build();
        APIGatewayV2HTTPResponse response = HttpApiEvents.handlePublic(event, fixture.app.routes()::answer);
        String what = method + " /connect/" + abbreviated(session) + (form == null ? "" : " " + abbreviated(form));
        if (response.getStatusCode() >= 500 || response.getStatusCode() < 400) {
            return what + " answered " + response.getStatusCode();
        }
        String type = response.getHeaders().getOrDefault("content-type", "");
        if (!type.startsWith("text/html") && !type.startsWith("application/json")) {
            return what + " answered " + type;
        }
        return items(fixture).equals(itemsBefore) ? null : what + " changed items";
    }

    /** Sends the request through the gate; a description of what is wrong with the answer, or null. */
    private static String send(AppFixture fixture, Route route, Request request, boolean mustRefuse) {
        Map<String, String> itemsBefore = items(fixture);
        int journalBefore = fixture.sandbox.journal().entries().size();
        APIGatewayV2HTTPEvent event = event(route, request);
        APIGatewayV2HTTPResponse response = HttpApiEvents.handle(event, route.endpoint().apply(fixture.app));
        int status = response.getStatusCode();
        if (status >= 500) {
            return "answered " + status + ": " + abbreviated(response.getBody());
        }
        if (status < 400) {
            return mustRefuse ? "answered " + status + " to a request it must refuse" : null;
        }
        boolean buildkitesOwn = route.isProxy() && !"0".equals(response.getHeaders().getOrDefault(Responses.BUILDKITE_CALLS, "0"));
        if (!buildkitesOwn) {
            String shape = errorShape(status, response.getBody());
            if (shape != null) {
                return shape;
            }
        }
        List<JournalEntry> calls = fixture.sandbox.journal().entries();
        for (JournalEntry call : calls.subList(journalBefore, calls.size())) {
            if (!call.method().equals("GET") && !call.isGraphql() && call.status() >= 200 && call.status() < 300) {
                return "answered " + status + " but wrote to Buildkite: " + call.method() + " " + call.path();
            }
        }
        Map<String, String> itemsAfter = items(fixture);
        if (!itemsAfter.equals(itemsBefore)) {
            Set<String> changed = new TreeSet<>(itemsAfter.keySet());
            changed.addAll(itemsBefore.keySet());
            changed.removeIf(key -> java.util.Objects.equals(itemsBefore.get(key), itemsAfter.get(key)));
            return "answered " + status + " but changed items " + abbreviated(changed.toString());
        }
        return null;
    }

    private static String errorShape(int status, String body) {
        try {
            JsonNode error = JSON.readTree(body);
            boolean shaped = error != null && error.path("statusCode").asInt() == status && error.path("error").isTextual()
                    && error.path("message").isTextual() && !error.path("message").asText().isBlank() && error.path("request_id").isTextual();
            return shaped ? null : "answered " + status + " without the error shape: " + abbreviated(body);
        } catch (IOException e) {
            return "answered " + status + " with a body that is not JSON: " + abbreviated(body);
        }
    }

    /**
     * The table's items by key, but the rate-limit budgets (every call to Buildkite settles one)
     * and idempotency records (a malformed body's answer is kept by design, so a retry gets it again).
     */
    private static Map<String, String> items(AppFixture fixture) {
        if (fixture.table == null) {
            return Map.of();
        }
        Map<String, String> items = new HashMap<>();
        fixture.table.client().scanPaginator(b -> b.tableName(fixture.table.name()).consistentRead(true)).items().forEach(item -> {
            String pk = item.get("pk").s();
            if (!pk.startsWith("BUDGET#") && !pk.startsWith("IDEMPOTENCY#")) {
                items.put(pk + " " + item.get("sk").s(), new java.util.TreeMap<String, AttributeValue>(item).toString());
            }
        });
        return items;
    }

    private static APIGatewayV2HTTPEvent event(Route route, Request request) {
        String body = request.bytes != null ? Base64.getEncoder().encodeToString(request.bytes)
                : request.base64Garbage ? "not base64!" : request.body != null ? request.body
                : request.json != null ? write(request.json) : null;
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey(route.key())
                .withRawPath(request.rawPath(route))
                .withPathParameters(request.pathParameters.isEmpty() ? null : request.pathParameters)
                .withQueryStringParameters(request.query.isEmpty() ? null : request.query)
                .withHeaders(request.headers)
                .withBody(body)
                .withIsBase64Encoded(request.bytes != null || request.base64Garbage)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withRequestId("req-fuzz")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(request.method).build())
                        .withAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                                .withLambda(request.tenant == null ? Map.of() : Map.of(HttpApiEvents.TENANT_KEY, request.tenant)).build())
                        .build())
                .build();
    }

    private static Request wellFormed(Route route, Known known) {
        Request request = new Request();
        request.method = route.method().equals("ANY") ? "GET" : route.method();
        request.headers.put("authorization", "Bearer kb_fuzz");
        request.headers.put("content-type", "application/json");
        if (route.hasId()) {
            request.pathParameters.put("id", idFor(route, known));
        }
        if (route.path().equals("/proxy/{path+}")) {
            request.pathParameters.put("path", "organizations");
        }
        if (route.takesAccount()) {
            request.query.put("integrated_account_id", known.account());
        }
        if (route.body() != null) {
            request.json = new LinkedHashMap<>(substituted(route.body(), known));
        }
        return request;
    }

    /** A real id for GETs; for writes one that names nothing, so that a request the fuzz leaves well formed changes nothing. */
    private static String idFor(Route route, Known known) {
        String path = route.path();
        boolean write = !route.method().equals("GET");
        if (path.startsWith("/integrated-accounts")) {
            return write ? "acct_" + "0".repeat(32) : known.account();
        }
        if (path.startsWith("/unified/user-directory/users")) {
            return write ? UUID.nameUUIDFromBytes(new byte[] {1}).toString() : known.user();
        }
        if (path.startsWith("/unified/user-directory/groups")) {
            return write ? UUID.nameUUIDFromBytes(new byte[] {2}).toString() : known.team();
        }
        if (path.startsWith("/unified/user-directory/roles")) {
            return "team:member";
        }
        if (path.startsWith("/unified/user-directory/organizations")) {
            return known.organization();
        }
        if (path.startsWith("/sync-runs")) {
            return known.run();
        }
        return "wh_" + "0".repeat(32);
    }

    private static Map<String, Object> substituted(Map<String, Object> body, Known known) {
        Map<String, Object> out = new LinkedHashMap<>();
        body.forEach((name, value) -> out.put(name, switch (String.valueOf(value)) {
            case "$account" -> known.account();
            case "$organization" -> known.organization();
            case "$team" -> known.team();
            case "$user" -> known.user();
            default -> value;
        }));
        return out;
    }

    private static Known known(AppFixture fixture) {
        Sandbox sandbox = fixture.sandbox;
        String account = fixture.link(TENANT, sandbox.token());
        String foreign = fixture.link("other-tenant", sandbox.token());
        String organization = sandbox.world().organizations().get(0).uuid();
        String team = sandbox.world().teams(organization).get(0).uuid();
        String user = sandbox.owner().uuid();
        Function<ApiRequest, ApiResponse> users = fixture.app.directory()::listUsers;
        String usersCursor = cursor(users.apply(list("/unified/user-directory/users", TENANT, account)));
        String groupsCursor = cursor(fixture.app.directory().listGroups(list("/unified/user-directory/groups", TENANT, account)));
        String foreignCursor = cursor(users.apply(list("/unified/user-directory/users", "other-tenant", foreign)));
        ApiResponse run = fixture.app.sync().startRun(new ApiRequest("POST", "/sync-runs", Map.of(), Map.of(), Map.of(),
                "{\"integrated_account_id\":\"" + account + "\"}", "req-fuzz", TENANT));
        return new Known(account, foreign, user, team, organization, read(run.body()).get("id").asText(), usersCursor, groupsCursor,
                foreignCursor);
    }

    private static ApiRequest list(String path, String tenant, String account) {
        return new ApiRequest("GET", path, Map.of(), Map.of("integrated_account_id", account, "limit", "1"), Map.of(), null, "req-fuzz",
                tenant);
    }

    private static String cursor(ApiResponse response) {
        return read(response.body()).get("next_cursor").asText();
    }

    // ------------------------------------------------------------------------------------------ the routes

    private static final List<Route> ROUTES = List.of(
            new Route("POST", "/integrated-accounts", app -> app.routes()::answer, false,
                    Map.of("token", "bkua_" + "f".repeat(40), "label", "fuzz")),
            new Route("GET", "/integrated-accounts", app -> app.routes()::answer, false, null),
            new Route("GET", "/integrated-accounts/{id}", app -> app.routes()::answer, false, null),
            new Route("PATCH", "/integrated-accounts/{id}", app -> app.routes()::answer, false, Map.of("label", "renamed")),
            new Route("DELETE", "/integrated-accounts/{id}", app -> app.routes()::answer, false, null),
            new Route("GET", "/unified/user-directory/users", app -> app.routes()::answer, true, null),
            new Route("GET", "/unified/user-directory/users/{id}", app -> app.routes()::answer, true, null),
            new Route("POST", "/unified/user-directory/users", app -> app.routes()::answer, true,
                    Map.of("organization_id", "$organization", "emails", List.of("fuzz@example.com"), "role", "organization:member",
                            "groups", List.of(Map.of("id", "$team", "role", "team:member")))),
            new Route("PATCH", "/unified/user-directory/users/{id}", app -> app.routes()::answer, true,
                    Map.of("organization_id", "$organization", "role", "organization:admin")),
            new Route("DELETE", "/unified/user-directory/users/{id}", app -> app.routes()::answer, true, null),
            new Route("GET", "/unified/user-directory/groups", app -> app.routes()::answer, true, null),
            new Route("GET", "/unified/user-directory/groups/{id}", app -> app.routes()::answer, true, null),
            new Route("POST", "/unified/user-directory/groups", app -> app.routes()::answer, true,
                    Map.of("organization_id", "$organization", "name", "Fuzz", "privacy", "secret", "is_default", false)),
            new Route("PATCH", "/unified/user-directory/groups/{id}", app -> app.routes()::answer, true,
                    Map.of("name", "Fuzzed", "description", "changed")),
            new Route("DELETE", "/unified/user-directory/groups/{id}", app -> app.routes()::answer, true, null),
            new Route("POST", "/unified/user-directory/groups/add-user", app -> app.routes()::answer, true,
                    Map.of("group_id", "$team", "user_id", UUID.nameUUIDFromBytes(new byte[] {3}).toString(), "role", "team:member")),
            new Route("POST", "/unified/user-directory/groups/remove-user", app -> app.routes()::answer, true,
                    Map.of("group_id", "$team", "user_id", UUID.nameUUIDFromBytes(new byte[] {3}).toString())),
            new Route("GET", "/unified/user-directory/roles", app -> app.routes()::answer, true, null),
            new Route("GET", "/unified/user-directory/roles/{id}", app -> app.routes()::answer, true, null),
            new Route("GET", "/unified/user-directory/organizations", app -> app.routes()::answer, true, null),
            new Route("GET", "/unified/user-directory/organizations/{id}", app -> app.routes()::answer, true, null),
            new Route("GET", "/unified/user-directory/me", app -> app.routes()::answer, true, null),
            new Route("POST", "/proxy/graphql", app -> app.routes()::answer, true, Map.of("query", "{ viewer { user { name } } }")),
            new Route("ANY", "/proxy/{path+}", app -> app.routes()::answer, true, null),
            new Route("POST", "/sync-runs", app -> app.routes()::answer, false, Map.of("integrated_account_id", "$account")),
            new Route("GET", "/sync-runs", app -> app.routes()::answer, true, null),
            new Route("GET", "/sync-runs/{id}", app -> app.routes()::answer, false, null),
            new Route("GET", "/events", app -> app.routes()::answer, true, null),
            new Route("POST", "/webhooks", app -> app.routes()::answer, false,
                    Map.of("target_url", "not a url", "event_types", List.of("user.created"), "integrated_account_id", "$account")),
            new Route("GET", "/webhooks", app -> app.routes()::answer, false, null),
            new Route("GET", "/webhooks/{id}", app -> app.routes()::answer, false, null),
            new Route("DELETE", "/webhooks/{id}", app -> app.routes()::answer, false, null),
            new Route("POST", "/webhooks/{id}/replay", app -> app.routes()::answer, false, null),
            new Route("POST", "/connect-sessions", app -> app.routes()::answer, false, Map.of("label", "fuzz")),
            new Route("GET", "/connect-settings", app -> app.routes()::answer, false, null),
            new Route("PUT", "/connect-settings", app -> app.routes()::answer, false,
                    Map.of("allowed_redirect_origins", List.of("https://app.example.com"))));

    // ------------------------------------------------------------------------------------------ the malformations

    private static final List<Mutation> MUTATIONS = List.of(
            new Mutation("no tenant", route -> true, (r, route, random, known) -> r.tenant = null),
            new Mutation("no integrated_account_id", Route::takesAccount, (r, route, random, known) -> r.query.remove("integrated_account_id")),
            new Mutation("long integrated_account_id", route -> true,
                    (r, route, random, known) -> r.query.put("integrated_account_id", longText(random))),
            new Mutation("odd integrated_account_id", route -> true,
                    (r, route, random, known) -> r.query.put("integrated_account_id", oddId(random, known))),
            new Mutation("another tenant's account", Route::takesAccount,
                    (r, route, random, known) -> r.query.put("integrated_account_id", known.foreignAccount())),
            new Mutation("repeated integrated_account_id", Route::takesAccount,
                    // API Gateway joins a repeated query parameter's values with commas.
                    (r, route, random, known) -> r.query.put("integrated_account_id", known.account() + "," + known.account())),
            new Mutation("long id", Route::hasId, (r, route, random, known) -> r.pathParameters.put("id", longText(random))),
            new Mutation("odd id", Route::hasId, (r, route, random, known) -> r.pathParameters.put("id", oddId(random, known))),
            new Mutation("unknown query parameter", route -> true, (r, route, random, known) -> r.query.put(pick(random, "foo", "LIMIT",
                    "integrated_account_id ", "", "x".repeat(3_000), "\u0000", "ünïcode"), pick(random, "1", "", "x".repeat(5_000)))),
            new Mutation("bad limit", route -> true, (r, route, random, known) -> r.query.put("limit", pick(random, "abc", "-1", "0",
                    "501", "1e3", " ", "", "99999999999999999999", "10,20", "0x10", "1.5", "\u0661"))),
            new Mutation("bad flags", route -> true, (r, route, random, known) -> {
                r.query.put(pick(random, "include_remote_data", "max_age", "organization_id", "role", "is_2fa_enabled",
                        "last_active_before", "privacy", "email"), pick(random, "maybe", "-5", "", "9".repeat(40), "true,false",
                        "2026-13-45T99:99:99Z", "P1D", "x".repeat(10_000), "\u0000\u0001", "organization:god"));
            }),
            new Mutation("tampered cursor", route -> true, (r, route, random, known) -> {
                String cursor = known.usersCursor();
                int at = random.nextInt(cursor.length());
                r.query.put("next_cursor", cursor.substring(0, at) + (char) ('a' + random.nextInt(26)) + cursor.substring(at + 1));
            }),
            new Mutation("foreign cursor", route -> true, (r, route, random, known) -> r.query.put("next_cursor",
                    pick(random, known.groupsCursor(), known.foreignCursor(), known.usersCursor()))),
            new Mutation("odd cursor", route -> true, (r, route, random, known) -> r.query.put("next_cursor",
                    pick(random, "", "x", "x".repeat(65), "x".repeat(3_000), "../../", "\u0000", "é".repeat(64), "null"))),
            new Mutation("odd after", route -> true, (r, route, random, known) -> r.query.put("after", pick(random, "", "!!!",
                    "x".repeat(3_000), b64("000000000001/10/" + "k".repeat(2_000)), b64("000000000001/10/k"), b64("999999999999/99/"),
                    b64("\u0000"), "AAAA", b64("000000000001/10/" + "é".repeat(400))))),
            new Mutation("control characters in the query", route -> true,
                    (r, route, random, known) -> r.query.put(pick(random, "per_page", "q", "integrated_account_id"), "a\r\nb\u0000")),
            new Mutation("not JSON", route -> true, (r, route, random, known) -> {
                r.json = null;
                r.body = pick(random, "{", "nul", "[1,2", "{\"a\":}", "\u0000", "{'a':1}", "{\"a\":1}}", "{\"a\":1,}", "NaN", " ");
            }),
            new Mutation("JSON that is not an object", route -> true, (r, route, random, known) -> {
                r.json = null;
                r.body = pick(random, "[]", "\"s\"", "1", "null", "true", "[{\"query\":\"{ a }\"}]");
            }),
            onJson("missing field", route -> route.body() != null, (r, route, random, known) -> {
                List<String> fields = new ArrayList<>(r.json.keySet());
                r.json.remove(fields.get(random.nextInt(fields.size())));
            }),
            onJson("unknown field", route -> route.body() != null,
                    (r, route, random, known) -> r.json.put(pick(random, "unknown", "ID", "", "token ", "__proto__"), 1)),
            onJson("wrong type", route -> route.body() != null, (r, route, random, known) -> {
                List<String> fields = new ArrayList<>(r.json.keySet());
                r.json.put(fields.get(random.nextInt(fields.size())), wrongValue(random));
            }),
            onJson("wrong type inside", route -> route.body() != null && route.body().containsKey("groups"),
                    (r, route, random, known) -> r.json.put("groups", List.of(pick(random, "x", 1, List.of(), Map.of("id", 1),
                            Map.of("id", known.team(), "role", List.of()), Map.of("id", known.team(), "extra", true))))),
            onJson("long strings", route -> route.body() != null, (r, route, random, known) -> {
                List<String> fields = new ArrayList<>(r.json.keySet());
                r.json.put(fields.get(random.nextInt(fields.size())), longText(random));
            }),
            new Mutation("a body where none is taken", route -> route.body() == null,
                    (r, route, random, known) -> r.body = pick(random, "{\"a\":1}", "garbage", "{".repeat(5_000))),
            new Mutation("huge body", route -> true, (r, route, random, known) -> {
                int size = pick(random, 17 * 1024, 300 * 1024, 2 * 1024 * 1024);
                r.json = null;
                r.body = "{\"padding\":\"" + "x".repeat(size) + "\"}";
            }),
            new Mutation("deeply nested body", route -> true, (r, route, random, known) -> {
                int depth = pick(random, 1_001, 5_000, 20_000);
                String field = r.json == null ? "query" : r.json.keySet().iterator().next();
                r.json = null;
                r.body = "{\"" + field + "\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
            }),
            onJson("duplicate keys", route -> route.body() != null, (r, route, random, known) -> {
                String json = write(r.json);
                String first = r.json.keySet().iterator().next();
                r.json = null;
                r.body = json.substring(0, json.length() - 1) + ",\"" + first + "\":" + write(wrongValue(random)) + "}";
            }),
            new Mutation("bad UTF-8", route -> true, (r, route, random, known) -> {
                String json = r.json == null ? "{\"name\":\"~BAD~\"}" : write(withText(r.json, random, "Fuzz ~BAD~ team"));
                byte[] text = json.getBytes(StandardCharsets.UTF_8);
                byte[] bad = pick(random, new byte[] {(byte) 0xff, (byte) 0xfe}, new byte[] {(byte) 0xc3, 0x28},
                        new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, new byte[] {(byte) 0xe2, (byte) 0x82});
                int at = json.indexOf("~BAD~"); // ASCII before it: its index is its byte offset
                byte[] out = new byte[text.length - 5 + bad.length];
                System.arraycopy(text, 0, out, 0, at);
                System.arraycopy(bad, 0, out, at, bad.length);
                System.arraycopy(text, at + 5, out, at + bad.length, text.length - at - 5);
                r.json = null;
                r.bytes = out;
            }),
            new Mutation("bad base64", route -> true, (r, route, random, known) -> r.base64Garbage = true),
            onJson("lone surrogate", route -> route.body() != null, (r, route, random, known) -> {
                // As a client sends it: JSON's escape of half a surrogate pair.
                r.body = write(withText(r.json, random, "team \ud800 name")).replace("\ud800", "\\ud800");
                r.json = null;
            }),
            new Mutation("odd Idempotency-Key", route -> !route.method().equals("GET"), (r, route, random, known) ->
                    r.headers.put("idempotency-key", pick(random, "", " ", "k".repeat(300), "a\u0000b", "ключ", "x".repeat(255)))),
            new Mutation("steering header", route -> true, (r, route, random, known) ->
                    r.headers.put(pick(random, "forwarded", "x-forwarded-host", "x-http-method-override"), "evil.example")),
            new Mutation("odd proxy path", Route::isProxy, (r, route, random, known) -> r.pathParameters.put("path",
                    pick(random, "", "..", "organizations/../../etc", "organizations%2F..", "x".repeat(2_000), "a//b", "http:",
                            "organizations/" + "é".repeat(300), "\u0000", "graphql"))),
            new Mutation("odd method", Route::isProxy, (r, route, random, known) ->
                    r.method = pick(random, "HEAD", "OPTIONS", "TRACE", "CONNECT", "PATCH", "POST", "DELETE", "get")),
            onJson("odd GraphQL", route -> route.path().equals("/proxy/graphql"), (r, route, random, known) -> r.json.put(
                    pick(random, "query", "operationName", "variables"), pick(random, "# mutation\n{ viewer { id } }", "", "\"\"\"",
                            "mutation", "{", "}", 1, List.of(), Map.of("a", 1), "query A { viewer { id } } mutation B { x }",
                            "x".repeat(200_000)))));

    /** A malformation of the JSON body's fields, which does nothing to a body an earlier one made other than an object. */
    private static Mutation onJson(String name, java.util.function.Predicate<Route> appliesTo, Mutator apply) {
        return new Mutation(name, appliesTo, (r, route, random, known) -> {
            if (r.json != null) {
                apply.apply(r, route, random, known);
            }
        });
    }

    /** The body with one of its string fields (a random one) set to {@code text}. */
    private static Map<String, Object> withText(Map<String, Object> json, Random random, String text) {
        List<String> strings = json.keySet().stream().filter(k -> json.get(k) instanceof String).sorted().toList();
        Map<String, Object> changed = new LinkedHashMap<>(json);
        changed.put(strings.isEmpty() ? "name" : strings.get(random.nextInt(strings.size())), text);
        return changed;
    }

    private static Object wrongValue(Random random) {
        return pick(random, 1, -1.5, true, List.of(), List.of(1, "a"), Map.of(), Map.of("a", Map.of("b", 1)), "", " ",
                "x".repeat(300), Long.MAX_VALUE, "null");
    }

    private static String longText(Random random) {
        String unit = pick(random, "a", "é", "\u20ac", "\ud83d\ude00");
        int length = pick(random, 201, 1_017, 1_100, 2_041, 5_000);
        return unit.repeat(length);
    }

    private static String oddId(Random random, Known known) {
        return pick(random, "", " ", "../x", "a/b", "%2F", "\u0000", "null", "ünï", "T3JnYW5pemF0aW9uLS0tMQ==",
                b64("User---" + UUID.nameUUIDFromBytes(new byte[] {4})), b64("Team---" + known.team()), known.foreignAccount(), "*", "acct_%s",
                known.account().toUpperCase(), known.account() + " ", "\ud800");
    }

    @SafeVarargs
    private static <T> T pick(Random random, T... choices) {
        return choices[random.nextInt(choices.length)];
    }

    private static String b64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String abbreviated(String text) {
        return text == null ? "null" : text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }
}
