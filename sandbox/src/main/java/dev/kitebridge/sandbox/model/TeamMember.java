package dev.kitebridge.sandbox.model;

import java.time.Instant;

/** A user's membership of one team. */
public record TeamMember(String uuid, String teamUuid, String userUuid, Role role, Instant createdAt) {

    public enum Role { MAINTAINER, MEMBER }

    public String graphqlId() {
        return GraphqlIds.of("TeamMember", uuid);
    }

    public TeamMember withRole(Role newRole) {
        return new TeamMember(uuid, teamUuid, userUuid, newRole, createdAt);
    }
}
