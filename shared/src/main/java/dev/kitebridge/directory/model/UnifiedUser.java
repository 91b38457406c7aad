package dev.kitebridge.directory.model;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One Buildkite organization membership, or a pending invitation, in the unified shape. A person
 * in several organizations is several users with the same id, each describing one membership.
 *
 * @param id the Buildkite user UUID; for an invitation, the invitation UUID
 * @param is2faEnabled null where Buildkite does not show it (invitations)
 * @param createdAt when the membership began (for an invitation, when it was sent)
 * @param lastActiveAt Buildkite's "last seen"; null for members never seen
 */
public record UnifiedUser(
        String id,
        String name,
        String firstName,
        String lastName,
        List<Email> emails,
        Status status,
        UserType userType,
        @JsonProperty("is_2fa_enabled") Boolean is2faEnabled,
        String ssoMode,
        List<RoleRef> roles,
        List<GroupRef> groups,
        List<OrganizationRef> organizations,
        String avatar,
        Instant createdAt,
        Instant lastActiveAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode remoteData) {

    public enum Status {
        @JsonProperty("active") ACTIVE,
        @JsonProperty("invited") INVITED
    }

    public enum UserType {
        @JsonProperty("user") USER,
        @JsonProperty("bot") BOT,
        @JsonProperty("service_account") SERVICE_ACCOUNT
    }

    public record Email(String email, String type, boolean isPrimary) {

        public static Email work(String address) {
            return new Email(address, "work", true);
        }
    }

    /** An organization role ({@code organization}) or a team role ({@code group}). */
    public record RoleRef(String id, String name, @JsonInclude(JsonInclude.Include.NON_NULL) String organization,
                          @JsonInclude(JsonInclude.Include.NON_NULL) String group) {}

    public record GroupRef(String id, String name, String organization) {}

    public record OrganizationRef(String id, String name) {}
}
