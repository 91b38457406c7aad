package dev.kitebridge.buildkite;

import java.util.Objects;

/**
 * A Buildkite API access token. It prints as {@code BuildkiteToken[redacted]}, so that it cannot
 * reach a log line or an exception message by accident; only the transport reads its value.
 */
public final class BuildkiteToken {

    private final String value;

    private BuildkiteToken(String value) {
        this.value = value;
    }

    public static BuildkiteToken of(String value) {
        Objects.requireNonNull(value, "token");
        if (value.isBlank()) {
            throw new IllegalArgumentException("a Buildkite token cannot be blank");
        }
        // It goes in an HTTP header, which carries visible ASCII: anything else would fail there, after the token was stored.
        if (value.chars().anyMatch(c -> c <= ' ' || c >= 127)) {
            throw new IllegalArgumentException("a Buildkite token is visible ASCII characters: no spaces, control characters or others");
        }
        return new BuildkiteToken(value);
    }

    /** The secret itself, for the Authorization header and the token vault; never for a message. */
    public String reveal() {
        return value;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof BuildkiteToken token && token.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return "BuildkiteToken[redacted]";
    }
}
