package dev.kitebridge.local;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/**
 * openapi.yaml as a document: valid against the official OpenAPI 3.1 schema (the 2022-10-07 one,
 * as vertx-openapi ships it on Maven Central), which is what openapi-spec-validator checks too.
 */
class OpenApiDocumentTest {

    private static final String SCHEMA = "spec.openapis.org/oas/3.1/schema/2022-10-07";

    @Test
    void openapiYamlIsAValidOpenApi31Document() throws IOException {
        Set<ValidationMessage> errors = schema().validate(document());
        assertTrue(errors.isEmpty(), "openapi.yaml breaks the OpenAPI 3.1 schema:\n"
                + errors.stream().map(ValidationMessage::getMessage).sorted().collect(Collectors.joining("\n")));
    }

    /** The mistake this test was written for: a comma in a flow mapping makes the rest of a description a key of its own. */
    @Test
    void theSchemaCatchesAStrayKeyInAResponse() throws IOException {
        JsonNode document = document();
        ((ObjectNode) document.at("/paths/~1proxy~1{path}/put/responses/default")).putNull("status and body as they came");
        assertFalse(schema().validate(document).isEmpty(), "a response with an unknown member fails the check");
    }

    private static JsonNode document() throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(Path.of("openapi.yaml").toFile());
    }

    private static JsonSchema schema() throws IOException {
        try (InputStream schema = OpenApiDocumentTest.class.getClassLoader().getResourceAsStream(SCHEMA)) {
            assertNotNull(schema, SCHEMA + " is on the test classpath (io.vertx:vertx-openapi)");
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(new ObjectMapper().readTree(schema));
        }
    }
}
