package dev.kitebridge.directory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.kitebridge.buildkite.rest.Invitation;
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

    /** A pending invitation as REST lists it: its teams by id, named from {@code teamNames} (no role: REST does not say). */
    public static UnifiedUser invitation(OrganizationRef org, Invitation invitation, Map<String, String> teamNames) {
        UnifiedUser listed = UserMapping.invitation(org, invitation, null, List.of(), Optional.empty(), false);
        List<UnifiedUser.GroupRef> groups = new ArrayList<>();
        for (UnifiedUser.GroupRef group : listed.groups()) {
            groups.add(new UnifiedUser.GroupRef(group.id(), teamNames.get(group.id()), group.organization()));
        }
        return new UnifiedUser(listed.id(), listed.name(), listed.firstName(), listed.lastName(), listed.emails(), listed.status(),
                listed.userType(), listed.is2faEnabled(), listed.ssoMode(), listed.roles(), groups, listed.organizations(),
                listed.avatar(), listed.createdAt(), listed.lastActiveAt(), null);
    }

    /** A team with how many members it has and its pipelines (a snapshot counts members rather than keep a roster). */
    public static UnifiedGroup group(OrganizationRef org, Team team, int membersCount, List<TeamRoster.PipelineAccess> pipelines) {
        UnifiedGroup g = GroupsService.group(org, team, null,
                Optional.of(new TeamRoster(team.id(), team.slug(), team.name(), List.of(), pipelines)), false);
        return new UnifiedGroup(g.id(), g.name(), g.slug(), g.description(), g.organization(), g.groupType(), g.privacy(), g.isDefault(),
                g.defaultMemberRole(), membersCount, g.pipelines(), g.createdAt(), null);
    }
}
