package dev.kitebridge.sandbox.model;

import java.time.Instant;

/** A user's membership of one organization (GraphQL's OrganizationMember). */
public record Member(
        String uuid,
        String organizationUuid,
        String userUuid,
        Role role,
        SsoMode ssoMode,
        Instant createdAt,
        Instant lastSeenAt,
        boolean complimentary) {

    public enum Role { ADMIN, MEMBER }

    public enum SsoMode { OPTIONAL, REQUIRED }

    public String graphqlId() {
        return GraphqlIds.of("OrganizationMember", uuid);
    }

    public Member withRole(Role newRole) {
        return new Member(uuid, organizationUuid, userUuid, newRole, ssoMode, createdAt, lastSeenAt, complimentary);
    }

    public Member seenAt(Instant when) {
        return new Member(uuid, organizationUuid, userUuid, role, ssoMode, createdAt, when, complimentary);
    }

    public Member withSsoMode(SsoMode newMode) {
        return new Member(uuid, organizationUuid, userUuid, role, newMode, createdAt, lastSeenAt, complimentary);
    }
}
