package dev.kitebridge.sandbox.http;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;

/** An HTTP answer: status, headers and a body (empty for 204). */
public record Reply(int status, Map<String, String> headers, byte[] body) {

    public static Reply json(int status, Object body) {
        try {
            return new Reply(status, new LinkedHashMap<>(), Json.MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render a sandbox answer", e);
        }
    }

    public static Reply noContent() {
        return new Reply(204, new LinkedHashMap<>(), new byte[0]);
    }

    /** A Buildkite REST error: {@code {"message": ...}}. */
    public static Reply message(int status, String message) {
        return json(status, Map.of("message", message));
    }

    public Reply withHeader(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.put(name, value);
        return new Reply(status, copy, body);
    }

    public Reply withHeaders(Map<String, String> more) {
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.putAll(more);
        return new Reply(status, copy, body);
    }

    /** The same answer with its body cut in half, as a broken proxy might deliver it. */
    public Reply truncated() {
        byte[] cut = java.util.Arrays.copyOf(body, body.length / 2);
        return new Reply(status, headers, cut);
    }

}
