package dev.kitebridge.directory;

import java.util.List;
import java.util.Optional;

import dev.kitebridge.access.OrganizationRef;
import dev.kitebridge.buildkite.TeamRole;
import dev.kitebridge.buildkite.graphql.Nodes.InvitationNode;
import dev.kitebridge.buildkite.rest.OrganizationMember;
import dev.kitebridge.buildkite.rest.Team;
import dev.kitebridge.directory.model.UnifiedGroup;
import dev.kitebridge.directory.model.UnifiedUser;
import dev.kitebridge.directory.orgdata.MemberProfile;
import dev.kitebridge.directory.orgdata.OrganizationData.UserTeam;
import dev.kitebridge.directory.orgdata.TeamRoster;

/**
 * The unified records made from Buildkite's parts, for readers outside the directory's lists (a
 * sync run builds them from its snapshot), so that a synced record and a listed one are the same.
 * Without remote data: a snapshot keeps the fields, not Buildkite's raw answers.
 */
public final class DirectoryRecords {

    private DirectoryRecords() {}

    public static UnifiedUser member(OrganizationRef org, OrganizationMember member, Optional<MemberProfile> profile,
                                     List<UserTeam> teams) {
        return UserMapping.member(org, member, null, profile, teams, false);
    }

    /** A pending invitation as GraphQL lists it: with up to five of its teams, and the role in each. */
    public static UnifiedUser invitation(OrganizationRef org, InvitationNode invitation) {
        return UserMapping.invitation(org, invitation, null, false);
    }

    /** A team role's id, as users' {@code roles} name it (for membership events). */
    public static String teamRoleId(TeamRole role) {
        return UserMapping.teamRole(role, null).id();
    }

    /** A team with how many members it has and its pipelines (a snapshot counts members rather than keep a roster). */
    public static UnifiedGroup group(OrganizationRef org, Team team, int membersCount, List<TeamRoster.PipelineAccess> pipelines) {
        UnifiedGroup g = GroupsService.group(org, team, null,
                Optional.of(new TeamRoster(team.id(), team.slug(), team.name(), List.of(), pipelines)), false);
        return new UnifiedGroup(g.id(), g.name(), g.slug(), g.description(), g.organization(), g.groupType(), g.privacy(), g.isDefault(),
                g.defaultMemberRole(), membersCount, g.pipelines(), g.createdAt(), null);
    }
}
