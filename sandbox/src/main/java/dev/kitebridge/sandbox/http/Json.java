package dev.kitebridge.sandbox.http;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The sandbox's JSON: one mapper, and Buildkite's two timestamp formats. */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper();

    /** Buildkite's usual timestamps: ISO-8601 UTC with milliseconds. */
    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    /** The access-token endpoint's timestamps: {@code 2025-07-16 06:07:42 UTC}. */
    private static final DateTimeFormatter ACCESS_TOKEN =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private Json() {}

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    public static String timestamp(Instant instant) {
        return instant == null ? null : ISO_MILLIS.format(instant);
    }

    public static String accessTokenTimestamp(Instant instant) {
        return instant == null ? null : ACCESS_TOKEN.format(instant);
    }
}
