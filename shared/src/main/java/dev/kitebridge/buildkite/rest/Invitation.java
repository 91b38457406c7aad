package dev.kitebridge.buildkite.rest;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import dev.kitebridge.buildkite.InvitationState;
import dev.kitebridge.buildkite.OrganizationRole;
import dev.kitebridge.buildkite.SsoMode;

/** An invitation to join an organization (REST, July 2026). */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Invitation(
        String id,
        String graphqlId,
        String url,
        String email,
        InvitationState state,
        OrganizationRole role,
        SsoMode ssoMode,
        List<TeamRef> teams,
        Instant createdAt,
        Person createdBy,
        Instant acceptedAt,
        Person acceptedBy,
        Instant revokedAt,
        Person revokedBy,
        Instant expiredAt) {

    public Invitation {
        teams = teams == null ? List.of() : List.copyOf(teams);
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record TeamRef(String id, String graphqlId, String slug) {}

    public record Person(String id, String name, String email) {}
}
