package dev.kitebridge.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

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
 * short tags read as their long forms. Also what the schema cannot say: throttling, and what an
 * operator watches (logs, traces, alarms, the dashboard).
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

    /** Every function logs JSON (Lambda's records; ours are JSON already) and is traced by Lambda. */
    @Test
    void functionsLogJsonAndAreTraced() throws IOException {
        JsonNode function = template(Path.of("template.yaml")).at("/Globals/Function");
        assertEquals("JSON", function.at("/LoggingConfig/LogFormat").asText());
        assertEquals("Active", function.path("Tracing").asText());
    }

    /**
     * The alarms an operator needs, each notifying the optional SNS topic only when one is given, on
     * metrics that exist: AWS's, or Kitebridge's that the code writes (its EMF lines name them).
     */
    @Test
    void theAlarmsWatchWhatNeedsAPersonAndNotifyTheTopicIfThereIsOne() throws IOException {
        JsonNode template = template(Path.of("template.yaml"));
        assertEquals("", template.at("/Parameters/AlarmTopicArn/Default").asText(), "alarms without actions by default");
        assertEquals("{\"Fn::Not\":[{\"Fn::Equals\":[{\"Ref\":\"AlarmTopicArn\"},\"\"]}]}",
                template.at("/Conditions/HasAlarmTopic").toString());
        Set<String> watched = new TreeSet<>();
        for (JsonNode resource : (Iterable<JsonNode>) () -> template.get("Resources").elements()) {
            if (!resource.path("Type").asText().equals("AWS::CloudWatch::Alarm")) {
                continue;
            }
            JsonNode alarm = resource.get("Properties");
            watched.add(alarm.get("Namespace").asText() + " " + alarm.get("MetricName").asText());
            for (String actions : List.of("AlarmActions", "OKActions")) {
                assertEquals("{\"Fn::If\":[\"HasAlarmTopic\",[{\"Ref\":\"AlarmTopicArn\"}],{\"Ref\":\"AWS::NoValue\"}]}",
                        alarm.get(actions).toString(), actions);
            }
            assertEquals("notBreaching", alarm.get("TreatMissingData").asText(), "no data (nothing happened) is no alarm");
        }
        assertEquals(Set.of("AWS/ApiGateway 5xx", "Kitebridge SyncRunsFailed", "AWS/SQS ApproximateNumberOfMessagesVisible",
                "Kitebridge WebhookDeliveriesParked", "Kitebridge BuildkiteRateLimited"), watched);
        for (String metric : watched) {
            if (metric.startsWith("Kitebridge ")) {
                assertWritten(metric.substring("Kitebridge ".length()));
            }
        }
    }

    /** The dashboard: Buildkite calls, the budget left, sync lag and runs, deliveries, the API's answers, the alarms. */
    @Test
    void theDashboardShowsCallsBudgetSyncLagAndDeliveries() throws IOException {
        JsonNode dashboard = template(Path.of("template.yaml")).at("/Resources/Dashboard");
        assertEquals("AWS::CloudWatch::Dashboard", dashboard.get("Type").asText());
        // Its body is JSON once !Sub has put the stack's names in.
        JsonNode body = JSON.readTree(dashboard.at("/Properties/DashboardBody/Fn::Sub").asText().replaceAll("\\$\\{[^}]+}", "x"));
        List<String> kitebridge = new ArrayList<>();
        for (JsonNode widget : body.get("widgets")) {
            for (JsonNode metric : widget.at("/properties/metrics")) {
                if (metric.get(0).asText().equals("Kitebridge")) {
                    kitebridge.add(metric.get(1).asText());
                }
            }
        }
        assertTrue(kitebridge.containsAll(List.of("BuildkiteCalls", "BuildkiteRateLimited", "BuildkiteBudgetRemaining", "SyncLag",
                "SyncRunsCompleted", "SyncRunsFailed", "WebhookDeliveries", "WebhookDeliveriesParked")), kitebridge.toString());
        for (String metric : kitebridge) {
            assertWritten(metric);
        }
        assertEquals(5, body.findValues("alarms").get(0).size(), "the alarms, on the same page");
    }

    /** A Kitebridge metric is named, as a string, by the code that writes it (an EMF line's metric). */
    private static void assertWritten(String metric) throws IOException {
        List<Path> sources;
        try (Stream<Path> files = Files.walk(Path.of("shared/src/main/java"))) {
            sources = files.filter(file -> file.toString().endsWith(".java")).toList();
        }
        for (Path source : sources) {
            String code = Files.readString(source);
            if (code.contains("Metric.count(\"" + metric + "\"") || code.contains("Metric.milliseconds(\"" + metric + "\"")) {
                return;
            }
        }
        throw new AssertionError("no code writes the metric " + metric);
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
            yamlConstructors.put(new Tag("!If"), longForm("Fn::If"));
            yamlConstructors.put(new Tag("!Not"), longForm("Fn::Not"));
            yamlConstructors.put(new Tag("!Equals"), longForm("Fn::Equals"));
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
