package dev.kitebridge.directory;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.VirtualTime;
import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.access.IntegratedAccount;
import dev.kitebridge.api.ApiRequest;
import dev.kitebridge.api.ApiResponse;
import dev.kitebridge.api.DirectoryEndpoints;
import dev.kitebridge.app.Application;
import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.buildkite.ratelimit.InMemoryRateLimitGovernor;
import dev.kitebridge.buildkite.ratelimit.RateLimitGovernor;
import dev.kitebridge.contract.ApiJson;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.state.memory.InMemoryAccountStore;
import dev.kitebridge.state.memory.InMemoryTokenVault;
import dev.kitebridge.time.TimeSource;

/** The directory's endpoints on in-memory state, with one integrated account linked to a sandbox. */
final class DirectoryFixture {

    static final String TENANT = "tenant-1";
    static final String ACCOUNT = "acct-1";

    final Sandbox sandbox;
    final DirectoryEndpoints endpoints;
    final InMemoryAccountStore accounts = new InMemoryAccountStore();
    final InMemoryTokenVault tokens = new InMemoryTokenVault();
    /** Hears every page a walk asks for. */
    java.util.function.Consumer<Answer> walkListener = answer -> { };

    final TimeSource time;

    DirectoryFixture(Sandbox sandbox) {
        this(sandbox, TimeSource.scaled(sandbox.clock().scale()), new InMemoryRateLimitGovernor());
    }

    /** On {@code time}, the sandbox's clock too: a virtual one for tests that pace on Buildkite's budgets. */
    DirectoryFixture(Sandbox sandbox, VirtualTime time) {
        this(sandbox, time, time.governor());
    }

    private DirectoryFixture(Sandbox sandbox, TimeSource time, RateLimitGovernor governor) {
        this.sandbox = sandbox;
        this.time = time;
        accounts.create(new IntegratedAccount(ACCOUNT, TENANT, "sandbox", IntegratedAccount.Status.ACTIVE, List.of(), List.of(),
                null, Instant.now(), "user:local", null, 0));
        tokens.put(ACCOUNT, BuildkiteToken.of(sandbox.token()));
        accounts.create(new IntegratedAccount("acct-other", "tenant-2", "someone else's", IntegratedAccount.Status.ACTIVE,
                List.of(), List.of(), null, Instant.now(), "user:local", null, 0));
        tokens.put("acct-other", BuildkiteToken.of(sandbox.token()));
        endpoints = Application.create(Application.Wiring.builder()
                .accounts(accounts)
                .tokens(tokens)
                .governor(governor)
                .buildkite(new BuildkiteAccess.Endpoints(URI.create(sandbox.restUrl()), URI.create(sandbox.graphqlUrl())))
                .time(time)
                .build()).directory();
    }

    /** A GET of a resource ({@code users}, {@code groups}…), with an id or none, as tenant-1 on acct-1. */
    Answer get(String resource, String id, Map<String, String> query) {
        Map<String, String> all = new HashMap<>(query);
        all.putIfAbsent("integrated_account_id", ACCOUNT);
        all.values().removeIf(v -> v == null);
        return call(resource, id, all, TENANT);
    }

    Answer call(String resource, String id, Map<String, String> query, String tenant) {
        ApiRequest request = new ApiRequest("GET", "/unified/user-directory/" + resource + (id == null ? "" : "/" + id),
                id == null ? Map.of() : Map.of("id", id), query, Map.of(), null, "req-test", tenant);
        ApiResponse response = switch (resource + (id == null ? "" : "/{id}")) {
            case "users" -> endpoints.listUsers(request);
            case "users/{id}" -> endpoints.getUser(request);
            case "groups" -> endpoints.listGroups(request);
            case "groups/{id}" -> endpoints.getGroup(request);
            case "roles" -> endpoints.listRoles(request);
            case "roles/{id}" -> endpoints.getRole(request);
            case "organizations" -> endpoints.listOrganizations(request);
            case "organizations/{id}" -> endpoints.getOrganization(request);
            case "me" -> endpoints.me(request);
            default -> throw new IllegalArgumentException(resource);
        };
        try {
            return new Answer(response.statusCode(), response.headers(), ApiJson.MAPPER.readTree(response.body()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Every record of a list, following next_cursor; pages answering 429 are retried after their Retry-After. */
    List<JsonNode> walk(String resource, Map<String, String> query) {
        List<JsonNode> all = new ArrayList<>();
        String cursor = null;
        while (true) {
            Map<String, String> page = new HashMap<>(query);
            if (cursor != null) {
                page.put("next_cursor", cursor);
            }
            Answer answer = get(resource, null, page);
            walkListener.accept(answer);
            if (answer.status() == 429) {
                sleepBuildkiteSeconds(Long.parseLong(answer.headers().get("retry-after")));
                continue;
            }
            if (answer.status() != 200) {
                throw new AssertionError("page answered " + answer.status() + ": " + answer.body());
            }
            answer.body().get("result").forEach(all::add);
            if (answer.body().get("next_cursor").isNull()) {
                return all;
            }
            cursor = answer.body().get("next_cursor").asText();
        }
    }

    void sleepBuildkiteSeconds(long seconds) {
        try {
            time.sleep(java.time.Duration.ofSeconds(seconds));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    record Answer(int status, Map<String, String> headers, JsonNode body) {}
}
