package dev.kitebridge.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.kitebridge.VirtualTime;
import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.api.ApiRequest;
import dev.kitebridge.api.ApiResponse;
import dev.kitebridge.app.Application;
import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Population;

/**
 * Proxy calls and directory calls for one account, at once, under Buildkite's per-user REST limit:
 * they draw from one budget, so Buildkite never answers 429, across several windows.
 */
class MixedLoadTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void proxyAndDirectoryShareOneBudget() throws Exception {
        // On a clock that moves only when someone waits: the outcome does not depend on the machine's speed.
        VirtualTime time = new VirtualTime();
        try (Sandbox sandbox = time.sandbox().population(Population.of(1_000, 5)).limits(RateLimits.BUILDKITE).start()) {
            Application app = Application.create(Application.Wiring.builder()
                    .governor(time.governor())
                    .buildkite(new BuildkiteAccess.Endpoints(URI.create(sandbox.restUrl()), URI.create(sandbox.graphqlUrl())))
                    .time(time)
                    .build());
            String account = app.accountsService().link("t", BuildkiteToken.of(sandbox.token()), "sandbox").account().id();
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                List<Future<Integer>> walks = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    walks.add(pool.submit(() -> walk(time, account, query -> app.proxy().rest(new ApiRequest("GET",
                            "/proxy/organizations/acme/members", Map.of("path", "organizations/acme/members"), query, Map.of(), null, "p", "t")),
                            Map.of("per_page", "50"))));
                }
                for (int i = 0; i < 2; i++) {
                    walks.add(pool.submit(() -> walk(time, account, query -> app.directory().listUsers(new ApiRequest("GET",
                            "/unified/user-directory/users", Map.of(), query, Map.of(), null, "d", "t")), Map.of("limit", "100"))));
                }
                for (int i = 0; i < walks.size(); i++) {
                    assertEquals(i < 4 ? 1_000 : 1_010, walks.get(i).get(), "walk " + i + " got everything");
                }
            } finally {
                pool.shutdownNow();
            }
            long rest = sandbox.journal().count(e -> !e.isGraphql());
            assertTrue(rest > 2L * RateLimits.BUILDKITE.restPerUser(), "the load needed several windows: " + rest + " REST requests");
            assertEquals(0, sandbox.journal().rateLimited(), "Buildkite never refused");
        }
    }

    /** Walks a list to its end, waiting as 429 answers say. */
    private static int walk(VirtualTime time, String account, Function<Map<String, String>, ApiResponse> call, Map<String, String> first) throws Exception {
        int records = 0;
        String cursor = null;
        while (true) {
            Map<String, String> query = new HashMap<>(first);
            query.put("integrated_account_id", account);
            if (cursor != null) {
                query.put("next_cursor", cursor);
            }
            ApiResponse response = call.apply(query);
            if (response.statusCode() == 429) {
                time.sleep(Duration.ofSeconds(Long.parseLong(response.headers().get("retry-after"))));
                continue;
            }
            assertEquals(200, response.statusCode(), response.body());
            JsonNode page = JSON.readTree(response.body());
            records += page.get("result").size();
            if (page.get("next_cursor").isNull()) {
                return records;
            }
            cursor = page.get("next_cursor").asText();
        }
    }
}
