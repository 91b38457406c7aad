package dev.kitebridge.sandbox.graphql;

import java.util.List;
import java.util.Map;

import graphql.normalized.ExecutableNormalizedField;
import graphql.normalized.ExecutableNormalizedOperation;
import graphql.schema.GraphQLCompositeType;
import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLObjectType;
import graphql.schema.GraphQLOutputType;
import graphql.schema.GraphQLSchema;
import graphql.schema.GraphQLType;
import graphql.schema.GraphQLTypeUtil;

/**
 * Buildkite's complexity rule: scalars and enums cost 0; every object, interface or union field
 * costs 1 plus its selections; inside a connection, the {@code edges} field costs 1 plus its
 * node's cost times the page size: {@code first}/{@code last} for the requested complexity, the
 * nodes actually returned for the actual one. So
 * {@code organization{pipelines(first:500){edges{node{slug}}}}} requests 503 and, with 10
 * pipelines, actually costs 13.
 */
final class Complexity {

    private final GraphQLSchema schema;

    Complexity(GraphQLSchema schema) {
        this.schema = schema;
    }

    /** What the query asks for, before running it: the figure the 50,000 cap applies to. */
    long requested(ExecutableNormalizedOperation operation) {
        long total = 0;
        for (ExecutableNormalizedField field : operation.getTopLevelFields()) {
            total += requested(field, NOT_IN_CONNECTION);
        }
        return total;
    }

    private static final long NOT_IN_CONNECTION = -1;

    /** @param pageSize the page size of the connection this field belongs to, or {@link #NOT_IN_CONNECTION} */
    private long requested(ExecutableNormalizedField field, long pageSize) {
        if (!isComposite(field)) {
            return 0;
        }
        long children = 0;
        long childPageSize = isConnection(field) ? pageSizeOf(field) : NOT_IN_CONNECTION;
        for (ExecutableNormalizedField child : field.getChildren()) {
            children += requested(child, childPageSize);
        }
        // Only a connection's edges are multiplied; other children of a connection (pageInfo) are not.
        boolean edges = field.getName().equals("edges") && pageSize != NOT_IN_CONNECTION;
        return 1 + (edges ? pageSize * children : children);
    }

    /** What the query returned: the points charged against the rate limits. */
    long actual(ExecutableNormalizedOperation operation, Map<String, Object> data) {
        if (data == null) {
            return 0;
        }
        long total = 0;
        for (ExecutableNormalizedField field : operation.getTopLevelFields()) {
            total += actual(field, data.get(field.getResultKey()));
        }
        return total;
    }

    @SuppressWarnings("unchecked")
    private long actual(ExecutableNormalizedField field, Object value) {
        if (value == null || !isComposite(field)) {
            return 0;
        }
        long total = 1;
        if (value instanceof List<?> items) {
            for (Object item : items) {
                if (item instanceof Map<?, ?> object) {
                    total += children(field, (Map<String, Object>) object);
                }
            }
            return total;
        }
        return total + children(field, (Map<String, Object>) value);
    }

    private long children(ExecutableNormalizedField field, Map<String, Object> object) {
        long total = 0;
        for (ExecutableNormalizedField child : field.getChildren()) {
            if (object.containsKey(child.getResultKey())) {
                total += actual(child, object.get(child.getResultKey()));
            }
        }
        return total;
    }

    private boolean isComposite(ExecutableNormalizedField field) {
        GraphQLType type = GraphQLTypeUtil.unwrapAll(outputType(field));
        return type instanceof GraphQLCompositeType;
    }

    private boolean isConnection(ExecutableNormalizedField field) {
        GraphQLType type = GraphQLTypeUtil.unwrapAll(outputType(field));
        return type instanceof GraphQLObjectType object && object.getInterfaces().stream()
                .anyMatch(i -> i.getName().equals("Connection"));
    }

    private GraphQLOutputType outputType(ExecutableNormalizedField field) {
        List<GraphQLFieldDefinition> definitions = field.getFieldDefinitions(schema);
        return definitions.get(0).getType();
    }

    private static long pageSizeOf(ExecutableNormalizedField field) {
        Object first = field.getResolvedArguments().get("first");
        Object last = field.getResolvedArguments().get("last");
        Object size = first != null ? first : last;
        long requested = size instanceof Number n ? n.longValue() : Connection.MAX_PAGE;
        return Math.max(0, Math.min(requested, Connection.MAX_PAGE));
    }
}
