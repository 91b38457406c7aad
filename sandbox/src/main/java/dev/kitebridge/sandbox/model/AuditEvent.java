package dev.kitebridge.sandbox.model;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * One entry of an organization's audit log (Buildkite Enterprise): what changed, who did it, when
 * (the sandbox's clock) and through what (the API with a token, or the web UI).
 *
 * @param type the {@code AuditEventType} name, e.g. {@code TEAM_MEMBER_CREATED}
 * @param data what changed, as JSON (a map of strings, numbers, booleans, lists and maps)
 */
public record AuditEvent(
        String uuid,
        String organizationUuid,
        String type,
        Instant occurredAt,
        Actor actor,
        Subject subject,
        Map<String, Object> data,
        Context context) {

    public AuditEvent {
        data = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(data));
    }

    /** Who caused the event; in the sandbox always a user ({@code AuditActorType.USER}). */
    public record Actor(String type, String uuid, String name) {

        public static Actor user(UserAccount user) {
            return new Actor("USER", user.uuid(), user.name());
        }

        public String graphqlId() {
            return GraphqlIds.of("User", uuid);
        }
    }

    /**
     * What the event is about.
     *
     * @param type the {@code AuditSubjectType} name, e.g. {@code ORGANIZATION_MEMBER}
     */
    public record Subject(String type, String uuid, String name) {

        /** The GraphQL type of the subject's node (the {@code AuditSubjectNode} member). */
        public String nodeType() {
            return switch (type) {
                case "USER_TOTP" -> "TOTP";
                default -> camel(type);
            };
        }

        public String graphqlId() {
            return GraphqlIds.of(nodeType(), uuid);
        }
    }

    /**
     * Where the change came from: an API request (the token's uuid) or the web UI (the session's
     * user). GraphQL answers it as {@code AuditAPIContext} or {@code AuditWebContext}.
     */
    public record Context(Kind kind, String requestIpAddress, String requestUserAgent,
                          String requestApiAccessTokenUuid, String sessionUserUuid) {

        public enum Kind { API, WEB }

        public static Context api(ApiToken token) {
            return new Context(Kind.API, "127.0.0.1", "kitebridge-sandbox-client", token.uuid(), null);
        }

        public static Context web(String sessionUserUuid) {
            return new Context(Kind.WEB, "127.0.0.1", "Mozilla/5.0 (sandbox web UI)", null, sessionUserUuid);
        }
    }

    public String graphqlId() {
        return GraphqlIds.of("AuditEvent", uuid);
    }

    /** REST's name for the type: CamelCase with an {@code Event} suffix, e.g. {@code TeamMemberCreatedEvent}. */
    public String restType() {
        return camel(type) + "Event";
    }

    /** {@code ORGANIZATION_MEMBER} to {@code OrganizationMember}. */
    public static String camel(String upperSnake) {
        StringBuilder out = new StringBuilder();
        for (String word : upperSnake.toLowerCase(Locale.ROOT).split("_")) {
            if (!word.isEmpty()) {
                out.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
            }
        }
        return out.toString();
    }
}
