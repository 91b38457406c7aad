package dev.kitebridge.api;

import java.util.Map;
import java.util.Set;

import dev.kitebridge.accounts.AccountsService;
import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.contract.ApiError;

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

    /** {@code POST /integrated-accounts}: links a token (checked with Buildkite first). */
    public ApiResponse link(ApiRequest request) {
        return ErrorFrame.answer(request, exchange -> {
            JsonBody body = JsonBody.parse(request.body(), Set.of("token", "label"));
            BuildkiteToken token = token(body.requiredString("token", MAX_TOKEN));
            return ApiResponse.json(201, accounts.link(request.tenantId(), token, body.string("label", MAX_LABEL)).json(), exchange.headers());
        });
    }

    /** {@code GET /integrated-accounts} */
    public ApiResponse list(ApiRequest request) {
        return ErrorFrame.answer(request, exchange -> Responses.wholeList(
                accounts.list(request.tenantId()).stream().map(AccountsService.View::json).toList(), exchange.headers()));
    }

    /** {@code GET /integrated-accounts/{id}} */
    public ApiResponse get(ApiRequest request) {
        return ErrorFrame.answer(request, exchange -> ApiResponse.json(200,
                accounts.get(request.tenantId(), request.pathParameter("id")).json(), exchange.headers()));
    }

    /** {@code PATCH /integrated-accounts/{id}}: a new token, a new label, or both. */
    public ApiResponse update(ApiRequest request) {
        return ErrorFrame.answer(request, exchange -> {
            JsonBody body = JsonBody.parse(request.body(), Set.of("token", "label"));
            String newToken = body.string("token", MAX_TOKEN);
            String newLabel = body.string("label", MAX_LABEL);
            if (newToken == null && newLabel == null) {
                throw ApiError.invalidRequest("a PATCH changes the token, the label, or both (null changes neither)");
            }
            return ApiResponse.json(200, accounts.rotate(request.tenantId(), request.pathParameter("id"),
                    newToken == null ? null : token(newToken), newLabel).json(), exchange.headers());
        });
    }

    /** {@code DELETE /integrated-accounts/{id}} */
    public ApiResponse unlink(ApiRequest request) {
        return ErrorFrame.answer(request, exchange -> {
            String id = request.pathParameter("id");
            accounts.unlink(request.tenantId(), id);
            return ApiResponse.json(200, Map.of("id", id), exchange.headers());
        });
    }

    private static BuildkiteToken token(String value) {
        try {
            return BuildkiteToken.of(value.trim());
        } catch (IllegalArgumentException e) {
            throw ApiError.invalidRequest("token must be a Buildkite API access token: visible ASCII characters, without spaces");
        }
    }

}
