package dev.kitebridge.buildkite;

import java.time.Instant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;

/**
 * The JSON mapper for Buildkite's answers: unknown fields ignored (Buildkite adds fields), enums
 * in either case (REST is lowercase, GraphQL uppercase), unknown enum values as null, and both
 * timestamp formats.
 */
public final class BuildkiteJson {

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .addModule(new SimpleModule("buildkite-timestamps")
                    .addDeserializer(Instant.class, new BuildkiteTimestamps.InstantDeserializer()))
            .build();

    private BuildkiteJson() {}

    /** Reads one of Buildkite's objects; one this client cannot read is Buildkite failing, not the caller. */
    public static <T> T read(JsonNode json, Class<T> type) {
        try {
            return MAPPER.treeToValue(json, type);
        } catch (JsonProcessingException e) {
            throw new BuildkiteException.Unavailable(200, "Buildkite sent a " + type.getSimpleName()
                    + " this client cannot read: " + e.getOriginalMessage(), null);
        }
    }

    /** A request body. */
    public static byte[] write(Object body) {
        try {
            return MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write a request body for Buildkite", e);
        }
    }
}
