package dev.kitebridge.directory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.access.OrganizationRef;
import dev.kitebridge.access.Session;
import dev.kitebridge.buildkite.Page;
import dev.kitebridge.buildkite.PageRequest;
import dev.kitebridge.buildkite.TeamRole;
import dev.kitebridge.buildkite.WithJson;
import dev.kitebridge.buildkite.rest.Team;
import dev.kitebridge.buildkite.rest.TeamChanges;
import dev.kitebridge.buildkite.rest.TeamMember;
import dev.kitebridge.contract.ApiError;
import dev.kitebridge.directory.model.UnifiedGroup;
import dev.kitebridge.directory.orgdata.OrganizationDataService;
import dev.kitebridge.directory.orgdata.TeamRoster;

/**
 * Groups (Buildkite teams) and their members: create, change, delete, add a user, change their
 * role, remove them. All on Buildkite's REST API, which keys teams and team members by the team's
 * and the user's UUIDs (the unified ids); GraphQL would key a membership by its own TeamMember id.
 */
public final class GroupWrites {

    static final String SCOPE = "write_teams";

    private final BuildkiteAccess access;
    private final OrganizationDataService data;
    private final UserWrites users;

    public GroupWrites(BuildkiteAccess access, OrganizationDataService data, UserWrites users) {
        this.access = access;
        this.data = data;
        this.users = users;
    }

    /** A membership as {@code POST /groups/add-user} answers it. */
    public record Membership(String groupId, String userId, String role) {}

    /** {@code POST /groups}: a team in the organization. */
    public UnifiedGroup create(Session session, String organizationId, TeamChanges team, boolean includeRemoteData) {
        access.requireScope(session, SCOPE);
        OrganizationRef org = UserWrites.organization(session, access, organizationId);
        WithJson<Team> answer = access.call(session, buildkite -> buildkite.teams().createWithJson(org.slug(), team));
        Team created = answer.value();
        // Buildkite may make the creator a member; the new team's roster is read rather than guessed.
        Optional<TeamRoster> roster;
        try {
            roster = Optional.of(new TeamRoster(created.id(), created.slug(), created.name(), members(session, org, created.id()),
                    List.of()));
        } catch (ApiError unread) {
            roster = Optional.empty(); // the team exists: answer it, and read the organization again later
        }
        roster.ifPresentOrElse(r -> data.changed(session, org.slug(), kept -> kept.teamSaved(r)), () -> data.forget(session, org.slug()));
        return GroupsService.group(org, created, answer.json(), roster, includeRemoteData);
    }

    /** {@code PATCH /groups/{id}}: only the fields given change. */
    public UnifiedGroup update(Session session, String groupId, String organizationId, TeamChanges changes,
                               boolean includeRemoteData) {
        access.requireScope(session, SCOPE);
        OrganizationRef org = organizationOf(session, groupId, organizationId);
        WithJson<Team> answer = access.call(session, buildkite -> buildkite.teams().updateWithJson(org.slug(), groupId, changes));
        Team updated = answer.value();
        data.changed(session, org.slug(), kept -> kept.teamRenamed(groupId, updated.slug(), updated.name()));
        return GroupsService.group(org, updated, answer.json(), roster(session, org, groupId), includeRemoteData);
    }

    /** {@code DELETE /groups/{id}}. */
    public void delete(Session session, String groupId, String organizationId) {
        access.requireScope(session, SCOPE);
        OrganizationRef org = organizationOf(session, groupId, organizationId);
        access.run(session, buildkite -> buildkite.teams().delete(org.slug(), groupId));
        data.changed(session, org.slug(), kept -> kept.teamDeleted(groupId, session.now()));
    }

    /**
     * {@code POST /groups/add-user}: adds an organization member to the team, or, if they are in it
     * already, changes their role there. Without a role, a new member gets the team's default.
     */
    public Membership addUser(Session session, String groupId, String userId, TeamRole role, String organizationId) {
        access.requireScope(session, SCOPE);
        OrganizationRef org = organizationOf(session, groupId, organizationId);
        users.requireMember(session, org, userId);
        Optional<TeamMember> current = membership(session, org, groupId, userId);
        TeamMember saved;
        if (current.isEmpty()) {
            saved = access.call(session, buildkite -> buildkite.teams().addMember(org.slug(), groupId, userId, role));
        } else if (role != null && role != current.get().role()) {
            saved = access.call(session, buildkite -> buildkite.teams().updateMember(org.slug(), groupId, userId, role));
        } else {
            saved = current.get(); // already so: nothing to write
        }
        TeamRole now = saved.role();
        data.changed(session, org.slug(), kept -> kept.teamMemberSet(groupId, userId, now));
        return new Membership(groupId, userId, "team:" + now.rest());
    }

    /** {@code POST /groups/remove-user}. */
    public void removeUser(Session session, String groupId, String userId, String organizationId) {
        access.requireScope(session, SCOPE);
        OrganizationRef org = organizationOf(session, groupId, organizationId);
        if (membership(session, org, groupId, userId).isEmpty()) {
            throw ApiError.notFound("user " + userId + " is not a member of group " + groupId);
        }
        access.run(session, buildkite -> buildkite.teams().removeMember(org.slug(), groupId, userId));
        data.changed(session, org.slug(), kept -> kept.teamMemberRemoved(groupId, userId));
    }

    private Optional<TeamMember> membership(Session session, OrganizationRef org, String groupId, String userId) {
        return access.find(session, buildkite -> buildkite.teams().member(org.slug(), groupId, userId));
    }

    /** The organization the team is in: the one named, or the first reachable one that has it. */
    private OrganizationRef organizationOf(Session session, String groupId, String organizationId) {
        List<OrganizationRef> orgs = organizationId == null ? access.organizations(session)
                : List.of(UserWrites.organization(session, access, organizationId));
        for (OrganizationRef org : orgs) {
            if (access.find(session, buildkite -> buildkite.teams().get(org.slug(), groupId)).isPresent()) {
                return org;
            }
        }
        throw ApiError.notFound("no group " + groupId + " in the organizations this account reaches");
    }

    private Optional<TeamRoster> roster(Session session, OrganizationRef org, String groupId) {
        return data.cached(session, org.slug(), GroupsService.ROSTERS).flatMap(v -> v.rosters().roster(groupId));
    }

    private List<TeamRoster.Member> members(Session session, OrganizationRef org, String teamId) {
        List<TeamRoster.Member> members = new ArrayList<>();
        Optional<PageRequest> next = Optional.of(PageRequest.first(PageRequest.MAX_PER_PAGE));
        while (next.isPresent()) {
            PageRequest request = next.get();
            Page<TeamMember> page = access.call(session, buildkite -> buildkite.teams().members(org.slug(), teamId, request));
            page.items().forEach(m -> members.add(new TeamRoster.Member(m.userId(), m.role())));
            next = page.next();
        }
        return members;
    }
}
