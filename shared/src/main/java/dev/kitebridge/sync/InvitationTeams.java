package dev.kitebridge.sync;

import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.kitebridge.buildkite.graphql.Nodes.InvitationNode;
import dev.kitebridge.buildkite.graphql.Nodes.TeamAssignment;
import dev.kitebridge.buildkite.graphql.Nodes.TeamAssignmentEdge;
import dev.kitebridge.buildkite.graphql.Nodes.TeamAssignments;
import dev.kitebridge.buildkite.graphql.Nodes.TeamRef;
import dev.kitebridge.buildkite.rest.Team;

/**
 * A pending invitation's teams, renamed as a pass of changes read them. An invitation carries the
 * name and slug of each team it will join, so a renamed team changes it; a pass with a team
 * rebuilds the invitations that name it from the team it read, instead of reading every pending
 * invitation of the organization again (some 5 GraphQL points each). Nothing else of an
 * invitation moves with its teams: where one is made, accepted or revoked, or a team is deleted,
 * the pass reads the invitations themselves (an INVITATIONS subject) and rebuilds nothing.
 */
final class InvitationTeams {

    private InvitationTeams() {}

    /** Whether the invitation (a snapshot item) names one of the teams. */
    static boolean names(SnapshotStore.Item invitation, Set<String> teams) {
        return read(invitation).teamAssignments().stream()
                .anyMatch(a -> a != null && a.team() != null && teams.contains(a.team().uuid()));
    }

    /**
     * The invitation with each team it names among {@code teams} (by UUID, as the pass read them)
     * carrying that team's name and slug; the item itself where nothing differs.
     */
    static SnapshotStore.Item renamed(SnapshotStore.Item invitation, Map<String, Team> teams) {
        InvitationNode node = read(invitation);
        if (node.teams() == null || node.teams().edges() == null) {
            return invitation;
        }
        List<TeamAssignmentEdge> edges = node.teams().edges().stream().map(edge -> {
            TeamAssignment assignment = edge == null ? null : edge.node();
            Team team = assignment == null || assignment.team() == null ? null : teams.get(assignment.team().uuid());
            if (team == null) {
                return edge;
            }
            TeamRef ref = assignment.team();
            return new TeamAssignmentEdge(new TeamAssignment(assignment.role(), new TeamRef(ref.id(), ref.uuid(), team.slug(), team.name())));
        }).toList();
        InvitationNode renamed = new InvitationNode(node.id(), node.uuid(), node.email(), node.role(), node.state(), node.createdAt(),
                node.sso(), new TeamAssignments(edges));
        SnapshotStore.Item item = new SnapshotStore.Item(invitation.key(), SnapshotParts.write(renamed));
        return item.data().equals(invitation.data()) ? invitation : item;
    }

    private static InvitationNode read(SnapshotStore.Item invitation) {
        return SnapshotParts.read(invitation.data(), InvitationNode.class);
    }
}
