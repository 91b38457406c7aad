package dev.kitebridge.api;

import java.util.Map;
import java.util.Set;

import dev.kitebridge.accounts.AccountsService;
import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.directory.DirectoryException;

/**
 * {@code /integrated-accounts}: link (POST), list and get (GET), rotate or rename (PATCH), unlink
 * (DELETE). The token goes in, and never comes out: not in an answer, an error or a log line.
 */
public final class AccountsEndpoints {

    private static final int MAX_LABEL = 200;
    private static final int MAX_TOKEN = 2_048;

    private final AccountsService accounts;

    public AccountsEndpoints(AccountsService accounts) {
        this.accounts = accounts;
    }

    public ApiResponse handle(ApiRequest request) {
        return Responses.forTenant(request, headers -> {
            String id = request.pathParameter("id");
            String tenant = request.tenantId();
            return switch (request.method() + (id == null ? "" : " id")) {
                case "POST" -> {
                    JsonBody body = JsonBody.parse(request.body(), Set.of("token", "label"));
                    BuildkiteToken token = token(body.requiredString("token", MAX_TOKEN));
                    yield ApiResponse.json(201, accounts.link(tenant, token, body.string("label", MAX_LABEL)).json(), headers);
                }
                case "GET" -> Responses.wholeList(accounts.list(tenant).stream().map(AccountsService.View::json).toList(), headers);
                case "GET id" -> ApiResponse.json(200, accounts.get(tenant, id).json(), headers);
                case "PATCH id" -> {
                    JsonBody body = JsonBody.parse(request.body(), Set.of("token", "label"));
                    String newToken = body.string("token", MAX_TOKEN);
                    String newLabel = body.string("label", MAX_LABEL);
                    if (newToken == null && newLabel == null) {
                        throw DirectoryException.invalidRequest("a PATCH changes the token, the label, or both (null changes neither)");
                    }
                    yield ApiResponse.json(200, accounts.rotate(tenant, id, newToken == null ? null : token(newToken), newLabel).json(),
                            headers);
                }
                case "DELETE id" -> {
                    accounts.unlink(tenant, id);
                    yield ApiResponse.json(200, Map.of("id", id), headers);
                }
                default -> Responses.error(405, "method_not_allowed", request.method() + " is not allowed here", request, headers, Map.of());
            };
        });
    }

    private static BuildkiteToken token(String value) {
        try {
            return BuildkiteToken.of(value.trim());
        } catch (IllegalArgumentException e) {
            throw DirectoryException.invalidRequest("token must be a Buildkite API access token: visible ASCII characters, without spaces");
        }
    }

}
