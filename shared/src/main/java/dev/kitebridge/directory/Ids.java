package dev.kitebridge.directory;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.kitebridge.contract.ApiError;

/**
 * The ids a write names, resolved to the kind Buildkite's REST API keys by. The unified ids are
 * UUIDs (a user's, a team's, an organization's). Buildkite's GraphQL ids are base64 of
 * {@code <Type>---<uuid>}, and several kinds name the same person (a User, their
 * OrganizationMember, each TeamMember): a GraphQL id of the right type is taken for its UUID, one
 * of another type is refused with a message naming both, before anything is sent.
 */
public final class Ids {

    private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /** A kind of id, with its GraphQL type name and what to pass instead of the wrong one. */
    public enum Kind {
        USER("User", "a user's id (the id of a unified user)"),
        TEAM("Team", "a group's id (a Buildkite team UUID)"),
        ORGANIZATION("Organization", "an organization's id (its UUID)"),
        USER_OR_INVITATION("User", "a user's id, or a pending invitation's (the id of a unified user)");

        private final String graphqlType;
        private final String meaning;

        Kind(String graphqlType, String meaning) {
            this.graphqlType = graphqlType;
            this.meaning = meaning;
        }
    }

    private Ids() {}

    /**
     * The UUID {@code value} names, for the field {@code field} of kind {@code kind}.
     *
     * @throws ApiError 400 naming the field, what was given, and what it takes
     */
    public static String resolve(String field, String value, Kind kind) {
        if (value == null || value.isBlank()) {
            throw ApiError.invalidRequest(field + " is required: " + kind.meaning);
        }
        if (UUID.matcher(value).matches()) {
            return value.toLowerCase(Locale.ROOT);
        }
        Optional<String[]> graphql = graphqlId(value);
        if (graphql.isPresent()) {
            String type = graphql.get()[0];
            boolean invitation = kind == Kind.USER_OR_INVITATION && type.equals("OrganizationInvitation");
            if (type.equals(kind.graphqlType) || invitation) {
                return graphql.get()[1];
            }
            throw ApiError.invalidRequest(field + " is the GraphQL id of " + article(type) + " " + type + "; it takes "
                    + kind.meaning);
        }
        throw ApiError.invalidRequest(field + " must be " + kind.meaning + ", not '" + abbreviated(value) + "'");
    }

    /** The type and UUID a Buildkite GraphQL id stands for, if it is one. */
    private static Optional<String[]> graphqlId(String value) {
        try {
            String decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
            int separator = decoded.indexOf("---");
            if (separator > 0 && UUID.matcher(decoded.substring(separator + 3)).matches()) {
                return Optional.of(new String[] {decoded.substring(0, separator),
                        decoded.substring(separator + 3).toLowerCase(Locale.ROOT)});
            }
        } catch (IllegalArgumentException notBase64) {
            // not a GraphQL id
        }
        return Optional.empty();
    }

    private static String article(String type) {
        return "AEIO".indexOf(type.charAt(0)) >= 0 ? "an" : "a"; // a User, an OrganizationMember
    }

    private static String abbreviated(String value) {
        return value.length() <= 60 ? value : value.substring(0, 60) + "…";
    }
}
