package dev.kitebridge.sandbox.model;

/**
 * The writable fields of a team, as both APIs send them. A null field is "not given": on create it
 * takes Buildkite's default, on update it keeps the current value.
 */
public record TeamFields(
        String name,
        String description,
        Team.Privacy privacy,
        Boolean isDefault,
        TeamMember.Role defaultMemberRole,
        Boolean membersCanCreatePipelines,
        Boolean membersCanCreateSuites,
        Boolean membersCanCreateRegistries,
        Boolean membersCanDestroyRegistries,
        Boolean membersCanDestroyPackages) {

    Team.Permissions permissionsOver(Team.Permissions current) {
        return new Team.Permissions(
                or(membersCanCreatePipelines, current.createPipelines()),
                or(membersCanCreateSuites, current.createSuites()),
                or(membersCanCreateRegistries, current.createRegistries()),
                or(membersCanDestroyRegistries, current.destroyRegistries()),
                or(membersCanDestroyPackages, current.destroyPackages()));
    }

    static <T> T or(T given, T fallback) {
        return given != null ? given : fallback;
    }
}
