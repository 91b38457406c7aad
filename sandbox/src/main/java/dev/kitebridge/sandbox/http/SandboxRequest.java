package dev.kitebridge.sandbox.http;

import java.util.List;
import java.util.Map;

/** An HTTP request as the sandbox's routes see it. */
public record SandboxRequest(String method, String path, Map<String, List<String>> query, byte[] body, String bearer) {

    @Override
    public String toString() {
        return "SandboxRequest[" + method + " " + path + "]";
    }

    /** The first value of a query parameter, or null. */
    public String query(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
