package dev.kitebridge.directory.model;

import java.util.List;
import java.util.Optional;

/**
 * Buildkite's roles: two scopes, a fixed catalog. Organization roles apply to members of an
 * organization, team roles to members of a group (team).
 */
public record UnifiedRole(String id, String name, String description, String applicableIn, List<String> permissions) {

    public static final UnifiedRole ORGANIZATION_ADMIN = new UnifiedRole("organization:admin", "Administrator",
            "Full access to the entire organization.", "organization",
            List.of("manage organization settings and billing", "invite, remove and change the role of members",
                    "create, change and delete teams", "see and manage every pipeline, including those of secret teams",
                    "manage agents, clusters, SSO and API access"));
    public static final UnifiedRole ORGANIZATION_MEMBER = new UnifiedRole("organization:member", "Member",
            "A member of the organization; what they reach comes from their teams.", "organization",
            List.of("see the organization's members and visible teams", "use the pipelines their teams give them",
                    "create pipelines where their teams allow it"));
    public static final UnifiedRole TEAM_MAINTAINER = new UnifiedRole("team:maintainer", "Maintainer",
            "Manages a team: its members and its pipelines.", "group",
            List.of("add and remove team members and change their roles", "manage the team's pipelines, suites and registries",
                    "create pipelines, suites and registries in the team"));
    public static final UnifiedRole TEAM_MEMBER = new UnifiedRole("team:member", "Member",
            "A member of a team, with the access the team grants.", "group",
            List.of("use the team's pipelines at the team's access level",
                    "create pipelines, suites and registries where the team allows members to"));

    public static final List<UnifiedRole> CATALOG = List.of(ORGANIZATION_ADMIN, ORGANIZATION_MEMBER, TEAM_MAINTAINER, TEAM_MEMBER);

    public static Optional<UnifiedRole> byId(String id) {
        return CATALOG.stream().filter(r -> r.id().equals(id)).findFirst();
    }
}
