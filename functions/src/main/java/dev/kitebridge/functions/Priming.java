package dev.kitebridge.functions;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.api.ApiJson;
import dev.kitebridge.api.ApiRequest;
import dev.kitebridge.api.Application;
import dev.kitebridge.buildkite.BuildkiteJson;
import dev.kitebridge.buildkite.rest.OrganizationMember;
import dev.kitebridge.buildkite.rest.Team;
import dev.kitebridge.directory.model.UnifiedRole;

/**
 * Loads the request path before a SnapStart snapshot, so that a restored function does not spend
 * its first request on class loading: Buildkite's JSON read into its records, the unified records
 * written, each endpoint's refusal of a request without an account. Nothing here calls Buildkite,
 * reads or writes state, or logs a request line.
 */
final class Priming {

    private static final String MEMBER = """
            {"id":"0185c636-fcbf-4a6c-b49d-c4048e7b8aea","name":"Scout Finch","email":"scout@example.com","role":"admin",
             "sso_mode":"required"}""";
    private static final String TEAM = """
            {"id":"c5e09619-8648-4896-a936-9d0b8b7b3fe9","graphql_id":"VGVhbS0tLWM1ZTA5NjE5","name":"Platform","slug":"platform",
             "description":"Platform engineering","privacy":"visible","default":false,"default_member_role":"member",
             "created_at":"2023-03-14T00:45:16.215Z"}""";

    private Priming() {}

    static void prime(Application application) {
        try {
            JsonNode member = BuildkiteJson.MAPPER.readTree(MEMBER);
            BuildkiteJson.read(member, OrganizationMember.class);
            BuildkiteJson.read(BuildkiteJson.MAPPER.readTree(TEAM), Team.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the priming JSON is not JSON", e);
        }
        ApiJson.write(Map.of("result", UnifiedRole.CATALOG, "next_cursor", "", "result_count", UnifiedRole.CATALOG.size()));
        for (String resource : List.of("users", "groups", "roles", "organizations", "me")) {
            // Without integrated_account_id, each endpoint answers 400 before it opens an account.
            ApiRequest request = new ApiRequest("GET", "/unified/user-directory/" + resource, Map.of(), Map.of(), Map.of(), null,
                    "priming", "priming");
            switch (resource) {
                case "users" -> application.directory().users(request);
                case "groups" -> application.directory().groups(request);
                case "roles" -> application.directory().roles(request);
                case "organizations" -> application.directory().organizations(request);
                default -> application.directory().me(request);
            }
        }
        application.proxy().handle(new ApiRequest("GET", "/proxy/organizations", Map.of("path", "organizations"), Map.of(), Map.of(),
                null, "priming", "priming"));
    }
}
