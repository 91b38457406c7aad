package dev.kitebridge.api;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.contract.ApiError;
import dev.kitebridge.contract.ApiJson;

/**
 * A request's JSON body, checked before anything is done: at most {@link #MAX_BYTES}, a JSON
 * object, no field the endpoint does not know, each field of the right type. Every failure names
 * the problem.
 */
public final class JsonBody {

    public static final int MAX_BYTES = 16 * 1024;

    private final JsonNode json;
    /** Where this object sits in the body ({@code groups[1].}), for messages. */
    private final String at;

    private JsonBody(JsonNode json, String at) {
        this.json = json;
        this.at = at;
    }

    public static JsonBody parse(String body, Set<String> fields) {
        if (body == null || body.isBlank()) {
            throw ApiError.invalidRequest("the request needs a JSON body with " + String.join(", ", new TreeSet<>(fields)));
        }
        if (body.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw ApiError.tooLarge("the request body is over " + MAX_BYTES + " bytes");
        }
        JsonNode json = ApiJson.readRequestBody(body);
        if (json == null || !json.isObject()) {
            throw ApiError.invalidRequest("the request body must be a JSON object");
        }
        return checked(json, fields, "");
    }

    private static JsonBody checked(JsonNode json, Set<String> fields, String at) {
        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!fields.contains(name)) {
                throw ApiError.invalidRequest("unknown field " + at + name + "; " + (at.isEmpty() ? "this request" : at
                        .substring(0, at.length() - 1)) + " takes " + String.join(", ", new TreeSet<>(fields)));
            }
        }
        return new JsonBody(json, at);
    }

    /** A field's name as messages give it, with where this object sits in the body. */
    public String path(String field) {
        return at + field;
    }

    /** A string field; null when absent; 400 when of another type or longer than {@code maxLength}. */
    public String string(String field, int maxLength) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw ApiError.invalidRequest(at + field + " must be a string");
        }
        if (!wellFormed(value.asText())) {
            throw ApiError.invalidRequest(at + field + " holds half of a surrogate pair (a \\u escape), which is no text");
        }
        if (value.asText().length() > maxLength) {
            throw ApiError.invalidRequest(at + field + " must be at most " + maxLength + " characters");
        }
        return value.asText();
    }

    public String requiredString(String field, int maxLength) {
        String value = string(field, maxLength);
        if (value == null || value.isBlank()) {
            throw ApiError.invalidRequest(at + field + " is required");
        }
        return value;
    }

    /** A string field that must be one of {@code allowed} (their keys); null when absent. */
    public <T> T oneOf(String field, Map<String, T> allowed) {
        String value = string(field, 100);
        if (value == null) {
            return null;
        }
        T found = allowed.get(value);
        if (found == null) {
            throw ApiError.invalidRequest(at + field + " must be one of " + String.join(", ", new TreeSet<>(allowed.keySet()))
                    + ", not '" + value + "'");
        }
        return found;
    }

    /** A boolean field; null when absent. */
    public Boolean bool(String field) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isBoolean()) {
            throw ApiError.invalidRequest(at + field + " must be true or false");
        }
        return value.booleanValue();
    }

    /** A required array of 1 to {@code maxItems} non-blank strings. */
    public List<String> strings(String field, int maxItems, int maxLength) {
        List<String> values = new ArrayList<>();
        JsonNode array = array(field, maxItems, true);
        for (int i = 0; i < array.size(); i++) {
            JsonNode value = array.get(i);
            if (!value.isTextual() || value.asText().isBlank() || value.asText().length() > maxLength || !wellFormed(value.asText())) {
                throw ApiError.invalidRequest(at + field + "[" + i + "] must be a non-blank string of at most " + maxLength
                        + " characters");
            }
            values.add(value.asText());
        }
        return values;
    }

    /** An optional array of at most {@code maxItems} strings (each non-blank); null when absent. */
    public List<String> optionalStrings(String field, int maxItems, int maxLength) {
        JsonNode value = json.get(field);
        return value == null || value.isNull() ? null : value.isArray() && value.isEmpty() ? List.of() : strings(field, maxItems, maxLength);
    }

    /** An optional array of at most {@code maxItems} objects, each with only {@code fields}. */
    public List<JsonBody> objects(String field, Set<String> fields, int maxItems) {
        List<JsonBody> values = new ArrayList<>();
        JsonNode array = array(field, maxItems, false);
        for (int i = 0; i < array.size(); i++) {
            String here = at + field + "[" + i + "].";
            if (!array.get(i).isObject()) {
                throw ApiError.invalidRequest(here.substring(0, here.length() - 1) + " must be an object");
            }
            values.add(checked(array.get(i), fields, here));
        }
        return values;
    }

    /**
     * Whether text has no lone surrogate: a JSON escape of half a pair (U+D800 to U+DFFF) makes one,
     * and UTF-8 cannot carry it, so Buildkite would be sent a "?" in its place.
     */
    private static boolean wellFormed(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private JsonNode array(String field, int maxItems, boolean required) {
        JsonNode array = json.get(field);
        if (array == null || array.isNull()) {
            if (required) {
                throw ApiError.invalidRequest(at + field + " is required");
            }
            return ApiJson.MAPPER.createArrayNode();
        }
        if (!array.isArray()) {
            throw ApiError.invalidRequest(at + field + " must be an array");
        }
        if (required && array.isEmpty()) {
            throw ApiError.invalidRequest(at + field + " must not be empty");
        }
        if (array.size() > maxItems) {
            throw ApiError.invalidRequest(at + field + " holds at most " + maxItems + " items");
        }
        return array;
    }

}
