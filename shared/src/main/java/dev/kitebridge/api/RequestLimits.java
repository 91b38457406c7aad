package dev.kitebridge.api;

import dev.kitebridge.contract.ApiError;

/**
 * The longest values the parameters every route shares may take, checked at the gate before any
 * endpoint reads them: an id longer than any this API issues cannot name anything, and would
 * make a DynamoDB key longer than the table takes (a sort key is at most 1,024 bytes, a partition
 * key 2,048). Limits count UTF-16 characters, at most 3 bytes each in UTF-8, so 200 of them fit
 * any key they go into, with its prefix.
 */
final class RequestLimits {

    /** An id in a path ({@code {id}}) or {@code integrated_account_id}; the bodies' ids take the same. */
    static final int MAX_ID = 200;
    /** {@code after} on {@code /events}: a cursor this API gave is about 120 characters. */
    static final int MAX_EVENTS_CURSOR = 512;

    private RequestLimits() {}

    /** @throws ApiError 400 naming the first parameter over its limit */
    static void check(ApiRequest request) {
        atMost("id", request.pathParameter("id"), MAX_ID);
        atMost("integrated_account_id", request.query().get("integrated_account_id"), MAX_ID);
        atMost("after", request.query().get("after"), MAX_EVENTS_CURSOR);
    }

    private static void atMost(String name, String value, int limit) {
        if (value != null && value.length() > limit) {
            throw ApiError.invalidRequest(name + " must be at most " + limit + " characters (it has " + value.length() + ")");
        }
    }
}
