package dev.kitebridge.contract;

import java.io.IOException;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;


/**
 * The API's JSON: snake_case fields, ISO-8601 UTC timestamps, nulls written out; a field given
 * twice is refused when read, since which of the two counts is up to each reader.
 */
public final class ApiJson {

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private static final ObjectReader LENIENT = MAPPER.reader().without(StreamReadFeature.STRICT_DUPLICATE_DETECTION);

    private ApiJson() {}

    /**
     * A request's JSON body as a tree (a missing node for blank text).
     *
     * @throws ApiError 400: not JSON, or naming the field it gives twice
     */
    public static JsonNode readRequestBody(String body) {
        try {
            return MAPPER.readTree(body);
        } catch (StreamReadException e) {
            throw ApiError.invalidRequest(duplicate(body, e)
                    .map(name -> "the request body gives the field " + name + " more than once")
                    .orElse("the request body is not valid JSON"));
        } catch (IOException e) {
            throw ApiError.invalidRequest("the request body is not valid JSON");
        }
    }

    /**
     * The field a body gives twice, if that is why it was refused: it is JSON without the duplicate
     * check, and the parser stopped at the repeated name.
     */
    private static Optional<String> duplicate(String body, StreamReadException refused) {
        try {
            LENIENT.readTree(body);
        } catch (IOException notJson) {
            return Optional.empty();
        }
        return refused.getProcessor() == null ? Optional.empty()
                : Optional.ofNullable(refused.getProcessor().getParsingContext().getCurrentName());
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an API response", e);
        }
    }
}
