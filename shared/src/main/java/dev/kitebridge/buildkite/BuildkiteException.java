package dev.kitebridge.buildkite;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Buildkite declined or failed a call. Each kind is its own type, so that callers can answer each
 * in their own words (401 marks an account for re-authentication, a missing scope names the scope,
 * a rate limit says when to come back). Messages carry Buildkite's reason and the call, never the
 * token.
 */
public abstract sealed class BuildkiteException extends RuntimeException {

    private final int status;

    private BuildkiteException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status Buildkite answered, or 0 where no answer came. */
    public int status() {
        return status;
    }

    /** 401: the token is missing, invalid, expired or revoked. */
    public static final class Unauthorized extends BuildkiteException {
        public Unauthorized(String message) {
            super(401, message, null);
        }
    }

    /** 403 naming a scope: the token lacks it, e.g. {@code write_teams}. */
    public static final class MissingScope extends BuildkiteException {
        private final String scope;

        public MissingScope(String scope, String message) {
            super(403, message, null);
            this.scope = scope;
        }

        public String scope() {
            return scope;
        }
    }

    /** 403 without a scope: the token's user may not do this (e.g. change their own membership). */
    public static final class Forbidden extends BuildkiteException {
        public Forbidden(String message) {
            super(403, message, null);
        }
    }

    /** 404: no such thing, or the token cannot reach it (Buildkite does not tell the two apart). */
    public static final class NotFound extends BuildkiteException {
        public NotFound(String message) {
            super(404, message, null);
        }
    }

    /** 400 or 422, or a GraphQL error refusing the input: Buildkite's reason is the message. */
    public static final class Validation extends BuildkiteException {
        public Validation(int status, String message) {
            super(status, message, null);
        }
    }

    /** 429 whose reset the caller could not wait for; {@link #retryAfter()} says when to come back. */
    public static final class RateLimited extends BuildkiteException {
        private final Duration retryAfter;
        private final String scope;

        public RateLimited(Duration retryAfter, String scope, String message) {
            super(429, message, null);
            this.retryAfter = retryAfter;
            this.scope = scope;
        }

        public Duration retryAfter() {
            return retryAfter;
        }

        /** Which budget is spent: rest, rest_user, graphql or graphql_user. */
        public String scope() {
            return scope;
        }
    }

    /**
     * A call that costs more than a budget's whole limit (a GraphQL page of more points than the
     * window holds): no refill can ever cover it, so it is refused at once instead of waited for.
     * Nothing was sent.
     */
    public static final class OverLimit extends BuildkiteException {
        private final String scope;
        private final long cost;
        private final long limit;

        public OverLimit(String scope, long cost, long limit, String message) {
            super(0, message, null);
            this.scope = scope;
            this.cost = cost;
            this.limit = limit;
        }

        /** Which budget is too small: rest, rest_user, graphql or graphql_user. */
        public String scope() {
            return scope;
        }

        public long cost() {
            return cost;
        }

        public long limit() {
            return limit;
        }
    }

    /** Buildkite failed (5xx, timeout, dropped connection, truncated body) and retries did not help. */
    public static final class Unavailable extends BuildkiteException {
        public Unavailable(int status, String message, Throwable cause) {
            super(status, message, cause);
        }
    }

    /** An answer this client has no meaning for: a redirect (never followed), or a 4xx not listed above. */
    public static final class Unexpected extends BuildkiteException {
        public Unexpected(int status, String message) {
            super(status, message, null);
        }
    }

    /** A GraphQL answer with {@code errors} that fit none of the kinds above. */
    public static final class GraphqlErrors extends BuildkiteException {
        private final List<String> messages;

        public GraphqlErrors(List<String> messages) {
            super(200, "Buildkite GraphQL errors: " + String.join("; ", messages), null);
            this.messages = List.copyOf(messages);
        }

        public List<String> messages() {
            return messages;
        }
    }

    private static final Pattern SCOPE = Pattern.compile("doesn't have the (\\w+) scope");

    /** The typed error for a Buildkite error answer; {@code call} (method and path) goes into the message. */
    static BuildkiteException of(int status, String buildkiteMessage, String call) {
        String message = (buildkiteMessage == null || buildkiteMessage.isBlank() ? "HTTP " + status : buildkiteMessage)
                + " (" + call + ")";
        return switch (status) {
            case 401 -> new Unauthorized(message);
            case 403 -> {
                Matcher scope = SCOPE.matcher(buildkiteMessage == null ? "" : buildkiteMessage);
                yield scope.find() ? new MissingScope(scope.group(1), message) : new Forbidden(message);
            }
            case 404 -> new NotFound(message);
            case 400, 409, 422 -> new Validation(status, message);
            default -> new Unexpected(status, message);
        };
    }
}
