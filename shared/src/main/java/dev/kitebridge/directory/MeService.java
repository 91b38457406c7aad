package dev.kitebridge.directory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.access.OrganizationRef;
import dev.kitebridge.access.Session;
import dev.kitebridge.buildkite.BuildkiteJson;
import dev.kitebridge.buildkite.WithJson;
import dev.kitebridge.buildkite.graphql.Connection;
import dev.kitebridge.buildkite.graphql.Nodes.MemberNode;
import dev.kitebridge.buildkite.graphql.Nodes.TeamAssignment;
import dev.kitebridge.buildkite.rest.User;
import dev.kitebridge.directory.model.UnifiedUser;

/**
 * Me: the token's own user, with every organization, role and group it has. Read live: the user
 * from REST, and one GraphQL query per organization for the membership and its teams.
 */
public final class MeService {

    private final BuildkiteAccess access;

    public MeService(BuildkiteAccess access) {
        this.access = access;
    }

    public UnifiedUser me(Session session, boolean includeRemoteData) {
        return access.call(session, buildkite -> {
            WithJson<User> read = buildkite.account().currentUserWithJson();
            User user = read.value();
            List<OrganizationRef> orgs = access.organizations(session);
            List<UnifiedUser.RoleRef> roles = new ArrayList<>();
            List<UnifiedUser.GroupRef> groups = new ArrayList<>();
            List<UnifiedUser.OrganizationRef> organizations = new ArrayList<>();
            ArrayNode memberships = BuildkiteJson.MAPPER.createArrayNode();
            MemberNode anyMembership = null;
            for (OrganizationRef org : orgs) {
                Optional<Connection<MemberNode>> found = buildkite.graphql().members().byEmail(org.slug(), user.email());
                if (found.isEmpty()) {
                    continue;
                }
                MemberNode member = found.get().nodes().get(0);
                memberships.add(found.get().raw().get(0));
                anyMembership = anyMembership == null ? member : anyMembership;
                organizations.add(new UnifiedUser.OrganizationRef(org.id(), org.name()));
                if (member.role() != null) {
                    roles.add(UserMapping.organizationRole(member.role(), org));
                }
                for (TeamAssignment team : member.teamAssignments()) {
                    roles.add(UserMapping.teamRole(team.role(), team.team().uuid()));
                    groups.add(new UnifiedUser.GroupRef(team.team().uuid(), team.team().name(), org.id()));
                }
            }
            String[] names = UserMapping.split(user.name());
            MemberNode profile = anyMembership;
            JsonNode remote = null;
            if (includeRemoteData) {
                ObjectNode both = BuildkiteJson.MAPPER.createObjectNode();
                both.set("user", read.json());
                both.set("graphql_organization_members", memberships);
                remote = both;
            }
            UnifiedUser.UserType type = profile == null ? UnifiedUser.UserType.USER
                    : profile.user().bot() ? UnifiedUser.UserType.BOT
                    : profile.user().machineUser() ? UnifiedUser.UserType.SERVICE_ACCOUNT : UnifiedUser.UserType.USER;
            return new UnifiedUser(user.id(), user.name(), names[0], names[1], List.of(UnifiedUser.Email.work(user.email())),
                    UnifiedUser.Status.ACTIVE, type,
                    profile == null || profile.security() == null ? null : profile.security().twoFactorEnabled(),
                    profile == null || profile.sso() == null || profile.sso().mode() == null ? null
                            : profile.sso().mode().name().toLowerCase(java.util.Locale.ROOT),
                    roles, groups, organizations, user.avatarUrl(), user.createdAt(),
                    profile == null ? null : profile.lastSeenAt(), remote);
        });
    }
}
