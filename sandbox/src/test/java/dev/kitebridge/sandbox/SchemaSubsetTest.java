package dev.kitebridge.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import graphql.language.AstPrinter;
import graphql.language.EnumTypeDefinition;
import graphql.language.EnumValueDefinition;
import graphql.language.FieldDefinition;
import graphql.language.ImplementingTypeDefinition;
import graphql.language.InputObjectTypeDefinition;
import graphql.language.InputValueDefinition;
import graphql.language.ScalarTypeDefinition;
import graphql.language.TypeDefinition;
import graphql.schema.idl.SchemaParser;
import graphql.schema.idl.TypeDefinitionRegistry;

import dev.kitebridge.sandbox.graphql.SandboxSchema;

/**
 * The sandbox's GraphQL schema must be a faithful subset of Buildkite's published one: every
 * type, field, argument, input field, default and enum value it declares exists there, with the
 * same type and the same kind.
 */
class SchemaSubsetTest {

    @Test
    void everyDeclarationOfTheSandboxSchemaExistsInBuildkitesWithTheSameType() throws IOException {
        TypeDefinitionRegistry buildkite = new SchemaParser().parse(Files.readString(Handbook.require("buildkite-schema.graphql")));
        TypeDefinitionRegistry sandbox = new SchemaParser().parse(SandboxSchema.sdl());
        List<String> problems = new ArrayList<>();
        int checked = 0;

        for (TypeDefinition<?> ours : allTypes(sandbox)) {
            Optional<TypeDefinition> theirs = buildkite.getType(ours.getName());
            if (theirs.isEmpty()) {
                problems.add("type " + ours.getName() + " is not in Buildkite's schema");
                continue;
            }
            if (!theirs.get().getClass().equals(ours.getClass())) {
                problems.add(ours.getName() + " is a " + kind(ours) + " here but a " + kind(theirs.get()) + " at Buildkite");
                continue;
            }
            checked++;
            if (ours instanceof ImplementingTypeDefinition<?> object) {
                ImplementingTypeDefinition<?> buildkiteObject = (ImplementingTypeDefinition<?>) theirs.get();
                for (var implemented : object.getImplements()) {
                    boolean found = buildkiteObject.getImplements().stream()
                            .anyMatch(t -> AstPrinter.printAst(t).equals(AstPrinter.printAst(implemented)));
                    if (!found) {
                        problems.add(ours.getName() + " implements " + AstPrinter.printAst(implemented) + " only here");
                    }
                }
                Map<String, FieldDefinition> buildkiteFields = buildkiteObject.getFieldDefinitions().stream()
                        .collect(Collectors.toMap(FieldDefinition::getName, f -> f));
                for (FieldDefinition field : object.getFieldDefinitions()) {
                    checked++;
                    FieldDefinition match = buildkiteFields.get(field.getName());
                    String where = ours.getName() + "." + field.getName();
                    if (match == null) {
                        problems.add(where + " is not in Buildkite's schema");
                        continue;
                    }
                    sameType(where, field.getType(), match.getType(), problems);
                    checked += compareInputs(where, field.getInputValueDefinitions(), match.getInputValueDefinitions(), problems);
                }
            } else if (ours instanceof InputObjectTypeDefinition input) {
                checked += compareInputs(ours.getName(), input.getInputValueDefinitions(),
                        ((InputObjectTypeDefinition) theirs.get()).getInputValueDefinitions(), problems);
            } else if (ours instanceof EnumTypeDefinition enumeration) {
                List<String> theirValues = ((EnumTypeDefinition) theirs.get()).getEnumValueDefinitions().stream()
                        .map(EnumValueDefinition::getName).toList();
                for (EnumValueDefinition value : enumeration.getEnumValueDefinitions()) {
                    checked++;
                    if (!theirValues.contains(value.getName())) {
                        problems.add(ours.getName() + "." + value.getName() + " is not one of Buildkite's values");
                    }
                }
            }
        }
        // The root operation types are Buildkite's Query and Mutation.
        assertTrue(sandbox.getType("Query").isPresent() && sandbox.getType("Mutation").isPresent());
        assertEquals(List.of(), problems, "the sandbox schema departs from Buildkite's");
        assertTrue(checked > 300, "expected to check several hundred declarations, checked " + checked);
    }

    private static int compareInputs(String where, List<InputValueDefinition> ours, List<InputValueDefinition> theirs,
                                     List<String> problems) {
        Map<String, InputValueDefinition> byName = theirs.stream()
                .collect(Collectors.toMap(InputValueDefinition::getName, v -> v));
        for (InputValueDefinition value : ours) {
            InputValueDefinition match = byName.get(value.getName());
            String name = where + "(" + value.getName() + ")";
            if (match == null) {
                problems.add(name + " is not in Buildkite's schema");
                continue;
            }
            sameType(name, value.getType(), match.getType(), problems);
            String ourDefault = value.getDefaultValue() == null ? null : AstPrinter.printAst(value.getDefaultValue());
            String theirDefault = match.getDefaultValue() == null ? null : AstPrinter.printAst(match.getDefaultValue());
            if (!Objects.equals(ourDefault, theirDefault)) {
                problems.add(name + " defaults to " + ourDefault + " here but " + theirDefault + " at Buildkite");
            }
        }
        // Leaving out an argument or input field is fine only if Buildkite does not require it.
        for (InputValueDefinition value : theirs) {
            boolean required = value.getType() instanceof graphql.language.NonNullType && value.getDefaultValue() == null;
            if (required && ours.stream().noneMatch(v -> v.getName().equals(value.getName()))) {
                problems.add(where + " leaves out " + value.getName() + ", which Buildkite requires");
            }
        }
        return ours.size();
    }

    private static void sameType(String where, graphql.language.Type<?> ours, graphql.language.Type<?> theirs, List<String> problems) {
        String a = AstPrinter.printAst(ours);
        String b = AstPrinter.printAst(theirs);
        if (!a.equals(b)) {
            problems.add(where + " is " + a + " here but " + b + " at Buildkite");
        }
    }

    private static List<TypeDefinition<?>> allTypes(TypeDefinitionRegistry registry) {
        List<TypeDefinition<?>> all = new ArrayList<>();
        registry.types().values().forEach(all::add);
        registry.scalars().values().stream()
                .filter(s -> !List.of("String", "Int", "Float", "Boolean", "ID").contains(s.getName()))
                .forEach(all::add);
        return all;
    }

    private static String kind(TypeDefinition<?> type) {
        return type instanceof ScalarTypeDefinition ? "scalar" : type.getClass().getSimpleName().replace("TypeDefinition", "").toLowerCase();
    }
}
