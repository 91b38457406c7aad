package dev.kitebridge.functions;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.api.ApiRequest;
import dev.kitebridge.api.ApiResponse;
import dev.kitebridge.api.HttpApiEvents;
import dev.kitebridge.api.Routes;
import dev.kitebridge.app.Application;
import dev.kitebridge.buildkite.BuildkiteJson;
import dev.kitebridge.buildkite.rest.OrganizationMember;
import dev.kitebridge.buildkite.rest.Team;
import dev.kitebridge.contract.ApiJson;
import dev.kitebridge.directory.model.UnifiedRole;

/**
 * Runs the request path before a SnapStart snapshot, so that a restored function does not spend
 * its first request on class loading: Buildkite's JSON read into its records, the unified records
 * written, and each main route's request through the handlers' gate as API Gateway sends it, for
 * an account that no tenant has: the endpoint checks the request, reads the state for the account
 * (which also starts the state's client) and answers 404. Nothing here calls Buildkite, writes state
 * or prints a request line.
 */
final class Priming {

    private static final String MEMBER_ID = "0185c636-fcbf-4a6c-b49d-c4048e7b8aea";
    private static final String MEMBER = """
            {"id":"0185c636-fcbf-4a6c-b49d-c4048e7b8aea","name":"Scout Finch","email":"scout@example.com","role":"admin",
             "sso_mode":"required"}""";
    private static final String TEAM_ID = "c5e09619-8648-4896-a936-9d0b8b7b3fe9";
    private static final String TEAM = """
            {"id":"c5e09619-8648-4896-a936-9d0b8b7b3fe9","graphql_id":"VGVhbS0tLWM1ZTA5NjE5","name":"Platform","slug":"platform",
             "description":"Platform engineering","privacy":"visible","default":false,"default_member_role":"member",
             "created_at":"2023-03-14T00:45:16.215Z"}""";
    /** No link draws this id (links draw "acct_" and 32 hex digits), so every route stops at its 404. */
    static final String NO_ACCOUNT = "acct_priming";
    static final String TENANT = "priming";

    private Priming() {}

    /** One route's request: its route key, path, path parameters, and the endpoint its function answers it with. */
    record Route(String key, String path, Map<String, String> pathParameters, Function<ApiRequest, ApiResponse> endpoint) {}

    static void prime(Application application) {
        try {
            JsonNode member = BuildkiteJson.MAPPER.readTree(MEMBER);
            BuildkiteJson.read(member, OrganizationMember.class);
            BuildkiteJson.read(BuildkiteJson.MAPPER.readTree(TEAM), Team.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the priming JSON is not JSON", e);
        }
        ApiJson.write(Map.of("result", UnifiedRole.CATALOG, "next_cursor", "", "result_count", UnifiedRole.CATALOG.size()));
        for (Route route : routes(application)) {
            HttpApiEvents.prime(event(route), route.endpoint());
        }
    }

    /** The functions' reads; no write, which primed by mistake against a real account would change a customer's Buildkite. */
    static List<Route> routes(Application application) {
        String directory = "/unified/user-directory";
        Routes routes = application.routes();
        return List.of(
                route(routes, "GET /unified/user-directory/users", directory + "/users", Map.of()),
                route(routes, "GET /unified/user-directory/users/{id}", directory + "/users/" + MEMBER_ID, Map.of("id", MEMBER_ID)),
                route(routes, "GET /unified/user-directory/groups", directory + "/groups", Map.of()),
                route(routes, "GET /unified/user-directory/groups/{id}", directory + "/groups/" + TEAM_ID, Map.of("id", TEAM_ID)),
                route(routes, "GET /unified/user-directory/roles", directory + "/roles", Map.of()),
                route(routes, "GET /unified/user-directory/organizations", directory + "/organizations", Map.of()),
                route(routes, "GET /unified/user-directory/me", directory + "/me", Map.of()),
                route(routes, "ANY /proxy/{path+}", "/proxy/organizations", Map.of("path", "organizations")),
                route(routes, "GET /integrated-accounts/{id}", "/integrated-accounts/" + NO_ACCOUNT, Map.of("id", NO_ACCOUNT)));
    }

    private static Route route(Routes routes, String key, String path, Map<String, String> pathParameters) {
        return new Route(key, path, pathParameters, routes.endpoint(key));
    }

    private static APIGatewayV2HTTPEvent event(Route route) {
        return APIGatewayV2HTTPEvent.builder()
                .withRouteKey(route.key())
                .withRawPath(route.path())
                .withPathParameters(route.pathParameters())
                .withQueryStringParameters(Map.of("integrated_account_id", NO_ACCOUNT))
                .withHeaders(Map.of())
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withRequestId("priming")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("GET").build())
                        .withAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                                .withLambda(Map.of(HttpApiEvents.TENANT_KEY, TENANT)).build())
                        .build())
                .build();
    }
}
