package dev.kitebridge.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.model.Population;

/**
 * openapi.yaml against the routes template.yaml serves and the answers the dev server gives: every
 * route is documented and every documented route exists, and real answers (successes and errors)
 * validate against the schema documented for their status, with a JSON Schema validator that
 * asserts formats, and carry the headers documented for it, valid, and no undocumented one of ours.
 */
class OpenApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "Bearer " + LocalRuntime.DEMO_KEY;
    private static final String ACCOUNT = "integrated_account_id=" + LocalRuntime.ACCOUNT;

    /** The headers Kitebridge sets (the others are HTTP's own): each one an answer carries must be documented for it. */
    private static final Pattern OUR_HEADERS = Pattern.compile("x-request-id|retry-after|ratelimit-.+|x-kitebridge-.+");

    private static JsonNode openapi;
    private static Sandbox sandbox;
    private static LocalRuntime runtime;
    private static LocalServer server;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws IOException {
        openapi = new ObjectMapper(new YAMLFactory()).readTree(Path.of("openapi.yaml").toFile());
        sandbox = LocalMain.startSandbox(Population.demo());
        runtime = LocalRuntime.onSandbox(Template.load(Path.of("template.yaml")), sandbox);
        server = new LocalServer(0).serve(runtime);
    }

    @AfterAll
    static void stop() {
        server.close();
        runtime.close();
    }

    @Test
    void everyRouteIsDocumentedAndEveryDocumentedRouteIsServed() throws IOException {
        Set<String> served = new TreeSet<>();
        for (Template.Function function : Template.load(Path.of("template.yaml")).functions()) {
            for (Template.Route route : function.routes()) {
                String path = route.path().replace("{path+}", "{path}");
                List<String> methods = route.method().equalsIgnoreCase("ANY") ? List.of("get", "post", "put", "patch", "delete")
                        : List.of(route.method().toLowerCase(Locale.ROOT));
                methods.forEach(m -> served.add(m + " " + path));
            }
        }
        Set<String> documented = new TreeSet<>();
        for (Iterator<String> paths = openapi.get("paths").fieldNames(); paths.hasNext(); ) {
            String path = paths.next();
            for (Iterator<String> keys = openapi.get("paths").get(path).fieldNames(); keys.hasNext(); ) {
                String key = keys.next();
                if (Set.of("get", "post", "put", "patch", "delete").contains(key)) {
                    documented.add(key + " " + path);
                }
            }
        }
        assertEquals(served, documented, "openapi.yaml and template.yaml name the same routes");
    }

    @Test
    void realAnswersMatchTheirDocumentedSchemas() throws Exception {
        assertValid("get", "/health", "/health", null, 200);
        assertValid("get", "/integrated-accounts", "/integrated-accounts", null, 200);
        assertValid("get", "/integrated-accounts/{id}", "/integrated-accounts/" + LocalRuntime.ACCOUNT, null, 200);
        assertValid("get", "/integrated-accounts/{id}", "/integrated-accounts/acct_nobody", null, 404);

        String d = "/unified/user-directory";
        JsonNode orgs = assertValid("get", d + "/organizations", d + "/organizations?" + ACCOUNT, null, 200);
        String org = orgs.at("/result/0/id").asText();
        assertValid("get", d + "/organizations/{id}", d + "/organizations/" + org + "?" + ACCOUNT, null, 200);
        JsonNode users = assertValid("get", d + "/users", d + "/users?" + ACCOUNT + "&organization_id=" + org + "&limit=20", null, 200);
        assertValid("get", d + "/users", d + "/users?" + ACCOUNT + "&next_cursor=forged", null, 400);
        String user = null;
        for (JsonNode candidate : users.get("result")) {
            if (candidate.get("status").asText().equals("active") && candidate.at("/roles/0/id").asText().equals("organization:member")) {
                user = candidate.get("id").asText();
                break;
            }
        }
        assertValid("get", d + "/users/{id}", d + "/users/" + user + "?" + ACCOUNT + "&organization_id=" + org, null, 200);
        JsonNode groups = assertValid("get", d + "/groups", d + "/groups?" + ACCOUNT + "&organization_id=" + org, null, 200);
        String group = groups.at("/result/0/id").asText();
        assertValid("get", d + "/groups/{id}", d + "/groups/" + group + "?" + ACCOUNT, null, 200);
        assertValid("get", d + "/roles", d + "/roles?" + ACCOUNT, null, 200);
        assertValid("get", d + "/roles/{id}", d + "/roles/team:maintainer?" + ACCOUNT, null, 200);
        assertValid("get", d + "/me", d + "/me?" + ACCOUNT, null, 200);

        assertValid("post", d + "/users", d + "/users?" + ACCOUNT,
                "{\"organization_id\":\"" + org + "\",\"emails\":[\"openapi@example.com\"],\"groups\":[{\"id\":\"" + group + "\"}]}", 201);
        assertValid("post", d + "/users", d + "/users?" + ACCOUNT, "{\"organization_id\":\"" + org + "\",\"emails\":[]}", 400);
        assertValid("patch", d + "/users/{id}", d + "/users/" + user + "?" + ACCOUNT,
                "{\"organization_id\":\"" + org + "\",\"role\":\"organization:admin\"}", 200);
        JsonNode created = assertValid("post", d + "/groups", d + "/groups?" + ACCOUNT,
                "{\"organization_id\":\"" + org + "\",\"name\":\"Documented\"}", 201);
        String newGroup = created.get("id").asText();
        assertValid("patch", d + "/groups/{id}", d + "/groups/" + newGroup + "?" + ACCOUNT, "{\"description\":\"checked\"}", 200);
        assertValid("post", d + "/groups/add-user", d + "/groups/add-user?" + ACCOUNT,
                "{\"group_id\":\"" + newGroup + "\",\"user_id\":\"" + user + "\",\"role\":\"team:maintainer\"}", 200);
        assertValid("post", d + "/groups/remove-user", d + "/groups/remove-user?" + ACCOUNT,
                "{\"group_id\":\"" + newGroup + "\",\"user_id\":\"" + user + "\"}", 200);
        assertValid("delete", d + "/groups/{id}", d + "/groups/" + newGroup + "?" + ACCOUNT, null, 200);
        assertValid("delete", d + "/users/{id}", d + "/users/" + user + "?" + ACCOUNT + "&organization_id=" + org, null, 200);

        assertValid("get", "/proxy/{path}", "/proxy/organizations?" + ACCOUNT, null, 200);
        assertValid("get", "/proxy/{path}", "/proxy/organizations/acme?" + ACCOUNT, null, 200);
        assertValid("get", "/proxy/{path}", "/proxy/organizations/..%2Fsecrets?" + ACCOUNT, null, 400);
        assertValid("post", "/proxy/graphql", "/proxy/graphql?" + ACCOUNT, "{\"query\":\"{ viewer { user { name } } }\"}", 200);
    }

    @Test
    void syncRunsEventsAndWebhooksAnswerAsDocumented() throws Exception {
        String accountBody = "{\"integrated_account_id\":\"" + LocalRuntime.ACCOUNT + "\"}";
        JsonNode run = assertValid("post", "/sync-runs", "/sync-runs", accountBody, 202);
        String runId = run.get("id").asText();
        assertValid("post", "/sync-runs", "/sync-runs", "{}", 400);
        // The dev server's worker takes the run in the background, as the worker function does in AWS.
        for (int i = 0; i < 600 && !run.get("status").asText().equals("completed"); i++) {
            Thread.sleep(100);
            run = assertValid("get", "/sync-runs/{id}", "/sync-runs/" + runId, null, 200);
        }
        assertEquals("completed", run.get("status").asText(), run.toString());
        assertValid("get", "/sync-runs/{id}", "/sync-runs/run_nobody", null, 404);
        JsonNode events = assertValid("get", "/events", "/events?" + ACCOUNT + "&limit=20", null, 200);
        assertEquals(20, events.get("result_count").asInt());
        assertValid("get", "/events", "/events?" + ACCOUNT + "&after=forged", null, 400);

        JsonNode webhook = assertValid("post", "/webhooks", "/webhooks",
                "{\"target_url\":\"http://127.0.0.1:9000/k\",\"event_types\":[\"user.created\"]}", 201);
        String id = webhook.get("id").asText();
        assertValid("post", "/webhooks", "/webhooks", "{\"target_url\":\"ftp://x\",\"event_types\":[\"user.created\"]}", 400);
        assertValid("get", "/webhooks", "/webhooks", null, 200);
        assertValid("get", "/webhooks/{id}", "/webhooks/" + id, null, 200);
        assertValid("post", "/webhooks/{id}/replay", "/webhooks/" + id + "/replay", null, 200);
        assertValid("delete", "/webhooks/{id}", "/webhooks/" + id, null, 200);
        assertValid("get", "/webhooks/{id}", "/webhooks/" + id, null, 404);
    }

    @Test
    void connectSessionsAndTheirPageAnswerAsDocumented() throws Exception {
        assertValid("put", "/connect-settings", "/connect-settings", "{\"allowed_redirect_origins\":[\"https://app.example.com\"]}", 200);
        assertValid("put", "/connect-settings", "/connect-settings", "{\"allowed_redirect_origins\":[\"ftp://x\"]}", 400);
        assertValid("get", "/connect-settings", "/connect-settings", null, 200);
        assertValid("post", "/connect-sessions", "/connect-sessions", "{\"redirect_url\":\"https://elsewhere.example.com/\"}", 400);
        JsonNode session = assertValid("post", "/connect-sessions", "/connect-sessions",
                "{\"label\":\"Acme\",\"redirect_url\":\"https://app.example.com/done\",\"state\":\"s\",\"required_scopes\":[\"read_user\"]}", 201);
        String page = URI.create(session.get("url").asText()).getRawPath();
        HttpResponse<String> form = assertPage("get", page, null, 200);
        java.util.regex.Matcher csrf = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(form.body());
        assertTrue(csrf.find(), form.body());
        assertPage("post", page, "action=check&token=bkua_x", 400);
        assertPage("post", page, "csrf=forged&action=check&token=bkua_x", 403);
        assertPage("post", page, "csrf=" + csrf.group(1) + "&action=check&token=bkua_refused", 422);
        assertPage("post", page, "csrf=" + csrf.group(1) + "&action=check&token=" + sandbox.token(), 303);
        assertPage("get", page, null, 200);
        HttpResponse<String> linked = assertPage("post", page, "csrf=" + csrf.group(1) + "&action=confirm", 303);
        assertTrue(linked.headers().firstValue("location").orElseThrow().startsWith("https://app.example.com/done?integrated_account_id="));
        assertPage("get", page, null, 410);
        assertPage("get", "/connect/kbcs_" + "0".repeat(43), null, 404);
    }

    /** A connect page's answer: a status documented for it, as HTML (or a 303), with its documented headers. */
    private static HttpResponse<String> assertPage(String method, String url, String form, int status) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + url));
        if (form != null) {
            request.header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form));
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        String what = method + " " + url + " → " + response.statusCode();
        assertEquals(status, response.statusCode(), what + ": " + response.body());
        JsonNode documented = documentedResponse(method, "/connect/{session}", status);
        assertFalse(documented.isMissingNode(), what + " is not documented");
        if (status != 303) {
            assertTrue(documented.path("content").has("text/html"), what);
            assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/html"), what);
        }
        for (Iterator<String> names = documented.path("headers").fieldNames(); names.hasNext(); ) {
            String name = names.next();
            JsonNode header = resolved(documented.get("headers").get(name));
            Optional<String> value = response.headers().firstValue(name);
            assertTrue(value.isPresent() || !header.path("required").asBoolean(), what + " lacks its header " + name);
            if (value.isPresent()) {
                assertTrue(schema(header.get("schema")).validate(headerValue(value.get(), header.get("schema"))).isEmpty(),
                        what + ": header " + name + ": " + value.get());
            }
        }
        return response;
    }

    @Test
    void aSpentBudgetAnswers429WithRetryAfterAsDocumented() throws Exception {
        // Buildkite says the budget of token checks is spent for longer than a request waits.
        sandbox.faults().burst429("GET /v2/access-token", 1, 600);
        HttpResponse<String> refused = send("post", "/integrated-accounts", "{\"token\":\"" + sandbox.token() + "\"}");
        assertEquals(429, refused.statusCode(), refused.body());
        assertValid("post", "/integrated-accounts", refused);
        assertTrue(refused.headers().firstValue("retry-after").isPresent());
    }

    @Test
    void theValidatorAssertsFormats() throws Exception {
        HttpResponse<String> account = send("get", "/integrated-accounts/" + LocalRuntime.ACCOUNT, null);
        ObjectNode answer = (ObjectNode) JSON.readTree(account.body());
        assertTrue(schemaFor("get", "/integrated-accounts/{id}", 200).validate(answer).isEmpty(), account.body());
        answer.put("created_at", "yesterday");
        assertFalse(schemaFor("get", "/integrated-accounts/{id}", 200).validate(answer).isEmpty(), "a date-time that is none fails");
    }

    /** Sends the request (asked again while it answers 429), checks the status and validates the body against the documented schema. */
    private static JsonNode assertValid(String method, String documentedPath, String url, String body, int status) throws Exception {
        HttpResponse<String> response;
        int attempts = 0;
        do {
            response = send(method, url, body);
            if (response.statusCode() == 429 && status != 429) {
                Thread.sleep(Long.parseLong(response.headers().firstValue("retry-after").orElse("1")) * 1000
                        / (long) LocalMain.DEMO_TIME_SCALE + 10);
            }
        } while (response.statusCode() == 429 && status != 429 && ++attempts < 100);
        assertEquals(status, response.statusCode(), method + " " + url + ": " + response.body());
        return assertValid(method, documentedPath, response);
    }

    private static HttpResponse<String> send(String method, String url, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + url)).header("Authorization", KEY)
                .method(method.toUpperCase(Locale.ROOT), body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The answer's body and headers against what openapi.yaml documents for its status. */
    private static JsonNode assertValid(String method, String documentedPath, HttpResponse<String> response) throws IOException {
        String what = method + " " + response.uri().getRawPath() + " → " + response.statusCode();
        JsonNode answer = JSON.readTree(response.body());
        List<ValidationMessage> errors = new ArrayList<>(schemaFor(method, documentedPath, response.statusCode()).validate(answer));
        assertTrue(errors.isEmpty(), what + " breaks openapi.yaml:\n"
                + errors.stream().map(ValidationMessage::getMessage).collect(Collectors.joining("\n")) + "\n" + response.body());

        JsonNode documented = documentedResponse(method, documentedPath, response.statusCode()).path("headers");
        for (Iterator<String> names = documented.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            JsonNode header = resolved(documented.get(name));
            Optional<String> value = response.headers().firstValue(name);
            assertTrue(value.isPresent() || !header.path("required").asBoolean(), what + " lacks its header " + name);
            if (value.isPresent()) {
                Set<ValidationMessage> invalid = schema(header.get("schema")).validate(headerValue(value.get(), header.get("schema")));
                assertTrue(invalid.isEmpty(), what + ": header " + name + ": " + value.get() + " " + invalid);
            }
        }
        for (String name : response.headers().map().keySet()) {
            String lower = name.toLowerCase(Locale.ROOT);
            assertTrue(!OUR_HEADERS.matcher(lower).matches() || documented.has(lower), what + " sends " + lower + ", undocumented there");
        }
        return answer;
    }

    /** A header's text as the JSON its schema describes: a number where it says integer. */
    private static JsonNode headerValue(String text, JsonNode schema) {
        if (schema.path("type").asText().equals("integer")) {
            try {
                return JSON.getNodeFactory().numberNode(Long.parseLong(text));
            } catch (NumberFormatException notANumber) {
                return JSON.getNodeFactory().textNode(text); // which the schema then refuses
            }
        }
        return JSON.getNodeFactory().textNode(text);
    }

    /**
     * The schema openapi.yaml documents for the answer: the whole document as a JSON Schema 2020-12
     * (OpenAPI 3.1's dialect) whose root {@code $ref}s the response's schema, so that its own
     * {@code #/components/...} references resolve.
     */
    private static JsonSchema schemaFor(String method, String path, int status) {
        String responsePointer = "/paths/" + escape(path) + "/" + method + "/responses/" + status;
        JsonNode response = openapi.at(responsePointer);
        assertFalse(response.isMissingNode(), "openapi.yaml documents no " + status + " for " + method + " " + path);
        if (response.has("$ref")) {
            responsePointer = response.get("$ref").asText().substring(1);
        }
        return schema(JSON.createObjectNode().put("$ref", "#" + responsePointer + "/content/application~1json/schema"));
    }

    /**
     * A schema of openapi.yaml, inside the whole document so that its {@code #/components/...}
     * references resolve. Formats are asserted: in 2020-12 they are annotations unless asked.
     */
    private static JsonSchema schema(JsonNode schema) {
        ObjectNode document = openapi.deepCopy();
        document.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        document.setAll((ObjectNode) schema);
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(document, SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build());
    }

    /** The response openapi.yaml documents, its {@code $ref} followed. */
    private static JsonNode documentedResponse(String method, String path, int status) {
        return resolved(openapi.at("/paths/" + escape(path) + "/" + method + "/responses/" + status));
    }

    private static JsonNode resolved(JsonNode node) {
        return node.has("$ref") ? openapi.at(node.get("$ref").asText().substring(1)) : node;
    }

    private static String escape(String path) {
        return path.replace("~", "~0").replace("/", "~1");
    }
}
