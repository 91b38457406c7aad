package dev.kitebridge.sandbox.model;

import java.time.Instant;
import java.util.List;

/** An invitation to join an organization; only pending ones are listed by REST. */
public record Invitation(
        String uuid,
        String organizationUuid,
        String email,
        State state,
        Member.Role role,
        Member.SsoMode ssoMode,
        List<InvitedTeam> teams,
        Instant createdAt,
        String createdByUserUuid,
        Instant acceptedAt,
        String acceptedByUserUuid,
        Instant revokedAt,
        String revokedByUserUuid,
        Instant expiredAt) {

    public enum State { PENDING, ACCEPTED, REVOKED, EXPIRED }

    public record InvitedTeam(String teamUuid, TeamMember.Role role) {}

    public Invitation {
        teams = List.copyOf(teams);
    }

    public String graphqlId() {
        return GraphqlIds.of("OrganizationInvitation", uuid);
    }

    public Invitation revoked(Instant at, String byUserUuid) {
        return new Invitation(uuid, organizationUuid, email, State.REVOKED, role, ssoMode, teams, createdAt,
                createdByUserUuid, null, null, at, byUserUuid, null);
    }

    public Invitation accepted(Instant at, String byUserUuid) {
        return new Invitation(uuid, organizationUuid, email, State.ACCEPTED, role, ssoMode, teams, createdAt,
                createdByUserUuid, at, byUserUuid, null, null, null);
    }
}
