package dev.kitebridge.accounts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.ApiToken;
import dev.kitebridge.sandbox.model.Population;

/** Linking, reading, rotating and unlinking integrated accounts, on dynalite and moto's Secrets Manager. */
class AccountsTest {

    private static Sandbox sandbox() {
        return Sandbox.builder().population(Population.of(60, 4)).limits(RateLimits.BUILDKITE.withRest(10_000, 10_000)).start();
    }

    @Test
    void linkingChecksTheTokenAndShowsItNeverAgain() {
        try (AppFixture fixture = AppFixture.onAws(sandbox())) {
            AppFixture.Answer linked = fixture.accounts("tenant-a", "POST", null,
                    "{\"token\":\"" + fixture.sandbox.token() + "\",\"label\":\"Acme\"}");
            assertEquals(201, linked.status(), linked.raw());
            assertEquals("active", linked.body().get("status").asText());
            assertEquals("Acme", linked.body().get("label").asText());
            assertTrue(linked.body().get("missing_scopes").isEmpty(), "the sandbox's ready token has every scope");
            assertEquals("acme", linked.body().at("/organizations/0/slug").asText());
            assertTrue(linked.body().get("token_expires_at").isNull());
            assertFalse(linked.raw().contains(fixture.sandbox.token()));
            String id = linked.body().get("id").asText();
            assertEquals(Map.of(fixture.secretPrefix + id, fixture.sandbox.token()), fixture.liveSecrets());

            AppFixture.Answer listed = fixture.accounts("tenant-a", "GET", null, null);
            assertEquals(1, listed.body().get("result_count").asInt());
            assertEquals(id, listed.body().at("/result/0/id").asText());
            assertFalse(listed.raw().contains(fixture.sandbox.token()));
            assertEquals(200, fixture.directory("tenant-a", "roles", null, Map.of("integrated_account_id", id)).status());
        }
    }

    @Test
    void aTokenWithoutScopesLinksAndSaysWhatItLacks() {
        try (AppFixture fixture = AppFixture.inMemory(sandbox())) {
            ApiToken narrow = fixture.sandbox.issueToken(fixture.sandbox.owner().uuid(), Set.of("read_user"), Set.of("acme"), null);
            AppFixture.Answer linked = fixture.accounts("tenant-a", "POST", null, "{\"token\":\"" + narrow.secret() + "\"}");
            assertEquals(201, linked.status(), linked.raw());
            assertEquals(List.of("read_organizations", "read_teams", "graphql", "write_teams", "write_organizations",
                    "write_organization_invitations"), ApiJsonLists.strings(linked.body().get("missing_scopes")));
            assertTrue(linked.body().get("organizations").isEmpty(), "it may not list its organizations");
            String id = linked.body().get("id").asText();
            AppFixture.Answer users = fixture.directory("tenant-a", "users", null, Map.of("integrated_account_id", id));
            assertEquals(403, users.status());
            assertEquals("read_organizations", users.body().at("/details/missing_scope").asText());
        }
    }

    @Test
    void badTokensAndBadBodiesWriteNothing() {
        try (AppFixture fixture = AppFixture.onAws(sandbox())) {
            ApiToken expired = fixture.sandbox.issueToken(fixture.sandbox.owner().uuid(), Set.of("read_user"), Set.of("acme"),
                    Instant.now().minusSeconds(60));
            Map<String, Integer> cases = new java.util.LinkedHashMap<>();
            cases.put("{\"token\":\"bkua_not_a_token_buildkite_knows\"}", 422);
            cases.put("{\"token\":\"" + expired.secret() + "\"}", 422);
            cases.put("{\"token\":\"\"}", 400);
            cases.put("{\"token\":\"bkua_has spaces\"}", 400);
            cases.put("{\"token\":42}", 400);
            cases.put("{\"label\":\"no token\"}", 400);
            cases.put("{\"token\":\"bkua_x\",\"role\":\"admin\"}", 400);
            cases.put("not json", 400);
            cases.put("[\"token\"]", 400);
            cases.put("", 400);
            cases.put("{\"token\":\"" + "x".repeat(20_000) + "\"}", 413);
            cases.forEach((body, status) -> {
                AppFixture.Answer answer = fixture.accounts("tenant-a", "POST", null, body);
                assertEquals(status, answer.status(), body.length() > 80 ? body.substring(0, 80) : body);
                assertTrue(answer.body().get("message").asText().length() > 5);
            });
            assertEquals(0, fixture.accounts("tenant-a", "GET", null, null).body().get("result_count").asInt());
            assertTrue(fixture.liveSecrets().isEmpty());
            assertEquals(401, fixture.accounts(null, "GET", null, null).status());
        }
    }

    @Test
    void aRevokedTokenNeedsReauthenticationUntilRotated() {
        try (AppFixture fixture = AppFixture.onAws(sandbox())) {
            ApiToken first = fixture.sandbox.issueToken(fixture.sandbox.owner().uuid(), dev.kitebridge.sandbox.model.DataGenerator.ALL_SCOPES,
                    Set.of("acme"), null);
            String id = fixture.link("tenant-a", first.secret());
            assertEquals(200, fixture.directory("tenant-a", "organizations", null, Map.of("integrated_account_id", id)).status());
            fixture.sandbox.world().revokeToken(first);

            AppFixture.Answer refused = fixture.directory("tenant-a", "organizations", null, Map.of("integrated_account_id", id));
            assertEquals(424, refused.status(), refused.raw());
            assertEquals("needs_reauth", fixture.accounts("tenant-a", "GET", id, null).body().get("status").asText());
            assertEquals(424, fixture.directory("tenant-a", "roles", null, Map.of("integrated_account_id", id)).status());

            AppFixture.Answer rotated = fixture.accounts("tenant-a", "PATCH", id, "{\"token\":\"" + fixture.sandbox.token() + "\"}");
            assertEquals(200, rotated.status(), rotated.raw());
            assertEquals("active", rotated.body().get("status").asText());
            assertEquals(200, fixture.directory("tenant-a", "organizations", null, Map.of("integrated_account_id", id)).status());
            assertEquals(fixture.sandbox.token(), fixture.liveSecrets().get(fixture.secretPrefix + id));

            assertEquals(400, fixture.accounts("tenant-a", "PATCH", id, "{}").status());
            assertEquals("Renamed", fixture.accounts("tenant-a", "PATCH", id, "{\"label\":\"Renamed\"}").body().get("label").asText());
        }
    }

    @Test
    void aSpentBudgetWhileCheckingATokenAnswers429AndWritesNothing() {
        Sandbox sandbox = Sandbox.builder().population(Population.of(20, 2)).limits(RateLimits.BUILDKITE.withRest(10_000, 2)).start();
        try (AppFixture fixture = AppFixture.onAws(sandbox)) {
            fixture.link("tenant-a", fixture.sandbox.token()); // the access token and the organizations: the user's 2 a minute
            AppFixture.Answer refused = fixture.accounts("tenant-a", "POST", null, "{\"token\":\"" + fixture.sandbox.token() + "\"}");
            assertEquals(429, refused.status(), refused.raw());
            assertEquals("rate_limited", refused.body().get("error").asText());
            assertTrue(Integer.parseInt(refused.headers().get("retry-after")) >= 1, refused.headers().toString());
            assertEquals(1, fixture.accounts("tenant-a", "GET", null, null).body().get("result").size(), "nothing written");
            assertEquals(1, fixture.liveSecrets().size());
        }
    }

    @Test
    void unlinkingDeletesTheSecretAndTheAccountsState() throws Exception {
        try (AppFixture fixture = AppFixture.onAws(sandbox())) {
            String id = fixture.link("tenant-a", fixture.sandbox.token());
            assertEquals(200, fixture.directory("tenant-a", "users", null, Map.of("integrated_account_id", id, "limit", "500")).status());
            AppFixture.Answer unlinked = fixture.accounts("tenant-a", "DELETE", id, null);
            assertEquals(200, unlinked.status());
            assertEquals(id, unlinked.body().get("id").asText());
            assertEquals(404, fixture.accounts("tenant-a", "GET", id, null).status());
            assertEquals(404, fixture.directory("tenant-a", "users", null, Map.of("integrated_account_id", id)).status());
            assertTrue(fixture.liveSecrets().isEmpty(), "the secret is scheduled for deletion");
            List<Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> left =
                    fixture.table.client().scan(b -> b.tableName(fixture.table.name())).items();
            // Its published events stay until they expire (30 days), as every account's do: here its integrated_account.created.
            List<Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> events = left.stream()
                    .filter(item -> item.get("pk").s().equals("EVENTS#" + id)).toList();
            assertEquals(1, events.size(), left.toString());
            try (var zip = new java.util.zip.GZIPInputStream(events.get(0).get("event_gz").b().asInputStream())) {
                assertTrue(new String(zip.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).contains("\"integrated_account.created\""));
            }
            assertTrue(events.get(0).containsKey("expires_at"), events.toString());
            left = left.stream().filter(item -> !events.contains(item)).toList();
            assertTrue(left.stream().noneMatch(item -> item.get("pk").s().contains(id)), "nothing else of the account is left: " + left);
            assertTrue(left.stream().allMatch(item -> item.get("pk").s().startsWith("BUDGET#")),
                    "only Buildkite's budgets, which belong to the Buildkite user and expire unused: " + left);
        }
    }

    /** Lists of strings out of JSON arrays. */
    static final class ApiJsonLists {
        static List<String> strings(com.fasterxml.jackson.databind.JsonNode array) {
            List<String> values = new java.util.ArrayList<>();
            array.forEach(v -> values.add(v.asText()));
            return values;
        }
    }
}
