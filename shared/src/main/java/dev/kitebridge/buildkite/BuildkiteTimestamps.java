package dev.kitebridge.buildkite;

import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;

/**
 * Buildkite's two timestamp formats: ISO-8601 ({@code 2023-03-14T00:45:16.215Z}) nearly everywhere,
 * and {@code 2025-07-16 06:07:42 UTC} from the access-token endpoint.
 */
public final class BuildkiteTimestamps {

    private static final DateTimeFormatter ACCESS_TOKEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private BuildkiteTimestamps() {}

    /** Parses either format; null or blank is null. */
    public static Instant parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String trimmed = text.trim();
        try {
            return OffsetDateTime.parse(trimmed).toInstant();
        } catch (DateTimeParseException notIso) {
            try {
                return ACCESS_TOKEN.parse(trimmed, Instant::from);
            } catch (DateTimeParseException notAccessToken) {
                throw new IllegalArgumentException("not a Buildkite timestamp: " + trimmed);
            }
        }
    }

    /** Lets Jackson read both formats into {@link Instant}. */
    static final class InstantDeserializer extends StdScalarDeserializer<Instant> {
        InstantDeserializer() {
            super(Instant.class);
        }

        @Override
        public Instant deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            String text = parser.getValueAsString();
            try {
                return parse(text);
            } catch (IllegalArgumentException e) {
                return (Instant) context.handleWeirdStringValue(Instant.class, text, e.getMessage());
            }
        }
    }
}
