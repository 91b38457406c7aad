package dev.kitebridge.sandbox.model;

/**
 * Buildkite declining a read or a write. REST renders it as a status with {@code {"message"}};
 * GraphQL as an entry of {@code errors} with HTTP 200.
 */
public final class Refusal extends RuntimeException {

    public enum Kind { NOT_FOUND, FORBIDDEN, INVALID }

    private final Kind kind;

    private Refusal(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public static Refusal notFound(String message) {
        return new Refusal(Kind.NOT_FOUND, message);
    }

    public static Refusal forbidden(String message) {
        return new Refusal(Kind.FORBIDDEN, message);
    }

    /** A validation failure; the message is Buildkite's whole message, e.g. "Validation failed: Name has already been taken". */
    public static Refusal invalid(String message) {
        return new Refusal(Kind.INVALID, message);
    }

    public Kind kind() {
        return kind;
    }
}
