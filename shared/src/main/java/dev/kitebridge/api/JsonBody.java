package dev.kitebridge.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.directory.DirectoryException;

/**
 * A request's JSON body, checked before anything is done: at most {@link #MAX_BYTES}, a JSON
 * object, no field the endpoint does not know, each field of the right type. Every failure names
 * the problem.
 */
public final class JsonBody {

    public static final int MAX_BYTES = 16 * 1024;

    private final JsonNode json;

    private JsonBody(JsonNode json) {
        this.json = json;
    }

    public static JsonBody parse(String body, Set<String> fields) {
        if (body == null || body.isBlank()) {
            throw DirectoryException.invalidRequest("the request needs a JSON body with " + String.join(", ", new TreeSet<>(fields)));
        }
        if (body.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw DirectoryException.tooLarge("the request body is over " + MAX_BYTES + " bytes");
        }
        JsonNode json;
        try {
            json = ApiJson.MAPPER.readTree(body);
        } catch (IOException e) {
            throw DirectoryException.invalidRequest("the request body is not valid JSON");
        }
        if (json == null || !json.isObject()) {
            throw DirectoryException.invalidRequest("the request body must be a JSON object");
        }
        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!fields.contains(name)) {
                throw DirectoryException.invalidRequest("unknown field " + name + "; this request takes " + String.join(", ", new TreeSet<>(fields)));
            }
        }
        return new JsonBody(json);
    }

    /** A string field; null when absent; 400 when of another type or longer than {@code maxLength}. */
    public String string(String field, int maxLength) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw DirectoryException.invalidRequest(field + " must be a string");
        }
        if (value.asText().length() > maxLength) {
            throw DirectoryException.invalidRequest(field + " must be at most " + maxLength + " characters");
        }
        return value.asText();
    }

    public String requiredString(String field, int maxLength) {
        String value = string(field, maxLength);
        if (value == null || value.isBlank()) {
            throw DirectoryException.invalidRequest(field + " is required");
        }
        return value;
    }

}
