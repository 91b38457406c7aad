package dev.kitebridge.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import dev.kitebridge.accounts.AccountsService;
import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.directory.DirectoryException;
import dev.kitebridge.state.IntegratedAccount;

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
                    yield ApiResponse.json(201, view(accounts.link(tenant, token, body.string("label", MAX_LABEL))), headers);
                }
                case "GET" -> Responses.wholeList(accounts.list(tenant).stream().map(AccountsEndpoints::view).toList(), headers);
                case "GET id" -> ApiResponse.json(200, view(accounts.get(tenant, id)), headers);
                case "PATCH id" -> {
                    JsonBody body = JsonBody.parse(request.body(), Set.of("token", "label"));
                    String newToken = body.string("token", MAX_TOKEN);
                    String newLabel = body.string("label", MAX_LABEL);
                    if (newToken == null && newLabel == null) {
                        throw DirectoryException.invalidRequest("a PATCH changes the token, the label, or both (null changes neither)");
                    }
                    yield ApiResponse.json(200, view(accounts.rotate(tenant, id, newToken == null ? null : token(newToken), newLabel)),
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

    static Map<String, Object> view(AccountsService.View view) {
        IntegratedAccount account = view.account();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", account.id());
        json.put("label", account.label());
        json.put("status", account.status() == IntegratedAccount.Status.ACTIVE ? "active" : "needs_reauth");
        json.put("scopes", account.scopes());
        json.put("missing_scopes", view.missingScopes());
        json.put("organizations", account.organizations().stream()
                .map(o -> Map.of("id", o.id(), "slug", o.slug(), "name", o.name())).toList());
        json.put("token_expires_at", account.tokenExpiresAt() == null ? null : account.tokenExpiresAt().toString());
        json.put("created_at", account.createdAt().toString());
        return json;
    }

}
