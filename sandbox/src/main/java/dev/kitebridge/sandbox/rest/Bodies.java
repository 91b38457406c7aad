package dev.kitebridge.sandbox.rest;

import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.sandbox.model.Refusal;

/** Reading REST request bodies the way Buildkite validates them: a bad value is a 422 naming the field. */
final class Bodies {

    private Bodies() {}

    /** A lowercase enum value ({@code "admin"}, {@code "secret"}); null when the field is absent. */
    static <E extends Enum<E>> E enumField(JsonNode body, String field, Class<E> type) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        try {
            return Enum.valueOf(type, value.asText().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw Refusal.invalid("Validation failed: " + humanize(field) + " is not included in the list");
        }
    }

    static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    static Boolean bool(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isBoolean()) {
            throw Refusal.invalid("Validation failed: " + humanize(field) + " must be true or false");
        }
        return value.booleanValue();
    }

    /** Rails's field names in messages: {@code sso_mode} becomes "Sso mode". */
    static String humanize(String field) {
        String words = field.replace('_', ' ');
        return Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }
}
