package dev.kitebridge.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import dev.kitebridge.sandbox.Handbook;

/**
 * template.yaml against AWS SAM's own JSON schema for SAM templates (draft-04; the handbook's
 * reference/sam.schema.json): SAM resources and Globals property by property, CloudFormation's
 * short tags read as their long forms.
 */
class TemplateSchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void templateYamlIsAValidSamTemplate() throws IOException {
        Path schemaFile = Handbook.require("sam.schema.json");
        JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(JSON.readTree(schemaFile.toFile()));
        JsonNode template = template(Path.of("template.yaml"));

        Set<ValidationMessage> errors = schema.validate(template);
        assertTrue(errors.isEmpty(), "template.yaml breaks SAM's schema:\n"
                + errors.stream().map(ValidationMessage::getMessage).sorted().collect(Collectors.joining("\n")));
        assertEquals("AWS::Serverless-2016-10-31", template.get("Transform").asText());
    }

    @Test
    void theSchemaCatchesAMistake() throws IOException {
        Path schemaFile = Handbook.require("sam.schema.json");
        JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(JSON.readTree(schemaFile.toFile()));
        JsonNode template = template(Path.of("template.yaml"));
        ((com.fasterxml.jackson.databind.node.ObjectNode) template.at("/Resources/UsersFunction/Properties")).put("Timeoutt", 29);
        assertFalse(schema.validate(template).isEmpty(), "a misspelt function property fails the check");
    }

    /**
     * Every route is throttled, and /health (no key) more tightly, with a capped function. SAM's
     * schema passes route settings through unchecked, so their names are checked against those of
     * AWS::ApiGatewayV2::Stage's RouteSettings here.
     */
    @Test
    void everyRouteIsThrottledAndHealthMostTightly() throws IOException {
        JsonNode template = template(Path.of("template.yaml"));
        JsonNode defaults = template.at("/Resources/HttpApi/Properties/DefaultRouteSettings");
        JsonNode health = template.at("/Resources/HealthFunction/Properties/Events/Health/Properties/RouteSettings");
        Set<String> stageRouteSettings = Set.of("DataTraceEnabled", "DetailedMetricsEnabled", "LoggingLevel", "ThrottlingBurstLimit",
                "ThrottlingRateLimit");
        for (JsonNode settings : List.of(defaults, health)) {
            settings.fieldNames().forEachRemaining(name -> assertTrue(stageRouteSettings.contains(name), "no route setting " + name));
            assertTrue(settings.path("ThrottlingBurstLimit").isInt() && settings.get("ThrottlingBurstLimit").asInt() > 0, settings.toString());
            assertTrue(settings.path("ThrottlingRateLimit").isNumber() && settings.get("ThrottlingRateLimit").asDouble() > 0, settings.toString());
        }
        assertTrue(health.get("ThrottlingRateLimit").asDouble() < defaults.get("ThrottlingRateLimit").asDouble());
        assertTrue(health.get("ThrottlingBurstLimit").asInt() < defaults.get("ThrottlingBurstLimit").asInt());
        assertTrue(template.at("/Resources/HealthFunction/Properties/ReservedConcurrentExecutions").asInt() > 0);
    }

    /** The template as JSON, with {@code !Ref}, {@code !GetAtt} and {@code !Sub} in their long forms. */
    static JsonNode template(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file)) {
            return JSON.valueToTree(new Yaml(new CloudFormationConstructor()).load(reader));
        }
    }

    /** SnakeYAML's safe constructor, taught CloudFormation's short intrinsic-function tags. */
    private static final class CloudFormationConstructor extends SafeConstructor {

        CloudFormationConstructor() {
            super(new LoaderOptions());
            yamlConstructors.put(new Tag("!Ref"), longForm("Ref"));
            yamlConstructors.put(new Tag("!Sub"), longForm("Fn::Sub"));
            yamlConstructors.put(new Tag("!GetAtt"), new AbstractConstruct() {
                @Override
                public Object construct(Node node) {
                    String value = constructScalar((ScalarNode) node);
                    int dot = value.indexOf('.');
                    return Map.of("Fn::GetAtt", List.of(value.substring(0, dot), value.substring(dot + 1)));
                }
            });
        }

        private AbstractConstruct longForm(String function) {
            return new AbstractConstruct() {
                @Override
                public Object construct(Node node) {
                    Object value = node instanceof SequenceNode sequence ? constructSequence(sequence) : constructScalar((ScalarNode) node);
                    return Map.of(function, value);
                }
            };
        }
    }
}
