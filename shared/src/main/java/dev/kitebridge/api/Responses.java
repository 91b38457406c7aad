package dev.kitebridge.api;

import java.util.LinkedHashMap;
import java.util.Map;

/** The contract's error answer: {@code {"statusCode", "error", "message", "request_id", "details"?}}. */
final class Responses {

    private Responses() {}

    static ApiResponse error(int status, String code, String message, ApiRequest request, Map<String, String> headers,
                             Map<String, Object> details) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("statusCode", status);
        body.put("error", code);
        body.put("message", message);
        body.put("request_id", request.requestId());
        if (!details.isEmpty()) {
            body.put("details", details);
        }
        return ApiResponse.json(status, body, headers);
    }
}
