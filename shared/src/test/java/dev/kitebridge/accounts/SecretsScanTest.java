package dev.kitebridge.accounts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import dev.kitebridge.HttpEvents;
import dev.kitebridge.LogCapture;
import dev.kitebridge.api.ApiRequest;
import dev.kitebridge.api.HttpApiEvents;
import dev.kitebridge.contract.ApiJson;
import dev.kitebridge.logging.JsonLogFormatter;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.faults.FaultPlan;
import dev.kitebridge.sandbox.faults.Faults;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.ApiToken;
import dev.kitebridge.sandbox.model.DataGenerator;
import dev.kitebridge.sandbox.model.Population;
import dev.kitebridge.sync.SyncRunner;
import dev.kitebridge.tenants.ApiKeyStore;

/**
 * A run through linking (by the API and on the connect page), reading, syncing, failing, rotating and unlinking, with every log line, every
 * response and every item in the table captured: none holds a Buildkite token or an API key in clear.
 * The log lines are scanned as the JDK prints them and as the functions print them (JSON, stacks
 * included), and the run fails on purpose so that failures with their stacks are among them.
 */
class SecretsScanTest {

    @Test
    void noTokenAndNoApiKeyInAnyLogLineResponseOrItem() throws Exception {
        List<String> responses = new ArrayList<>();
        List<String> secrets = new ArrayList<>();
        // Every logger, and the request log and metrics lines, which are printed by themselves rather than through the root logger.
        try (LogCapture logs = LogCapture.of("", "dev.kitebridge.requests", "dev.kitebridge.metrics");
             LogCapture printed = LogCapture.of(new JsonLogFormatter(), "");
             AppFixture fixture = AppFixture.onAws(Sandbox.builder().population(Population.of(80, 5))
                .limits(RateLimits.BUILDKITE.withRest(10_000, 10_000)).start())) {
            ApiKeyStore.NewKey keyA = fixture.app.apiKeys().create("tenant-a", "ci");
            ApiKeyStore.NewKey keyB = fixture.app.apiKeys().create("tenant-b", "ci");
            secrets.add(keyA.secret());
            secrets.add(keyB.secret());
            secrets.add(fixture.sandbox.token());
            assertEquals("tenant-a", fixture.app.apiKeys().tenantOf("Bearer " + keyA.secret()).orElseThrow());

            ApiToken second = fixture.sandbox.issueToken(fixture.sandbox.owner().uuid(), DataGenerator.ALL_SCOPES, Set.of("acme"), null);
            secrets.add(second.secret());
            AppFixture.Answer linked = fixture.accounts("tenant-a", "POST", null, "{\"token\":\"" + second.secret() + "\"}");
            responses.add(linked.raw());
            String id = linked.body().get("id").asText();
            // Through the handlers' gate too, which logs a line per request.
            responses.add(HttpApiEvents.handle(HttpEvents.of("POST /integrated-accounts", "/integrated-accounts", Map.of(),
                    "{\"token\":\"" + second.secret() + "\"}", "tenant-a"), fixture.app.routes()::answer).getBody());
            responses.add(HttpApiEvents.handle(HttpEvents.of("GET /unified/user-directory/users", "/unified/user-directory/users",
                    Map.of("integrated_account_id", id), null, "tenant-a"), fixture.app.routes()::answer).getBody());
            responses.add(fixture.accounts("tenant-a", "POST", null, "{\"token\":\"bkua_wrong_" + second.secret() + "\"}").raw());
            Map<String, String> query = Map.of("integrated_account_id", id, "limit", "500");
            for (String resource : List.of("users", "groups", "roles", "organizations", "me")) {
                responses.add(fixture.directory("tenant-a", resource, null, query).raw());
            }
            // A sync run, its snapshot and events in the table, and its answers.
            List<String> synced = fixture.sync("tenant-a", id);
            assertTrue(synced.stream().anyMatch(a -> a.contains("\"user.created\"")), "the sync published events");
            responses.addAll(synced);
            fixture.sandbox.faults().set(Faults.ALL_ROUTES, new FaultPlan(0.3, 0.2, 0.2, java.time.Duration.ZERO));
            for (int i = 0; i < 5; i++) {
                responses.add(fixture.directory("tenant-a", "users", null, Map.of("integrated_account_id", id, "max_age", "0")).raw());
            }
            // A sync attempt on a Buildkite that only fails: the runner logs it, the run keeps its short error.
            fixture.sandbox.faults().set(Faults.ALL_ROUTES, new FaultPlan(1.0, 0, 0, java.time.Duration.ZERO));
            String failingRun = ApiJson.MAPPER.readTree(fixture.app.sync().startRun(new ApiRequest("POST", "/sync-runs", Map.of(), Map.of(),
                    Map.of(), "{\"integrated_account_id\": \"" + id + "\"}", "req-sync", "tenant-a")).body()).get("id").asText();
            fixture.app.syncRunner().work(failingRun, "worker", java.time.Instant.now().plus(java.time.Duration.ofMinutes(1)));
            fixture.sandbox.faults().clear();
            // The table as it stands before the rotation below, which deletes the account's kept directory data.
            List<Map<String, AttributeValue>> beforeRotation = scan(fixture);
            fixture.sandbox.world().revokeToken(second);
            responses.add(fixture.directory("tenant-a", "organizations", null, query).raw());
            responses.add(fixture.accounts("tenant-a", "PATCH", id, "{\"token\":\"" + fixture.sandbox.token() + "\"}").raw());
            responses.add(fixture.accounts("tenant-a", "GET", null, null).raw());
            responses.add(fixture.accounts("tenant-b", "GET", id, null).raw());

            // The connect page: a refused token, a token waiting for confirmation (sealed in its session's item), another linked.
            ApiToken third = fixture.sandbox.issueToken(fixture.sandbox.owner().uuid(), DataGenerator.ALL_SCOPES, Set.of("acme"), null);
            secrets.add(third.secret());
            String waiting = connectSession(fixture);
            String linking = connectSession(fixture);
            // The pages' own secrets are in their URLs (and a 303 back to the page names it): never in a log line or an item.
            List<String> pageSecrets = List.of(waiting, linking);
            responses.add(connectPage(fixture, waiting, null));
            String csrf = dev.kitebridge.connect.ConnectSecrets.csrfToken(waiting);
            responses.add(connectPage(fixture, waiting, "csrf=" + csrf + "&action=check&token=bkua_wrong_" + third.secret()));
            responses.add(connectPage(fixture, waiting, "csrf=" + csrf + "&action=check&token=" + third.secret()));
            responses.add(connectPage(fixture, waiting, null));
            String csrf2 = dev.kitebridge.connect.ConnectSecrets.csrfToken(linking);
            responses.add(connectPage(fixture, linking, "csrf=" + csrf2 + "&action=check&token=" + third.secret()));
            String done = connectPage(fixture, linking, "csrf=" + csrf2 + "&action=confirm");
            assertTrue(done.contains("Buildkite is connected"), done);
            responses.add(done);
            assertTrue(fixture.table.client().scan(b -> b.tableName(fixture.table.name())).items().stream()
                    .anyMatch(i -> i.get("pk").s().startsWith("CONNECT#") && i.get("session").s().contains("\"sealedToken\":\"v1.")),
                    "a token waits, sealed, in its session's item");

            List<Map<String, AttributeValue>> scanned = new ArrayList<>(beforeRotation);
            scanned.addAll(scan(fixture));
            assertTrue(scanned.size() > 5, "the run wrote state: " + scanned.size());
            Map<String, String> items = readable(scanned);
            for (String kind : List.of("event_gz", "sync_gz", "run_gz", "ORGDATA# data")) {
                assertTrue(items.keySet().stream().anyMatch(where -> where.endsWith(" " + kind)), "the scan read a " + kind + " unzipped");
            }
            assertTrue(logs.lines().size() > 0, "the run logged");
            assertTrue(logs.lines().stream().anyMatch(l -> l.contains("\"message\":\"request\"")), "request lines are scanned too");
            // With the table gone, requests fail on DynamoDB: 500s, each logged with the SDK's exception and its stack.
            fixture.table.client().deleteTable(b -> b.tableName(fixture.table.name()));
            responses.add(HttpApiEvents.handle(HttpEvents.of("GET /unified/user-directory/users", "/unified/user-directory/users",
                    Map.of("integrated_account_id", id), null, "tenant-a"), fixture.app.routes()::answer).getBody());
            responses.add(fixture.accounts("tenant-a", "GET", null, null).raw());
            responses.add(connectPage(fixture, waiting, null));
            List<String> stacks = new ArrayList<>();
            for (String line : printed.lines()) {
                var json = ApiJson.MAPPER.readTree(line); // each a JSON line
                if (json.has("stack")) {
                    stacks.add(json.get("logger").asText() + " " + json.get("stack").asText());
                }
            }
            assertTrue(stacks.stream().anyMatch(s -> s.contains("ResourceNotFoundException") && s.contains("\n\tat ")),
                    "the 500s were logged with their stacks: " + stacks);
            assertTrue(stacks.stream().anyMatch(s -> s.startsWith(SyncRunner.class.getName() + " ")),
                    "the failed sync attempt was logged: " + stacks);
            for (String secret : pageSecrets) {
                for (String line : logs.lines()) {
                    assertFalse(line.contains(secret), "a log line shows a connect page's secret: " + line);
                }
                for (String line : printed.lines()) {
                    assertFalse(line.contains(secret), "a printed log line shows a connect page's secret: " + line);
                }
                items.forEach((where, text) -> assertFalse(text.contains(secret), "an item holds a connect page's secret: " + where));
            }
            for (String whole : secrets) {
                // Its last 32 characters: a token redacted after its prefix or its id (bkua_MTA.[…]) still shows nothing.
                String secret = whole.substring(whole.length() - 32);
                for (String response : responses) {
                    assertFalse(response.contains(secret), "a response shows a secret: " + response);
                }
                for (String line : logs.lines()) {
                    assertFalse(line.contains(secret), "a log line shows a secret: " + line);
                }
                for (String line : printed.lines()) {
                    assertFalse(line.contains(secret), "a printed log line shows a secret: " + line);
                }
                items.forEach((where, text) -> assertFalse(text.contains(secret), "an item holds a secret: " + where));
            }
        }
    }

    /** A new connect session of tenant-a: its page's secret (the one answer that shows it is left out of the scan). */
    private static String connectSession(AppFixture fixture) throws Exception {
        String url = ApiJson.MAPPER.readTree(fixture.app.connectSessions().createSession(new ApiRequest("POST", "/connect-sessions", Map.of(),
                Map.of(), Map.of("host", "api.example.com"), "{}", "req-connect", "tenant-a")).body()).get("url").asText();
        return url.substring(url.lastIndexOf('/') + 1);
    }

    /** The connect page through the handlers' gate (which logs the request's line): a GET, or a form's post. */
    private static String connectPage(AppFixture fixture, String secret, String form) {
        var event = HttpEvents.of((form == null ? "GET" : "POST") + " /connect/{session}", "/connect/" + secret, Map.of(), form, null);
        event.setPathParameters(Map.of("session", secret));
        var answer = HttpApiEvents.handlePublic(event, fixture.app.routes()::answer);
        return answer.getStatusCode() + " " + answer.getHeaders() + " " + answer.getBody();
    }

    /** Every item of the table, page by page. */
    private static List<Map<String, AttributeValue>> scan(AppFixture fixture) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        fixture.table.client().scanPaginator(b -> b.tableName(fixture.table.name())).items().forEach(items::add);
        return items;
    }

    /**
     * The items as text, by where they are ("pk sk"): each as DynamoDB gives it, and each binary attribute
     * unzipped ("pk sk attribute"); the kept directory's data, gzipped whole and then cut into chunks
     * ({@code WRITE#<write>#<n>}), joined again before it is unzipped ("pk WRITE#<write> ORGDATA# data").
     */
    private static Map<String, String> readable(List<Map<String, AttributeValue>> items) {
        Map<String, String> texts = new java.util.LinkedHashMap<>();
        Map<String, java.util.TreeMap<Integer, byte[]>> chunks = new java.util.TreeMap<>();
        for (Map<String, AttributeValue> item : items) {
            String where = item.get("pk").s() + " " + item.get("sk").s();
            texts.merge(where, item.toString(), (a, b) -> a + "\n" + b);
            item.forEach((name, value) -> {
                if (value.b() == null) {
                    return;
                }
                String[] write = item.get("sk").s().split("#");
                if (item.get("pk").s().startsWith("ORGDATA#") && write.length == 3 && write[0].equals("WRITE")) {
                    chunks.computeIfAbsent(item.get("pk").s() + " WRITE#" + write[1], k -> new java.util.TreeMap<>())
                            .put(Integer.parseInt(write[2]), value.b().asByteArray());
                } else {
                    String kind = item.get("pk").s().startsWith("ORGDATA#") ? "ORGDATA# " + name : name;
                    texts.merge(where + " " + kind, gunzip(value.b().asByteArray(), where), (a, b) -> a + "\n" + b);
                }
            });
        }
        chunks.forEach((write, parts) -> {
            java.io.ByteArrayOutputStream whole = new java.io.ByteArrayOutputStream();
            parts.values().forEach(whole::writeBytes);
            texts.put(write + " ORGDATA# data", gunzip(whole.toByteArray(), write));
        });
        return texts;
    }

    /** Gzip unzipped (one that does not unzip fails the test: its content would go unread); other bytes as they are. */
    private static String gunzip(byte[] bytes, String where) {
        if (bytes.length < 2 || (bytes[0] & 0xff) != 0x1f || (bytes[1] & 0xff) != 0x8b) {
            return new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        }
        try (var zip = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
            return new String(zip.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException notWhole) {
            throw new AssertionError("gzipped bytes at " + where + " do not unzip, so the scan cannot read them", notWhole);
        }
    }

}
