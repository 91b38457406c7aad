package dev.kitebridge.api;

import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kitebridge.accounts.AccountsService;
import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.contract.ApiError;
import dev.kitebridge.contract.ApiJson;
import dev.kitebridge.sync.SyncService;

/**
 * {@code /integrated-accounts}: link (POST), list and get (GET), rotate or rename (PATCH), unlink
 * (DELETE). The token goes in, and never comes out: not in an answer, an error or a log line.
 */
public final class AccountsEndpoints {

    private static final int MAX_LABEL = 200;
    private static final int MAX_TOKEN = 2_048;

    private final AccountsService accounts;
    private final SyncService syncs;

    /** @param syncs what each account shows of its syncs: when each kind of its data was last confirmed */
    public AccountsEndpoints(AccountsService accounts, SyncService syncs) {
        this.accounts = accounts;
        this.syncs = syncs;
    }

    /** {@code POST /integrated-accounts}: links a token (checked with Buildkite first). */
    public ApiResponse link(ApiRequest request) {
        return ErrorFrame.answer(request, exchange -> {
            JsonBody body = JsonBody.parse(request.body(), Set.of("token", "label"));
            BuildkiteToken token = token(body.requiredString("token", MAX_TOKEN));
            return ApiResponse.json(201, json(accounts.link(request.tenantId(), token, body.string("label", MAX_LABEL))), exchange.headers());
        });
    }

    /** {@code GET /integrated-accounts} */
    public ApiResponse list(ApiRequest request) {
        return ErrorFrame.answer(request, exchange -> Responses.wholeList(
                accounts.list(request.tenantId()).stream().map(this::json).toList(), exchange.headers()));
    }

    /** {@code GET /integrated-accounts/{id}} */
    public ApiResponse get(ApiRequest request) {
        return ErrorFrame.answer(request, exchange -> ApiResponse.json(200,
                json(accounts.get(request.tenantId(), request.pathParameter("id"))), exchange.headers()));
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
            return ApiResponse.json(200, json(accounts.rotate(request.tenantId(), request.pathParameter("id"),
                    newToken == null ? null : token(newToken), newLabel)), exchange.headers());
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

    /** An account as the API shows it, with {@code last_confirmed} (see {@code GET /sync-runs}). */
    private ObjectNode json(AccountsService.View view) {
        ObjectNode json = view.json();
        json.set("last_confirmed", ApiJson.MAPPER.valueToTree(syncs.confirmed(view.account().id())));
        return json;
    }

    private static BuildkiteToken token(String value) {
        try {
            return BuildkiteToken.of(value.trim());
        } catch (IllegalArgumentException e) {
            throw ApiError.invalidRequest("token must be a Buildkite API access token: visible ASCII characters, without spaces");
        }
    }

}
