package dev.kitebridge.sandbox.model;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** Buildkite's GraphQL ids: base64 of {@code <Type>---<uuid>}. */
public final class GraphqlIds {

    private GraphqlIds() {}

    public static String of(String type, String uuid) {
        return Base64.getEncoder().encodeToString((type + "---" + uuid).getBytes(StandardCharsets.UTF_8));
    }

    /** The uuid inside a GraphQL id of the given type, or empty if the id is of another type or malformed. */
    public static Optional<String> uuidOf(String type, String graphqlId) {
        try {
            String decoded = new String(Base64.getDecoder().decode(graphqlId), StandardCharsets.UTF_8);
            String prefix = type + "---";
            return decoded.startsWith(prefix) ? Optional.of(decoded.substring(prefix.length())) : Optional.empty();
        } catch (IllegalArgumentException malformed) {
            return Optional.empty();
        }
    }
}
