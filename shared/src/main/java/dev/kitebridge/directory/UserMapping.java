package dev.kitebridge.directory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kitebridge.access.OrganizationRef;
import dev.kitebridge.buildkite.BuildkiteJson;
import dev.kitebridge.buildkite.OrganizationRole;
import dev.kitebridge.buildkite.SsoMode;
import dev.kitebridge.buildkite.TeamRole;
import dev.kitebridge.buildkite.graphql.Nodes.InvitationNode;
import dev.kitebridge.buildkite.graphql.Nodes.TeamAssignment;
import dev.kitebridge.buildkite.rest.Invitation;
import dev.kitebridge.buildkite.rest.OrganizationMember;
import dev.kitebridge.directory.model.UnifiedRole;
import dev.kitebridge.directory.model.UnifiedUser;
import dev.kitebridge.directory.orgdata.MemberProfile;
import dev.kitebridge.directory.orgdata.OrganizationData.UserTeam;
import dev.kitebridge.directory.orgdata.OrganizationData;
import dev.kitebridge.directory.orgdata.TeamRoster;

/** Buildkite's members and invitations in the unified User shape. */
final class UserMapping {

    private UserMapping() {}

    /**
     * A member: name, email, role and SSO mode as REST gives them now; 2FA, last seen, joined,
     * bot/machine user and avatar from the member's GraphQL profile; teams from the rosters.
     */
    static UnifiedUser member(OrganizationRef org, OrganizationMember member, JsonNode raw, Optional<MemberProfile> profile,
                              List<UserTeam> teams, boolean includeRemoteData) {
        OrganizationRole role = member.role() != null ? member.role() : profile.map(MemberProfile::role).orElse(null);
        SsoMode sso = member.ssoMode() != null ? member.ssoMode() : profile.map(MemberProfile::ssoMode).orElse(null);
        List<UnifiedUser.RoleRef> roles = new ArrayList<>();
        if (role != null) {
            roles.add(organizationRole(role, org));
        }
        List<UnifiedUser.GroupRef> groups = new ArrayList<>();
        // By name, whatever order the teams were read in (kept rosters, or the membership's GraphQL teams).
        List<UserTeam> byName = teams.stream().sorted(Comparator.comparing(UserTeam::teamName,
                Comparator.nullsLast(Comparator.naturalOrder())).thenComparing(UserTeam::teamUuid)).toList();
        for (UserTeam team : byName) {
            roles.add(teamRole(team.role(), team.teamUuid()));
            groups.add(new UnifiedUser.GroupRef(team.teamUuid(), team.teamName(), org.id()));
        }
        String[] names = split(member.name());
        UnifiedUser.UserType type = profile.map(p -> p.bot() ? UnifiedUser.UserType.BOT
                : p.machineUser() ? UnifiedUser.UserType.SERVICE_ACCOUNT : UnifiedUser.UserType.USER).orElse(null);
        JsonNode remote = null;
        if (includeRemoteData) {
            ObjectNode both = BuildkiteJson.MAPPER.createObjectNode();
            both.set("organization_member", raw);
            profile.ifPresent(p -> both.set("graphql_organization_member", p.raw()));
            remote = both;
        }
        return new UnifiedUser(member.id(), member.name(), names[0], names[1], List.of(UnifiedUser.Email.work(member.email())),
                UnifiedUser.Status.ACTIVE, type, profile.map(MemberProfile::twoFactorEnabled).orElse(null), lower(sso),
                roles, groups, List.of(new UnifiedUser.OrganizationRef(org.id(), org.name())),
                profile.map(MemberProfile::avatarUrl).orElse(null), profile.map(MemberProfile::joinedAt).orElse(null),
                profile.map(MemberProfile::lastSeenAt).orElse(null), remote);
    }

    /** A pending invitation: a user with {@code status: invited}, named only by email. */
    static UnifiedUser invitation(OrganizationRef org, InvitationNode invitation, JsonNode raw, boolean includeRemoteData) {
        List<UnifiedUser.RoleRef> roles = new ArrayList<>();
        if (invitation.role() != null) {
            roles.add(organizationRole(invitation.role(), org));
        }
        List<UnifiedUser.GroupRef> groups = new ArrayList<>();
        for (TeamAssignment team : invitation.teamAssignments()) {
            roles.add(teamRole(team.role(), team.team().uuid()));
            groups.add(new UnifiedUser.GroupRef(team.team().uuid(), team.team().name(), org.id()));
        }
        JsonNode remote = includeRemoteData
                ? BuildkiteJson.MAPPER.createObjectNode().set("graphql_organization_invitation", raw) : null;
        return new UnifiedUser(invitation.uuid(), null, null, null, List.of(UnifiedUser.Email.work(invitation.email())),
                UnifiedUser.Status.INVITED, null, null,
                invitation.sso() == null ? null : lower(invitation.sso().mode()), roles, groups,
                List.of(new UnifiedUser.OrganizationRef(org.id(), org.name())), null, invitation.createdAt(), null, remote);
    }

    /**
     * An invitation as Buildkite's REST API answers its creation. Its teams carry no role and no
     * name: the roles are the ones asked for, the names those kept, if any.
     */
    static UnifiedUser invitation(OrganizationRef org, Invitation invitation, JsonNode raw, List<UserWrites.GroupAssignment> asked,
                                  Optional<OrganizationData> rosters, boolean includeRemoteData) {
        List<UnifiedUser.RoleRef> roles = new ArrayList<>();
        if (invitation.role() != null) {
            roles.add(organizationRole(invitation.role(), org));
        }
        List<UnifiedUser.GroupRef> groups = new ArrayList<>();
        for (Invitation.TeamRef team : invitation.teams()) {
            asked.stream().filter(a -> a.groupId().equals(team.id())).findFirst()
                    .ifPresent(a -> roles.add(teamRole(a.role(), team.id())));
            String name = rosters.flatMap(r -> r.roster(team.id())).map(TeamRoster::name).orElse(null);
            groups.add(new UnifiedUser.GroupRef(team.id(), name, org.id()));
        }
        JsonNode remote = includeRemoteData ? BuildkiteJson.MAPPER.createObjectNode().set("organization_invitation", raw) : null;
        return new UnifiedUser(invitation.id(), null, null, null, List.of(UnifiedUser.Email.work(invitation.email())),
                UnifiedUser.Status.INVITED, null, null, lower(invitation.ssoMode()), roles, groups,
                List.of(new UnifiedUser.OrganizationRef(org.id(), org.name())), null, invitation.createdAt(), null, remote);
    }

    static UnifiedUser.RoleRef organizationRole(OrganizationRole role, OrganizationRef org) {
        UnifiedRole unified = role == OrganizationRole.ADMIN ? UnifiedRole.ORGANIZATION_ADMIN : UnifiedRole.ORGANIZATION_MEMBER;
        return new UnifiedUser.RoleRef(unified.id(), unified.name(), org.id(), null);
    }

    static UnifiedUser.RoleRef teamRole(TeamRole role, String teamUuid) {
        UnifiedRole unified = role == TeamRole.MAINTAINER ? UnifiedRole.TEAM_MAINTAINER : UnifiedRole.TEAM_MEMBER;
        return new UnifiedUser.RoleRef(unified.id(), unified.name(), null, teamUuid);
    }

    /**
     * First and last name from a full name: split at the first space; null for both where there is
     * no space to split at (one word, or a script written without spaces).
     */
    static String[] split(String name) {
        if (name == null) {
            return new String[] {null, null};
        }
        String trimmed = name.trim();
        int space = trimmed.indexOf(' ');
        if (space <= 0) {
            return new String[] {null, null};
        }
        return new String[] {trimmed.substring(0, space), trimmed.substring(space + 1).trim()};
    }

    private static String lower(Enum<?> value) {
        return value == null ? null : value.name().toLowerCase(Locale.ROOT);
    }

}
