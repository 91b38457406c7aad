package dev.kitebridge.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The proxy's reading of a GraphQL document: whether sending it again could write twice. */
class GraphqlOperationsTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "mutation { teamDelete(input: {id: \"x\"}) { deletedTeamID } }",
            "# a comment first\nmutation M { a }",
            "# mutation\n  \n mutation { a }",
            "query A { viewer { id } } mutation B { a }",
            "\uFEFF, mutation { a }",
            "subscription S { a }",
            "fragment F on User { id } mutation M { ...F }",
            "query Q($a: X = {b: \"}\"}) { a } mutation { b }",
            "query { a(s: \"\"\" } \\\"\"\" mutation \"\"\") } mutation { b }",
            // Not a document this reading can follow: counted as a write.
            "{ a", "query Q", "Mutation { a }", "{ a } }", "{ a(s: \"unterminated) }", "type Query { a: Int }", "   ", "{ a } ;"})
    void aDocumentWithAMutationOrThatCannotBeReadMayWrite(String document) {
        assertTrue(GraphqlOperations.mayWrite(document), document);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{ viewer { id } }",
            "# mutation { a }\n{ viewer { id } }",
            "query mutation { mutation }",
            "query A { a(text: \"mutation { b }\") } query B { b }",
            "query Q($x: Int = 1, $o: In = {mutation: [1, 2]}) @d(a: {b: {c: 1}}) { a }",
            "fragment F on User { id } query { viewer { ...F } }",
            "query { a(s: \"\"\"block \"mutation\" \\\"\"\" still\"\"\") }"})
    void aDocumentOfQueriesAlone(String document) {
        assertFalse(GraphqlOperations.mayWrite(document), document);
    }

    @Test
    void operationsAreReadInOrderWithTheirNames() {
        assertEquals(Optional.of(List.of(new GraphqlOperations.Operation(GraphqlOperations.Type.QUERY, "A"),
                        new GraphqlOperations.Operation(GraphqlOperations.Type.MUTATION, null),
                        new GraphqlOperations.Operation(GraphqlOperations.Type.QUERY, null))),
                GraphqlOperations.of("query A { a } # mutation X\n mutation { b } { c }"));
    }
}
