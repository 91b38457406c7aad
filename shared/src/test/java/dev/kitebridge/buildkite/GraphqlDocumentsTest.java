package dev.kitebridge.buildkite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import graphql.parser.Parser;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.SchemaParser;
import graphql.schema.idl.UnExecutableSchemaGenerator;
import graphql.validation.ValidationError;
import graphql.validation.Validator;

import dev.kitebridge.buildkite.graphql.GraphqlDocument;
import dev.kitebridge.sandbox.Handbook;
import dev.kitebridge.sandbox.graphql.SandboxSchema;

/** Every GraphQL document the client sends is valid against Buildkite's full published schema, and the sandbox's. */
class GraphqlDocumentsTest {

    static final List<GraphqlDocument> DOCUMENTS = GraphqlDocument.ALL;

    private static GraphQLSchema buildkite;
    private static final GraphQLSchema SANDBOX = UnExecutableSchemaGenerator.makeUnExecutableSchema(
            new SchemaParser().parse(SandboxSchema.sdl()));

    @ParameterizedTest(name = "{0}")
    @FieldSource("DOCUMENTS")
    void validAgainstBuildkitesPublishedSchema(GraphqlDocument document) throws IOException {
        assertEquals(List.of(), errors(buildkiteSchema(), document));
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("DOCUMENTS")
    void validAgainstTheSandboxSchema(GraphqlDocument document) {
        assertEquals(List.of(), errors(SANDBOX, document));
    }

    private static List<String> errors(GraphQLSchema schema, GraphqlDocument document) {
        List<ValidationError> errors = new Validator().validateDocument(schema, Parser.parse(document.text()), Locale.ENGLISH);
        return errors.stream().map(ValidationError::getMessage).toList();
    }

    private static synchronized GraphQLSchema buildkiteSchema() throws IOException {
        if (buildkite == null) {
            Path reference = Handbook.require("buildkite-schema.graphql");
            buildkite = UnExecutableSchemaGenerator.makeUnExecutableSchema(new SchemaParser().parse(Files.readString(reference)));
        }
        return buildkite;
    }

}
