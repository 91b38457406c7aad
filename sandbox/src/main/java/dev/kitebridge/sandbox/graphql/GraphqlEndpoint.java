package dev.kitebridge.sandbox.graphql;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.core.type.TypeReference;

import graphql.ExecutionInput;
import graphql.ExecutionResult;
import graphql.GraphQL;
import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.GraphqlErrorException;
import graphql.ParseAndValidate;
import graphql.ParseAndValidateResult;
import graphql.execution.DataFetcherExceptionHandler;
import graphql.execution.DataFetcherExceptionHandlerResult;
import graphql.execution.RawVariables;
import graphql.normalized.ExecutableNormalizedField;
import graphql.normalized.ExecutableNormalizedOperation;
import graphql.normalized.ExecutableNormalizedOperationFactory;
import graphql.schema.GraphQLSchema;

import dev.kitebridge.sandbox.http.Json;
import dev.kitebridge.sandbox.http.Reply;
import dev.kitebridge.sandbox.http.SandboxRequest;
import dev.kitebridge.sandbox.limits.RateLimiter;
import dev.kitebridge.sandbox.model.ApiToken;
import dev.kitebridge.sandbox.model.GraphqlIds;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.Refusal;
import dev.kitebridge.sandbox.model.World;

/**
 * {@code POST /graphql/v1}: parse and validate, compute the requested complexity (over 50,000 is
 * refused with HTTP 200 and {@code errors}), check the organization's and the user's points,
 * execute, and charge the actual complexity.
 */
public final class GraphqlEndpoint {

    private final World world;
    private final RateLimiter limiter;
    private final GraphQLSchema schema;
    private final GraphQL graphql;
    private final Complexity complexity;

    public GraphqlEndpoint(World world, RateLimiter limiter) {
        this.world = world;
        this.limiter = limiter;
        this.schema = SandboxSchema.build();
        this.graphql = GraphQL.newGraphQL(schema).defaultDataFetcherExceptionHandler(new BuildkiteErrors()).build();
        this.complexity = new Complexity(schema);
    }

    /** One query's answer, and what the journal records of it. */
    public record Outcome(Reply reply, String organizationSlug, long requestedComplexity, long actualComplexity, String operation) {

        Outcome(Reply reply, String organizationSlug, long requestedComplexity, long actualComplexity) {
            this(reply, organizationSlug, requestedComplexity, actualComplexity, null);
        }
    }

    /** Buildkite's GraphQL error body, {@code {"errors":[{"message": …}]}}, with the given status. */
    public static Reply errors(int status, String message) {
        return Reply.json(status, Map.of("errors", List.of(Map.of("message", message))));
    }

    public Outcome execute(SandboxRequest request, ApiToken token) {
        Map<String, Object> body;
        try {
            body = Json.MAPPER.readValue(request.body(), new TypeReference<Map<String, Object>>() {});
        } catch (IOException | RuntimeException e) {
            return new Outcome(errors(400, "The request body must be a JSON object with a query"), null, 0, 0);
        }
        Object query = body == null ? null : body.get("query");
        if (!(query instanceof String text) || text.isBlank()) {
            return new Outcome(errors(200, "No query string was present"), null, 0, 0);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> variables = body.get("variables") instanceof Map<?, ?> v ? (Map<String, Object>) v : Map.of();
        String operationName = body.get("operationName") instanceof String name ? name : null;

        ExecutionInput input = ExecutionInput.newExecutionInput()
                .query(text).variables(variables).operationName(operationName)
                .graphQLContext(Map.of(SandboxSchema.Caller.class, new SandboxSchema.Caller(token, world)))
                .build();
        ParseAndValidateResult parsed = ParseAndValidate.parseAndValidate(schema, input);
        if (parsed.isFailure()) {
            return new Outcome(specification(parsed.getErrors(), null), null, 0, 0);
        }
        ExecutableNormalizedOperation operation;
        try {
            operation = ExecutableNormalizedOperationFactory.createExecutableNormalizedOperationWithRawVariables(
                    schema, parsed.getDocument(), operationName, RawVariables.of(variables));
        } catch (RuntimeException e) {
            return new Outcome(errors(200, e.getMessage()), null, 0, 0);
        }

        long requested = complexity.requested(operation);
        int max = limiter.limits().graphqlMaxQueryComplexity();
        if (requested > max) {
            Reply refused = errors(200, "Query has complexity of " + requested + ", which exceeds max complexity of " + max);
            return new Outcome(refused.withHeader("RateLimit-Complexity-Requested", Long.toString(requested)), null, requested, 0,
                    operation.getOperationName());
        }

        Optional<Organization> org = organizationOf(operation, token);
        String orgUuid = org.map(Organization::uuid).orElse(null);
        String orgSlug = org.map(Organization::slug).orElse(null);
        RateLimiter.Decision decision = limiter.checkGraphql(token.userUuid(), orgUuid);
        if (!decision.allowed()) {
            String message = decision.refusedScope().equals("graphql_user")
                    ? "You have exceeded your per-user limit of " + decision.refusedUsage().limit()
                            + " complexity points. Please try again in " + decision.refusedUsage().resetSeconds() + " seconds."
                    : "Your organization has exceeded the limit of " + decision.refusedUsage().limit()
                            + " complexity points. Please try again in " + decision.refusedUsage().resetSeconds() + " seconds.";
            return new Outcome(errors(429, message).withHeaders(decision.headers()), orgSlug, requested, 0, operation.getOperationName());
        }

        ExecutionResult result = graphql.execute(input);
        Map<String, Object> data = result.getData();
        long actual = complexity.actual(operation, data);
        Map<String, String> headers = limiter.chargeGraphql(token.userUuid(), orgUuid, actual);
        Reply reply = specification(result.getErrors(), data)
                .withHeaders(headers)
                .withHeader("RateLimit-Complexity-Requested", Long.toString(requested))
                .withHeader("RateLimit-Complexity-Actual", Long.toString(actual));
        return new Outcome(reply, orgSlug, requested, actual, operation.getOperationName());
    }

    private static Reply specification(List<GraphQLError> errors, Map<String, Object> data) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (!errors.isEmpty()) {
            body.put("errors", errors.stream().map(GraphQLError::toSpecification).toList());
        }
        if (data != null || errors.isEmpty()) {
            body.put("data", data);
        }
        return Reply.json(200, body);
    }

    /**
     * The organization whose points a query spends: the one it names at its root, or the one the
     * object a mutation changes belongs to. Queries that name none (viewer) spend the user's only.
     */
    private Optional<Organization> organizationOf(ExecutableNormalizedOperation operation, ApiToken token) {
        for (ExecutableNormalizedField field : operation.getTopLevelFields()) {
            Map<String, Object> args = field.getResolvedArguments();
            Optional<Organization> found = Optional.empty();
            if (field.getName().equals("organization")) {
                found = args.get("slug") instanceof String slug ? world.organizationBySlug(slug)
                        : args.get("uuid") instanceof String uuid ? world.organizationByUuid(uuid) : Optional.empty();
            } else if (field.getName().equals("team") && args.get("slug") instanceof String slug && slug.contains("/")) {
                found = world.organizationBySlug(slug.substring(0, slug.indexOf('/')));
            } else if (args.get("input") instanceof Map<?, ?> input) {
                found = organizationOfInput(input);
            }
            Optional<Organization> reachable = found.filter(o -> world.reachableOrganizations(token).contains(o));
            if (reachable.isPresent()) {
                return reachable;
            }
        }
        return Optional.empty();
    }

    private Optional<Organization> organizationOfInput(Map<?, ?> input) {
        for (Object value : List.of(String.valueOf(input.get("organizationID")), String.valueOf(input.get("teamID")),
                String.valueOf(input.get("id")))) {
            String id = (String) value;
            Optional<String> orgUuid = GraphqlIds.uuidOf("Organization", id)
                    .or(() -> GraphqlIds.uuidOf("Team", id).flatMap(world::team).map(t -> t.organizationUuid()))
                    .or(() -> GraphqlIds.uuidOf("OrganizationMember", id).flatMap(world::memberByUuid).map(m -> m.organizationUuid()))
                    .or(() -> GraphqlIds.uuidOf("TeamMember", id).flatMap(world::teamMemberByUuid)
                            .flatMap(tm -> world.team(tm.teamUuid())).map(t -> t.organizationUuid()))
                    .or(() -> GraphqlIds.uuidOf("OrganizationInvitation", id).flatMap(uuid -> world.organizations().stream()
                            .filter(o -> world.invitation(o.uuid(), uuid).isPresent()).map(Organization::uuid).findFirst()));
            if (orgUuid.isPresent()) {
                return world.organizationByUuid(orgUuid.get());
            }
        }
        return Optional.empty();
    }

    /** Buildkite's errors carry its own message, not graphql-java's "Exception while fetching data". */
    private static final class BuildkiteErrors implements DataFetcherExceptionHandler {
        @Override
        public CompletableFuture<DataFetcherExceptionHandlerResult> handleException(
                graphql.execution.DataFetcherExceptionHandlerParameters parameters) {
            Throwable cause = parameters.getException();
            String message = cause instanceof Refusal || cause instanceof GraphqlErrorException
                    ? cause.getMessage() : "Internal server error";
            GraphQLError error = GraphqlErrorBuilder.newError()
                    .message(message)
                    .path(parameters.getPath())
                    .location(parameters.getSourceLocation())
                    .build();
            return CompletableFuture.completedFuture(DataFetcherExceptionHandlerResult.newResult(error).build());
        }
    }
}
