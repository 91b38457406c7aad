package dev.kitebridge.api;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.kitebridge.contract.ApiJson;

/** An HTTP response: status, headers, and a body (JSON; HTML for the connect page). */
public record ApiResponse(int statusCode, Map<String, String> headers, String body) {

    public ApiResponse {
        headers = Map.copyOf(headers);
    }

    public static ApiResponse json(int status, Object body, Map<String, String> headers) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put("content-type", "application/json");
        return new ApiResponse(status, all, ApiJson.write(body));
    }

    public static ApiResponse html(int status, String html, Map<String, String> headers) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put("content-type", "text/html; charset=utf-8");
        return new ApiResponse(status, all, html);
    }

    /** 303 See Other: after a form's post, the browser GETs {@code location}. */
    public static ApiResponse seeOther(String location, Map<String, String> headers) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put("location", location);
        return new ApiResponse(303, all, "");
    }
}
