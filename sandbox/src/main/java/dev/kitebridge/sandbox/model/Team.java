package dev.kitebridge.sandbox.model;

import java.time.Instant;

/** A team inside one organization. */
public record Team(
        String uuid,
        String organizationUuid,
        String name,
        String slug,
        String description,
        Privacy privacy,
        boolean isDefault,
        TeamMember.Role defaultMemberRole,
        Permissions memberPermissions,
        Instant createdAt,
        String createdByUserUuid) {

    public enum Privacy { VISIBLE, SECRET }

    /** What ordinary team members may create or destroy; maintainers always may. */
    public record Permissions(
            boolean createPipelines,
            boolean createSuites,
            boolean createRegistries,
            boolean destroyRegistries,
            boolean destroyPackages) {

        public static final Permissions DEFAULT = new Permissions(true, true, true, false, false);
    }

    public String graphqlId() {
        return GraphqlIds.of("Team", uuid);
    }
}
