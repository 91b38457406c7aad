package dev.kitebridge.buildkite.graphql;

import java.time.Instant;
import java.util.List;

import dev.kitebridge.buildkite.InvitationState;
import dev.kitebridge.buildkite.OrganizationRole;
import dev.kitebridge.buildkite.SsoMode;
import dev.kitebridge.buildkite.TeamPrivacy;
import dev.kitebridge.buildkite.TeamRole;

/**
 * The objects this client's GraphQL documents select, shaped as Buildkite answers them. GraphQL
 * {@code id}s are base64 of {@code Type---uuid}, and each kind differs: an organization member's
 * id is not its user's id.
 */
public final class Nodes {

    private Nodes() {}

    public record Avatar(String url) {}

    public record UserNode(String id, String uuid, String name, String email, Avatar avatar, boolean bot,
                           boolean machineUser) {}

    public record OrganizationNode(String id, String uuid, String slug, String name, Boolean isTeamsEnabled) {}

    public record Viewer(String id, UserNode user, Connection<OrganizationNode> organizations) {}

    public record Sso(SsoMode mode) {}

    public record Security(boolean twoFactorEnabled, boolean passwordProtected) {}

    /** An organization membership; {@code lastSeenAt} is null for members never seen. */
    public record MemberNode(String id, String uuid, OrganizationRole role, Instant createdAt, Instant lastSeenAt,
                             boolean complimentary, Sso sso, Security security, UserNode user, TeamAssignments teams) {

        /** The member's teams, where the document asked for them. */
        public List<TeamAssignment> teamAssignments() {
            return teams == null || teams.edges() == null ? List.of()
                    : teams.edges().stream().map(TeamAssignmentEdge::node).toList();
        }
    }

    public record Count(int count) {}

    public record TeamNode(String id, String uuid, String slug, String name, String description, TeamPrivacy privacy,
                           boolean isDefaultTeam, TeamRole defaultMemberRole, Instant createdAt,
                           boolean membersCanCreatePipelines, boolean membersCanCreateSuites,
                           boolean membersCanCreateRegistries, boolean membersCanDestroyRegistries,
                           boolean membersCanDestroyPackages, Count members) {}

    public record TeamMemberNode(String id, String uuid, TeamRole role, Instant createdAt, UserNode user) {}

    public record TeamRef(String id, String uuid, String slug, String name) {}

    public record TeamAssignment(TeamRole role, TeamRef team) {}

    public record TeamAssignmentEdge(TeamAssignment node) {}

    public record TeamAssignments(List<TeamAssignmentEdge> edges) {}

    public record InvitationNode(String id, String uuid, String email, OrganizationRole role, InvitationState state,
                                 Instant createdAt, Sso sso, TeamAssignments teams) {

        /** The teams the invitation will join (at most five are asked for). */
        public List<TeamAssignment> teamAssignments() {
            return teams == null || teams.edges() == null ? List.of()
                    : teams.edges().stream().map(TeamAssignmentEdge::node).toList();
        }
    }
}
