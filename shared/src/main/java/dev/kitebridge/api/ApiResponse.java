package dev.kitebridge.api;

import java.util.LinkedHashMap;
import java.util.Map;

/** An HTTP response: status, headers, and a JSON body. */
public record ApiResponse(int statusCode, Map<String, String> headers, String body) {

    public ApiResponse {
        headers = Map.copyOf(headers);
    }

    public static ApiResponse json(int status, Object body, Map<String, String> headers) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put("content-type", "application/json");
        return new ApiResponse(status, all, ApiJson.write(body));
    }
}
