package dev.kitebridge.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import dev.kitebridge.contract.ApiError;

/**
 * The HTTP API's one routes table: each route key exactly as template.yaml declares it (and as
 * API Gateway puts it in the event's {@code routeKey}), and the one endpoint method that answers it.
 * Every HTTP function dispatches through it, in AWS and in the dev server alike; a test checks that
 * the table and template.yaml name the same routes.
 */
public final class Routes {

    /** An endpoint: one route's request to its answer. */
    public interface Endpoint extends Function<ApiRequest, ApiResponse> {}

    /** The route of the health check, answered by a function that builds nothing (see {@link #health}). */
    public static final String HEALTH = "GET /health";

    private final Map<String, Endpoint> table = new LinkedHashMap<>();

    public Routes(DirectoryEndpoints directory, WriteEndpoints writes, AccountsEndpoints accounts, ProxyEndpoints proxy, SyncEndpoints sync,
           WebhookEndpoints webhooks, ConnectEndpoints connect, ConnectPages pages) {
        route("POST /integrated-accounts", accounts::link);
        route("GET /integrated-accounts", accounts::list);
        route("GET /integrated-accounts/{id}", accounts::get);
        route("PATCH /integrated-accounts/{id}", accounts::update);
        route("DELETE /integrated-accounts/{id}", accounts::unlink);

        route("POST /connect-sessions", connect::createSession);
        route("GET /connect-settings", connect::getSettings);
        route("PUT /connect-settings", connect::putSettings);
        route("GET /connect/{session}", pages::show);
        route("POST /connect/{session}", pages::submit);

        route("GET /unified/user-directory/users", directory::listUsers);
        route("GET /unified/user-directory/users/{id}", directory::getUser);
        route("POST /unified/user-directory/users", writes::inviteUsers);
        route("PATCH /unified/user-directory/users/{id}", writes::changeUserRole);
        route("DELETE /unified/user-directory/users/{id}", writes::removeUser);

        route("GET /unified/user-directory/groups", directory::listGroups);
        route("GET /unified/user-directory/groups/{id}", directory::getGroup);
        route("POST /unified/user-directory/groups", writes::createGroup);
        route("PATCH /unified/user-directory/groups/{id}", writes::updateGroup);
        route("DELETE /unified/user-directory/groups/{id}", writes::deleteGroup);
        route("POST /unified/user-directory/groups/add-user", writes::addUserToGroup);
        route("POST /unified/user-directory/groups/remove-user", writes::removeUserFromGroup);

        route("GET /unified/user-directory/roles", directory::listRoles);
        route("GET /unified/user-directory/roles/{id}", directory::getRole);
        route("GET /unified/user-directory/organizations", directory::listOrganizations);
        route("GET /unified/user-directory/organizations/{id}", directory::getOrganization);
        route("GET /unified/user-directory/me", directory::me);

        route("POST /proxy/graphql", proxy::graphql);
        route("ANY /proxy/{path+}", proxy::rest);

        route("POST /sync-runs", sync::startRun);
        route("GET /sync-runs", sync::listRuns);
        route("GET /sync-runs/{id}", sync::getRun);
        route("GET /events", sync::events);

        route("POST /webhooks", webhooks::subscribe);
        route("GET /webhooks", webhooks::list);
        route("GET /webhooks/{id}", webhooks::get);
        route("DELETE /webhooks/{id}", webhooks::unsubscribe);
        route("POST /webhooks/{id}/replay", webhooks::replay);

        route(HEALTH, Routes::health);
    }

    /** A table of these routes only: for a test of some endpoints. */
    Routes(Map<String, Endpoint> routes) {
        routes.forEach(this::route);
    }

    private void route(String key, Endpoint endpoint) {
        if (table.putIfAbsent(key, endpoint) != null) {
            throw new IllegalStateException("route " + key + " is in the table twice");
        }
    }

    /** Every route key in the table. */
    public Set<String> keys() {
        return table.keySet();
    }

    /** The endpoint of a route key. */
    public Endpoint endpoint(String key) {
        Endpoint endpoint = table.get(key);
        if (endpoint == null) {
            throw new IllegalArgumentException("no route " + key + " in the table");
        }
        return endpoint;
    }

    /**
     * Answers a request with its route's endpoint. API Gateway sends only the routes it has, so a
     * key not in the table came some other way (a direct invocation, a test): 405 if its path is a
     * route's with another method, else 404.
     */
    public ApiResponse answer(ApiRequest request) {
        Endpoint endpoint = request.routeKey() == null ? null : table.get(request.routeKey());
        if (endpoint != null) {
            return endpoint.apply(request);
        }
        String path = request.routeKey() == null ? null : request.routeKey().substring(request.routeKey().indexOf(' ') + 1);
        boolean otherMethod = path != null && table.keySet().stream().anyMatch(key -> key.endsWith(" " + path));
        ApiError refused = otherMethod
                ? ApiError.methodNotAllowed(request.method() + " is not allowed on " + request.path())
                : ApiError.notFound("no route " + request.routeKey());
        return ErrorFrame.failure(refused, null, request, new Exchange(request).headers());
    }

    /**
     * {@code GET /health}: the API and its functions answer. It reads no state, so its function
     * answers it without building the application, and a probe costs nothing.
     */
    public static ApiResponse health(ApiRequest request) {
        return new ApiResponse(200, Map.of("content-type", "application/json", "cache-control", "no-store"), "{\"status\":\"ok\"}");
    }
}
