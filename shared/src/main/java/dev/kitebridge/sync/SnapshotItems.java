package dev.kitebridge.sync;

import dev.kitebridge.buildkite.TeamRole;
import dev.kitebridge.buildkite.graphql.Nodes.InvitationNode;
import dev.kitebridge.buildkite.rest.OrganizationMember;
import dev.kitebridge.buildkite.rest.Team;
import dev.kitebridge.directory.orgdata.MemberProfile;
import dev.kitebridge.directory.orgdata.TeamRoster;

/**
 * Buildkite's records as snapshot items, at their keys (see {@link SnapshotKeys}) and written as
 * {@link SnapshotParts} has them: one place for what a full run and a pass of changes write alike.
 */
final class SnapshotItems {

    private SnapshotItems() {}

    /** A member's GraphQL profile, kept without its raw answer: a snapshot keeps the fields. */
    static SnapshotStore.Item profile(String orgId, MemberProfile profile) {
        return item(SnapshotKeys.profile(orgId, profile.userUuid()), profile.withoutRaw());
    }

    static SnapshotStore.Item member(String orgId, OrganizationMember member) {
        return item(SnapshotKeys.member(orgId, member.id()), member);
    }

    static SnapshotStore.Item team(String orgId, Team team) {
        return item(SnapshotKeys.group(orgId, team.id()), team);
    }

    static SnapshotStore.Item membership(String orgId, String userId, String teamId, TeamRole role) {
        return item(SnapshotKeys.membership(orgId, userId, teamId), new SnapshotParts.Membership(role));
    }

    /** Each pipeline an item of the team's record, so that a team with thousands of them keeps the checkpoint small. */
    static SnapshotStore.Item pipeline(String orgId, String teamId, TeamRoster.PipelineAccess pipeline) {
        return item(SnapshotKeys.group(orgId, teamId) + "/p/" + pipeline.pipelineUuid(), pipeline);
    }

    /** A team's roster read through: its members counted, and listed beside it (see {@link TeamIndex}). */
    static SnapshotStore.Item rosterSummary(String orgId, String teamId, long membersCount) {
        return item(SnapshotKeys.group(orgId, teamId) + "/r", new SnapshotParts.RosterSummary(membersCount, true, true));
    }

    static SnapshotStore.Item invitation(String orgId, InvitationNode invitation) {
        return item(SnapshotKeys.invitation(orgId, invitation.uuid()), invitation);
    }

    private static SnapshotStore.Item item(String key, Object part) {
        return new SnapshotStore.Item(key, SnapshotParts.write(part));
    }
}
