package dev.kitebridge.directory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.access.OrganizationRef;
import dev.kitebridge.access.Session;
import dev.kitebridge.buildkite.InvitationState;
import dev.kitebridge.buildkite.OrganizationRole;
import dev.kitebridge.buildkite.SsoMode;
import dev.kitebridge.buildkite.TeamRole;
import dev.kitebridge.buildkite.WithJson;
import dev.kitebridge.buildkite.graphql.Connection;
import dev.kitebridge.buildkite.graphql.Nodes.InvitationNode;
import dev.kitebridge.buildkite.rest.Invitation;
import dev.kitebridge.buildkite.rest.InvitationsResource;
import dev.kitebridge.buildkite.rest.OrganizationMember;
import dev.kitebridge.contract.ApiError;
import dev.kitebridge.directory.model.UnifiedUser;
import dev.kitebridge.directory.orgdata.OrganizationData;
import dev.kitebridge.directory.orgdata.OrganizationDataService;

/**
 * Provisioning and deprovisioning users: invite, change the organization role, remove. All on
 * Buildkite's REST API, which has an endpoint for each and keys members by user UUID (the unified
 * id); GraphQL would need the OrganizationMember id, one more read. Every write checks the
 * account's scopes and the ids first, so that a request Buildkite would refuse for those reasons
 * is refused without a call; what is kept about the organization is brought in step after it.
 */
public final class UserWrites {

    static final String INVITE_SCOPE = "write_organization_invitations";
    static final String MEMBER_SCOPE = "write_organizations";

    private final BuildkiteAccess access;
    private final OrganizationDataService data;

    public UserWrites(BuildkiteAccess access, OrganizationDataService data) {
        this.access = access;
        this.data = data;
    }

    /** {@code POST /users}: people to invite, by email. */
    public record Invite(String organizationId, List<String> emails, OrganizationRole role, SsoMode ssoMode,
                         List<GroupAssignment> groups) {

        public Invite {
            Map<String, String> unique = new LinkedHashMap<>();
            for (int i = 0; i < emails.size(); i++) {
                String email = emails.get(i).trim();
                if (!EMAIL.matcher(email).matches()) {
                    throw ApiError.invalidRequest("emails[" + i + "] is not an email address: '" + email + "'");
                }
                unique.putIfAbsent(email.toLowerCase(java.util.Locale.ROOT), email); // Buildkite ignores repeats too
            }
            emails = List.copyOf(unique.values());
            Set<String> teams = new java.util.HashSet<>();
            for (int i = 0; i < groups.size(); i++) {
                if (!teams.add(groups.get(i).groupId())) {
                    throw ApiError.invalidRequest("groups[" + i + "].id names group " + groups.get(i).groupId() + " again");
                }
            }
            groups = List.copyOf(groups);
        }

        /** One @, something before it, a dot after it, no spaces: Buildkite checks the rest. */
        private static final java.util.regex.Pattern EMAIL = java.util.regex.Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    }

    /** A team an invitation joins, and the role there. */
    public record GroupAssignment(String groupId, TeamRole role) {}

    /** Invites; the result is one invited user per invitation Buildkite created. */
    public List<UnifiedUser> invite(Session session, Invite invite, boolean includeRemoteData) {
        access.requireScope(session, INVITE_SCOPE);
        OrganizationRef org = organization(session, invite.organizationId());
        for (int i = 0; i < invite.groups().size(); i++) {
            requireTeam(session, org, "groups[" + i + "].id", invite.groups().get(i).groupId());
        }
        List<InvitationsResource.TeamAssignment> teams = invite.groups().stream()
                .map(g -> new InvitationsResource.TeamAssignment(g.groupId(), g.role())).toList();
        List<WithJson<Invitation>> created = access.call(session, buildkite -> buildkite.invitations()
                .createWithJson(org.slug(), invite.emails(), invite.role(), invite.ssoMode(), teams));
        Optional<OrganizationDataService.View> kept = data.cached(session, org.slug(), Set.of(OrganizationData.Part.ROSTERS));
        List<UnifiedUser> invited = new ArrayList<>();
        for (WithJson<Invitation> invitation : created) {
            invited.add(UserMapping.invitation(org, invitation.value(), invitation.json(), invite.groups(),
                    kept.map(OrganizationDataService.View::rosters), includeRemoteData));
        }
        return invited;
    }

    /** {@code PATCH /users/{id}}: the member's organization role. Buildkite refuses a change to yourself. */
    public UnifiedUser changeRole(Session session, String userId, String organizationId, OrganizationRole role,
                                  boolean includeRemoteData) {
        access.requireScope(session, MEMBER_SCOPE);
        OrganizationRef org = organization(session, organizationId);
        requireMember(session, org, userId);
        String self = access.call(session, buildkite -> buildkite.account().currentUser().id());
        if (self.equals(userId)) {
            // Buildkite refuses with 403 (the reference); the contract calls it a refusal, with Buildkite's reason.
            throw ApiError.refused("You can't change your own membership");
        }
        WithJson<OrganizationMember> changed = access.call(session,
                buildkite -> buildkite.organizations().updateMemberWithJson(org.slug(), userId, role, null));
        OrganizationMember member = changed.value();
        data.changed(session, org.slug(), kept -> kept.memberRoleChanged(userId, role));
        Optional<OrganizationDataService.View> kept = data.cached(session, org.slug(), UsersService.ALL_PARTS);
        return UserMapping.member(org, member, changed.json(), kept.flatMap(v -> v.profiles().profile(userId)),
                kept.map(v -> v.rosters().teamsOf(userId)).orElse(List.of()), includeRemoteData);
    }

    /**
     * {@code DELETE /users/{id}}: removes the member from the organization (Buildkite then stops
     * their tokens there), or revokes the pending invitation with that id.
     */
    public void remove(Session session, String id, String organizationId) {
        OrganizationRef org = organization(session, organizationId);
        if (isMember(session, org, id)) {
            access.requireScope(session, MEMBER_SCOPE);
            access.run(session, buildkite -> buildkite.organizations().removeMember(org.slug(), id));
            data.changed(session, org.slug(), kept -> kept.memberRemoved(id));
            return;
        }
        access.requireScope(session, INVITE_SCOPE);
        if (!isPendingInvitation(session, org, id)) {
            throw ApiError.notFound("no member or pending invitation " + id + " in organization " + org.slug());
        }
        access.run(session, buildkite -> buildkite.invitations().revoke(org.slug(), id));
    }

    /**
     * Whether the id is a pending invitation's, found through GraphQL: REST would need
     * read_organization_invitations, which the contract does not ask of a token.
     */
    private boolean isPendingInvitation(Session session, OrganizationRef org, String id) {
        String after = null;
        do {
            String cursor = after;
            Connection<InvitationNode> page = access.call(session, buildkite -> buildkite.graphql().invitations()
                    .list(org.slug(), UsersService.MEMBER_PAGE, cursor, List.of(InvitationState.PENDING)));
            if (page.nodes().stream().anyMatch(invitation -> invitation.uuid().equals(id))) {
                return true;
            }
            after = page.next().orElse(null);
        } while (after != null);
        return false;
    }

    static OrganizationRef organization(Session session, BuildkiteAccess access, String organizationId) {
        String id = Ids.resolve("organization_id", organizationId, Ids.Kind.ORGANIZATION);
        return ListQuery.onlyOrganization(access.organizations(session), id).get(0);
    }

    private OrganizationRef organization(Session session, String organizationId) {
        return organization(session, access, organizationId);
    }

    /** 404 unless the team is in the organization: before an invitation names it. */
    void requireTeam(Session session, OrganizationRef org, String field, String groupId) {
        if (access.find(session, buildkite -> buildkite.teams().get(org.slug(), groupId)).isEmpty()) {
            throw ApiError.notFound(field + ": no group " + groupId + " in organization " + org.slug());
        }
    }

    /** 404 naming the user and the organization, before a write Buildkite would refuse the same way. */
    void requireMember(Session session, OrganizationRef org, String userId) {
        if (!isMember(session, org, userId)) {
            throw ApiError.notFound("user " + userId + " is not a member of organization " + org.slug()
                    + " (a pending invitation becomes a member when it is accepted)");
        }
    }

    private boolean isMember(Session session, OrganizationRef org, String userId) {
        return access.find(session, buildkite -> buildkite.organizations().member(org.slug(), userId)).isPresent();
    }
}
