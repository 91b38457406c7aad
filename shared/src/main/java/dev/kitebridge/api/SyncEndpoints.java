package dev.kitebridge.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import dev.kitebridge.contract.ApiError;
import dev.kitebridge.sync.SyncRunView;
import dev.kitebridge.sync.SyncService;

/**
 * {@code POST /sync-runs} (start one now, or answer the run under way), {@code GET /sync-runs} (an
 * account's runs, newest first, and when each kind of its data was last confirmed),
 * {@code GET /sync-runs/{id}} (its state and counts) and {@code GET /events} (an account's published
 * change events, in order).
 */
public final class SyncEndpoints {

    static final int DEFAULT_EVENTS = 100;
    static final int MAX_EVENTS = 500;

    private final SyncService syncs;

    public SyncEndpoints(SyncService syncs) {
        this.syncs = syncs;
    }

    /** {@code POST /sync-runs} */
    public ApiResponse startRun(ApiRequest request) {
        return ErrorFrame.answer(request, exchange -> {
            JsonBody body = JsonBody.parse(request.body(), Set.of("integrated_account_id", "allow_deletions"));
            SyncService.Started started = syncs.start(request.tenantId(), body.requiredString("integrated_account_id", RequestLimits.MAX_ID),
                    "api", Boolean.TRUE.equals(body.bool("allow_deletions")));
            // 202: the run is queued; 200: one was under way already, and that is the one to follow.
            return ApiResponse.json(started.created() ? 202 : 200, SyncRunView.of(started.run()), exchange.headers());
        });
    }

    /** {@code GET /sync-runs/{id}} */
    public ApiResponse getRun(ApiRequest request) {
        return ErrorFrame.answer(request, exchange -> ApiResponse.json(200,
                SyncRunView.of(syncs.run(request.tenantId(), request.pathParameter("id"))), exchange.headers()));
    }

    /**
     * {@code GET /sync-runs?integrated_account_id=…}: the account's runs, newest first, in the list
     * envelope (opaque {@code next_cursor}, {@code limit} 1 to 500), with the account's
     * {@code last_confirmed}: when each kind of its data was last confirmed by a completed run.
     */
    public ApiResponse listRuns(ApiRequest request) {
        return ErrorFrame.answer(request, exchange -> {
            Set<String> unknown = new java.util.TreeSet<>(request.query().keySet());
            unknown.removeAll(Set.of("integrated_account_id", "next_cursor", "limit"));
            if (!unknown.isEmpty()) {
                throw ApiError.invalidRequest("unknown query parameter " + unknown.iterator().next()
                        + " (sync runs take integrated_account_id, next_cursor and limit)");
            }
            String account = request.query().get("integrated_account_id");
            if (account == null || account.isBlank()) {
                throw ApiError.invalidRequest("integrated_account_id is required");
            }
            String cursor = request.query().get("next_cursor");
            SyncService.RunPage page = syncs.runs(request.tenantId(), account, cursor == null || cursor.isBlank() ? null : cursor,
                    limit(request));
            Map<String, Object> envelope = new LinkedHashMap<>();
            envelope.put("result", page.runs().stream().map(SyncRunView::of).toList());
            envelope.put("next_cursor", page.nextCursor());
            envelope.put("result_count", page.runs().size());
            envelope.put("last_confirmed", page.confirmed());
            return ApiResponse.json(200, envelope, exchange.headers());
        });
    }

    /** {@code GET /events} */
    public ApiResponse events(ApiRequest request) {
        return ErrorFrame.answer(request, exchange -> {
            Set<String> unknown = new java.util.TreeSet<>(request.query().keySet());
            unknown.removeAll(Set.of("integrated_account_id", "after", "limit"));
            if (!unknown.isEmpty()) {
                throw ApiError.invalidRequest("unknown query parameter " + unknown.iterator().next()
                        + " (events take integrated_account_id, after and limit)");
            }
            String account = request.query().get("integrated_account_id");
            if (account == null || account.isBlank()) {
                throw ApiError.invalidRequest("integrated_account_id is required");
            }
            SyncService.EventPage page = syncs.events(request.tenantId(), account, request.query().get("after"), limit(request));
            Map<String, Object> envelope = new LinkedHashMap<>();
            envelope.put("result", page.events());
            envelope.put("next_cursor", page.nextCursor());
            envelope.put("result_count", page.events().size());
            return ApiResponse.json(200, envelope, exchange.headers());
        });
    }

    private static int limit(ApiRequest request) {
        String given = request.query().get("limit");
        if (given == null) {
            return DEFAULT_EVENTS;
        }
        try {
            int limit = Integer.parseInt(given.trim());
            if (limit >= 1 && limit <= MAX_EVENTS) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiError.invalidRequest("limit must be a whole number from 1 to " + MAX_EVENTS + ", not '" + given + "'");
    }
}
