package dev.kitebridge.sandbox.model;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Everything the sandbox knows: users, organizations and what is inside them, and API tokens.
 *
 * <p>Both APIs read and write through here, so a write through one is visible to a read through the
 * other. Writes apply Buildkite's rules (the last admin, changing yourself, a name taken) and
 * answer a {@link Refusal} when one is broken. Reads hand out immutable snapshots.
 *
 * <p>Every change made after the world is built (through either API, or directly by a test playing
 * a person in Buildkite's web UI) records an {@link AuditEvent} in its organization's audit log:
 * actor the user making it, context the API token when it came through an API
 * ({@link #throughApi}) and the web UI otherwise. What the builders ({@code add…}) put in place is
 * the world as it was before the log began, and records nothing. A log keeps the newest
 * {@link #MAX_AUDIT_EVENTS} events of its organization and drops the oldest beyond.
 */
public final class World {

    /** Buildkite's limit of teams per organization. */
    public static final int MAX_TEAMS = 250;

    /**
     * How many audit events an organization's log keeps: the newest; older ones are dropped (Buildkite
     * keeps its log for a retention period instead, and a poller that falls that far behind must
     * reconcile in full either way).
     */
    public static final int MAX_AUDIT_EVENTS = 10_000;

    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$");

    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final IdSource ids;
    private final Supplier<Instant> clock;

    private final Map<String, UserAccount> users = new LinkedHashMap<>();
    private final Map<String, String> userUuidByEmail = new HashMap<>();
    private final Map<String, Organization> organizations = new LinkedHashMap<>();
    private final Map<String, String> organizationUuidBySlug = new HashMap<>();
    private final Map<String, OrgState> orgStates = new HashMap<>();
    private final Map<String, ApiToken> tokensBySecret = new HashMap<>();
    /** The API token of the request the current thread is answering; none for a change "in the web UI". */
    private final ThreadLocal<ApiToken> apiCall = new ThreadLocal<>();

    /** The contents of one organization, with the indexes that its reads need. */
    private static final class OrgState {
        final Map<String, Member> membersByUser = new LinkedHashMap<>();
        final Map<String, String> userByMemberUuid = new HashMap<>();
        final Map<String, Team> teams = new LinkedHashMap<>();
        final Map<String, Map<String, TeamMember>> teamMembers = new HashMap<>();
        final Map<String, Set<String>> teamsByUser = new HashMap<>();
        final Map<String, Pipeline> pipelines = new LinkedHashMap<>();
        final Map<String, Map<String, TeamPipeline>> teamPipelines = new HashMap<>();
        final Map<String, Invitation> invitations = new LinkedHashMap<>();
        /** Oldest first, at most {@link #MAX_AUDIT_EVENTS}. */
        final Deque<AuditEvent> auditLog = new ArrayDeque<>();
    }

    /** Whether a user may read an organization's audit log, and if not, why. */
    public enum AuditAccess { ALLOWED, NOT_ENTERPRISE, NOT_ADMIN }

    public World(IdSource ids, Supplier<Instant> clock) {
        this.ids = ids;
        this.clock = clock;
    }

    public IdSource ids() {
        return ids;
    }

    public Instant now() {
        return clock.get();
    }

    // ---------------------------------------------------------------- building (generator, tests)

    public void addUser(UserAccount user) {
        write(() -> {
            users.put(user.uuid(), user);
            userUuidByEmail.put(user.email().toLowerCase(Locale.ROOT), user.uuid());
        });
    }

    public void addOrganization(Organization organization) {
        write(() -> {
            organizations.put(organization.uuid(), organization);
            organizationUuidBySlug.put(organization.slug(), organization.uuid());
            orgStates.put(organization.uuid(), new OrgState());
        });
    }

    public void addMember(Member member) {
        write(() -> {
            OrgState org = state(member.organizationUuid());
            org.membersByUser.put(member.userUuid(), member);
            org.userByMemberUuid.put(member.uuid(), member.userUuid());
        });
    }

    public void addTeam(Team team) {
        write(() -> {
            OrgState org = state(team.organizationUuid());
            org.teams.put(team.uuid(), team);
            org.teamMembers.put(team.uuid(), new LinkedHashMap<>());
            org.teamPipelines.put(team.uuid(), new LinkedHashMap<>());
        });
    }

    public void addTeamMember(String organizationUuid, TeamMember teamMember) {
        write(() -> putTeamMember(state(organizationUuid), teamMember));
    }

    public void addPipeline(Pipeline pipeline) {
        write(() -> state(pipeline.organizationUuid()).pipelines.put(pipeline.uuid(), pipeline));
    }

    public void addTeamPipeline(String organizationUuid, TeamPipeline teamPipeline) {
        write(() -> state(organizationUuid).teamPipelines.get(teamPipeline.teamUuid())
                .put(teamPipeline.pipelineUuid(), teamPipeline));
    }

    public void addInvitation(Invitation invitation) {
        write(() -> state(invitation.organizationUuid()).invitations.put(invitation.uuid(), invitation));
    }

    public void addToken(ApiToken token) {
        write(() -> tokensBySecret.put(token.secret(), token));
    }

    // ---------------------------------------------------------------- reads

    public Optional<ApiToken> tokenBySecret(String secret) {
        return read(() -> Optional.ofNullable(tokensBySecret.get(secret)));
    }


    public Optional<UserAccount> user(String uuid) {
        return read(() -> Optional.ofNullable(users.get(uuid)));
    }

    public UserAccount requireUser(String uuid) {
        return user(uuid).orElseThrow(() -> Refusal.notFound("No user found"));
    }

    public Optional<UserAccount> userByEmail(String email) {
        return read(() -> Optional.ofNullable(userUuidByEmail.get(email.toLowerCase(Locale.ROOT))).map(users::get));
    }

    public List<UserAccount> users() {
        return read(() -> List.copyOf(users.values()));
    }

    public List<Organization> organizations() {
        return read(() -> List.copyOf(organizations.values()));
    }

    public Optional<Organization> organizationBySlug(String slug) {
        return read(() -> Optional.ofNullable(organizationUuidBySlug.get(slug)).map(organizations::get));
    }

    public Optional<Organization> organizationByUuid(String uuid) {
        return read(() -> Optional.ofNullable(organizations.get(uuid)));
    }

    /** The organizations the token can use: those it was granted that its user still belongs to. */
    public List<Organization> reachableOrganizations(ApiToken token) {
        return read(() -> organizations.values().stream()
                .filter(org -> token.reaches(org.slug()))
                .filter(org -> state(org.uuid()).membersByUser.containsKey(token.userUuid()))
                .toList());
    }

    /** Members in the order they joined. */
    public List<Member> members(String organizationUuid) {
        return read(() -> List.copyOf(state(organizationUuid).membersByUser.values()));
    }


    public Optional<Member> member(String organizationUuid, String userUuid) {
        return read(() -> Optional.ofNullable(state(organizationUuid).membersByUser.get(userUuid)));
    }

    public Optional<Member> memberByUuid(String organizationUuid, String memberUuid) {
        return read(() -> {
            OrgState org = state(organizationUuid);
            return Optional.ofNullable(org.userByMemberUuid.get(memberUuid)).map(org.membersByUser::get);
        });
    }

    /** Finds a membership by its uuid in any organization. */
    public Optional<Member> memberByUuid(String memberUuid) {
        return read(() -> orgStates.values().stream()
                .filter(org -> org.userByMemberUuid.containsKey(memberUuid))
                .map(org -> org.membersByUser.get(org.userByMemberUuid.get(memberUuid)))
                .findFirst());
    }

    public boolean isAdmin(String organizationUuid, String userUuid) {
        return member(organizationUuid, userUuid).map(m -> m.role() == Member.Role.ADMIN).orElse(false);
    }

    /** Teams in the order they were created, whether or not a given viewer may see them. */
    public List<Team> teams(String organizationUuid) {
        return read(() -> List.copyOf(state(organizationUuid).teams.values()));
    }

    /** Teams the viewer may see: secret teams only to organization admins and the team's members. */
    public List<Team> visibleTeams(String organizationUuid, String viewerUserUuid) {
        return read(() -> state(organizationUuid).teams.values().stream()
                .filter(team -> canSeeLocked(team, viewerUserUuid))
                .toList());
    }

    public Optional<Team> team(String organizationUuid, String teamUuid) {
        return read(() -> Optional.ofNullable(state(organizationUuid).teams.get(teamUuid)));
    }

    /** Finds a team by its uuid in any organization. */
    public Optional<Team> team(String teamUuid) {
        return read(() -> orgStates.values().stream()
                .map(org -> org.teams.get(teamUuid))
                .filter(t -> t != null)
                .findFirst());
    }

    public boolean canSee(Team team, String viewerUserUuid) {
        return read(() -> canSeeLocked(team, viewerUserUuid));
    }

    /** Members of a team in the order they joined. */
    public List<TeamMember> teamMembers(String organizationUuid, String teamUuid) {
        return read(() -> List.copyOf(state(organizationUuid).teamMembers.getOrDefault(teamUuid, Map.of()).values()));
    }

    public int teamMemberCount(String organizationUuid, String teamUuid) {
        return read(() -> state(organizationUuid).teamMembers.getOrDefault(teamUuid, Map.of()).size());
    }

    public Optional<TeamMember> teamMember(String organizationUuid, String teamUuid, String userUuid) {
        return read(() -> Optional.ofNullable(
                state(organizationUuid).teamMembers.getOrDefault(teamUuid, Map.of()).get(userUuid)));
    }

    /** Finds a team membership by its uuid in any organization. */
    public Optional<TeamMember> teamMemberByUuid(String teamMemberUuid) {
        return read(() -> orgStates.values().stream()
                .flatMap(org -> org.teamMembers.values().stream())
                .flatMap(byUser -> byUser.values().stream())
                .filter(tm -> tm.uuid().equals(teamMemberUuid))
                .findFirst());
    }

    /** The user's team memberships in an organization, in the order they were made. */
    public List<TeamMember> teamMembershipsOf(String organizationUuid, String userUuid) {
        return read(() -> {
            OrgState org = state(organizationUuid);
            Set<String> teamUuids = org.teamsByUser.getOrDefault(userUuid, Set.of());
            List<TeamMember> out = new ArrayList<>(teamUuids.size());
            for (String teamUuid : teamUuids) {
                out.add(org.teamMembers.get(teamUuid).get(userUuid));
            }
            return out;
        });
    }

    public List<Pipeline> pipelines(String organizationUuid) {
        return read(() -> List.copyOf(state(organizationUuid).pipelines.values()));
    }

    public Optional<Pipeline> pipeline(String organizationUuid, String pipelineUuid) {
        return read(() -> Optional.ofNullable(state(organizationUuid).pipelines.get(pipelineUuid)));
    }

    public List<TeamPipeline> teamPipelines(String organizationUuid, String teamUuid) {
        return read(() -> List.copyOf(state(organizationUuid).teamPipelines.getOrDefault(teamUuid, Map.of()).values()));
    }

    /** Invitations in any state, oldest first. */
    public List<Invitation> invitations(String organizationUuid) {
        return read(() -> List.copyOf(state(organizationUuid).invitations.values()));
    }

    /** Finds an invitation by its uuid in any organization. */
    public Optional<Invitation> invitation(String invitationUuid) {
        return read(() -> orgStates.values().stream().map(org -> org.invitations.get(invitationUuid))
                .filter(java.util.Objects::nonNull).findFirst());
    }

    public Optional<Invitation> invitation(String organizationUuid, String invitationUuid) {
        return read(() -> Optional.ofNullable(state(organizationUuid).invitations.get(invitationUuid)));
    }

    /** The organization's audit log, newest first (events of the same instant: the later made first). */
    public List<AuditEvent> auditEvents(String organizationUuid) {
        return read(() -> {
            List<AuditEvent> newestFirst = new ArrayList<>(state(organizationUuid).auditLog);
            java.util.Collections.reverse(newestFirst);
            return newestFirst;
        });
    }

    /** The audit log is an Enterprise feature, for the organization's administrators only. */
    public AuditAccess auditAccess(String organizationUuid, String userUuid) {
        return read(() -> {
            Organization org = organizations.get(organizationUuid);
            if (org == null || !org.enterprise()) {
                return AuditAccess.NOT_ENTERPRISE;
            }
            Member member = state(organizationUuid).membersByUser.get(userUuid);
            return member != null && member.role() == Member.Role.ADMIN ? AuditAccess.ALLOWED : AuditAccess.NOT_ADMIN;
        });
    }

    // ---------------------------------------------------------------- settings (tests)

    /** Puts an organization on the Enterprise plan or takes it off (the audit log's gate); records nothing. */
    public Organization setEnterprise(String organizationUuid, boolean enterprise) {
        return write(() -> {
            Organization current = organizations.get(organizationUuid);
            if (current == null) {
                throw Refusal.notFound("No organization found");
            }
            Organization changed = current.withEnterprise(enterprise);
            organizations.put(organizationUuid, changed);
            return changed;
        });
    }

    /**
     * Runs {@code body} as the answer to an API request made with {@code token}: the audit events it
     * records have an API context naming the token. Changes made outside it are the web UI's.
     */
    public <T> T throughApi(ApiToken token, Supplier<T> body) {
        ApiToken outer = apiCall.get();
        apiCall.set(token);
        try {
            return body.get();
        } finally {
            if (outer == null) {
                apiCall.remove();
            } else {
                apiCall.set(outer);
            }
        }
    }

    // ---------------------------------------------------------------- writes (both APIs)

    /** Changes a member's role or SSO mode; at least one must be given. */
    public Member updateMember(Organization org, String actorUuid, String userUuid,
                               Member.Role role, Member.SsoMode ssoMode) {
        return write(() -> {
            OrgState state = state(org.uuid());
            requireAdmin(org, actorUuid);
            Member member = requireMember(state, userUuid);
            if (role == null && ssoMode == null) {
                throw Refusal.invalid("Validation failed: Please provide a role or sso_mode");
            }
            if (userUuid.equals(actorUuid)) {
                throw Refusal.forbidden("You can't change your own membership");
            }
            if (role == Member.Role.MEMBER && member.role() == Member.Role.ADMIN && adminCount(state) == 1) {
                throw Refusal.invalid("Validation failed: An organization must have at least one admin");
            }
            Member updated = member;
            if (role != null) {
                updated = updated.withRole(role);
            }
            if (ssoMode != null) {
                updated = updated.withSsoMode(ssoMode);
            }
            state.membersByUser.put(userUuid, updated);
            Map<String, Object> data = data("user_uuid", userUuid);
            if (role != null) {
                data.put("role", role.name().toLowerCase(Locale.ROOT));
            }
            if (ssoMode != null) {
                data.put("sso_mode", ssoMode.name().toLowerCase(Locale.ROOT));
            }
            record(org.uuid(), "ORGANIZATION_MEMBER_UPDATED", actorUuid, memberSubject(updated), data);
            return updated;
        });
    }

    /** The member was seen by Buildkite at {@code when} (their "last seen" moves; nothing else does). */
    public Member memberSeen(Organization org, String userUuid, Instant when) {
        return write(() -> {
            OrgState state = state(org.uuid());
            Member seen = requireMember(state, userUuid).seenAt(when);
            state.membersByUser.put(userUuid, seen);
            return seen;
        });
    }

    /**
     * A day's visits: {@code share} of the organization's members, chosen by {@code random}, are seen
     * now (their "last seen" moves, as {@link #memberSeen}; no audit event, as Buildkite logs none).
     * Returns those seen.
     */
    public List<Member> membersSeen(String organizationUuid, double share, Random random) {
        if (share < 0 || share > 1) {
            throw new IllegalArgumentException("a share of members is between 0 and 1, not " + share);
        }
        return write(() -> {
            OrgState state = state(organizationUuid);
            List<String> users = new ArrayList<>(state.membersByUser.keySet());
            Collections.shuffle(users, random);
            Instant now = clock.get();
            List<Member> seen = new ArrayList<>();
            for (String userUuid : users.subList(0, (int) Math.round(users.size() * share))) {
                Member member = state.membersByUser.get(userUuid).seenAt(now);
                state.membersByUser.put(userUuid, member);
                seen.add(member);
            }
            return seen;
        });
    }

    /** Removes a member from the organization, with their team memberships. */
    public Member removeMember(Organization org, String actorUuid, String userUuid) {
        return write(() -> {
            OrgState state = state(org.uuid());
            requireAdmin(org, actorUuid);
            Member member = requireMember(state, userUuid);
            if (member.role() == Member.Role.ADMIN && adminCount(state) == 1) {
                throw Refusal.invalid("Validation failed: An organization must have at least one admin");
            }
            return dropMember(org, state, actorUuid, member);
        });
    }

    /**
     * The member leaves the organization of their own accord (the web UI's "Leave organization"):
     * the actor is the member. The last admin cannot leave.
     */
    public Member leaveOrganization(String organizationUuid, String userUuid) {
        return write(() -> {
            Organization org = organizations.get(organizationUuid);
            OrgState state = state(organizationUuid);
            Member member = requireMember(state, userUuid);
            if (member.role() == Member.Role.ADMIN && adminCount(state) == 1) {
                throw Refusal.invalid("Validation failed: An organization must have at least one admin");
            }
            return dropMember(org, state, userUuid, member);
        });
    }

    /**
     * Records only ORGANIZATION_MEMBER_DELETED, not one TEAM_MEMBER_DELETED per team the member
     * leaves with it: whether Buildkite logs the cascade is UNVERIFIED, and the safe reading is that
     * it does not (a consumer re-reads what a member's removal implies).
     */
    private Member dropMember(Organization org, OrgState state, String actorUuid, Member member) {
        String userUuid = member.userUuid();
        for (String teamUuid : state.teamsByUser.getOrDefault(userUuid, Set.of())) {
            state.teamMembers.get(teamUuid).remove(userUuid);
        }
        state.teamsByUser.remove(userUuid);
        state.membersByUser.remove(userUuid);
        state.userByMemberUuid.remove(member.uuid());
        record(org.uuid(), "ORGANIZATION_MEMBER_DELETED", actorUuid, memberSubject(member), data("user_uuid", userUuid));
        return member;
    }

    public Team createTeam(Organization org, String actorUuid, TeamFields fields) {
        return write(() -> {
            OrgState state = state(org.uuid());
            requireAdmin(org, actorUuid);
            if (fields.name() == null || fields.name().isBlank()) {
                throw Refusal.invalid("Validation failed: Name can't be blank");
            }
            requireNameFree(state, fields.name(), null);
            if (state.teams.size() >= MAX_TEAMS) {
                throw Refusal.invalid("Validation failed: Organization has reached the limit of " + MAX_TEAMS + " teams");
            }
            Team team = new Team(ids.uuid(), org.uuid(), fields.name(), slugOf(fields.name()),
                    fields.description(),
                    TeamFields.or(fields.privacy(), Team.Privacy.VISIBLE),
                    TeamFields.or(fields.isDefault(), false),
                    TeamFields.or(fields.defaultMemberRole(), TeamMember.Role.MEMBER),
                    fields.permissionsOver(Team.Permissions.DEFAULT),
                    now(), actorUuid);
            state.teams.put(team.uuid(), team);
            state.teamMembers.put(team.uuid(), new LinkedHashMap<>());
            state.teamPipelines.put(team.uuid(), new LinkedHashMap<>());
            // The creator becomes the team's first maintainer, as in Buildkite's web UI (UNVERIFIED for the API).
            putTeamMember(state, new TeamMember(ids.uuid(), team.uuid(), actorUuid, TeamMember.Role.MAINTAINER, now()));
            // Only TEAM_CREATED: whether the creator's membership is logged too is UNVERIFIED; safe reading, not.
            record(org.uuid(), "TEAM_CREATED", actorUuid, teamSubject(team), teamData(team));
            return team;
        });
    }

    public Team updateTeam(Organization org, String actorUuid, String teamUuid, TeamFields fields) {
        return write(() -> {
            OrgState state = state(org.uuid());
            Team team = requireTeam(state, teamUuid, actorUuid);
            requireTeamManager(org, state, team, actorUuid);
            if (fields.name() != null) {
                if (fields.name().isBlank()) {
                    throw Refusal.invalid("Validation failed: Name can't be blank");
                }
                requireNameFree(state, fields.name(), teamUuid);
            }
            String name = TeamFields.or(fields.name(), team.name());
            Team updated = new Team(team.uuid(), team.organizationUuid(), name,
                    fields.name() != null ? slugOf(name) : team.slug(),
                    TeamFields.or(fields.description(), team.description()),
                    TeamFields.or(fields.privacy(), team.privacy()),
                    TeamFields.or(fields.isDefault(), team.isDefault()),
                    TeamFields.or(fields.defaultMemberRole(), team.defaultMemberRole()),
                    fields.permissionsOver(team.memberPermissions()),
                    team.createdAt(), team.createdByUserUuid());
            state.teams.put(teamUuid, updated);
            Map<String, Object> data = data("team_uuid", teamUuid);
            if (!updated.name().equals(team.name())) {
                data.put("name", updated.name());
                data.put("slug", updated.slug());
            }
            if (!java.util.Objects.equals(updated.description(), team.description())) {
                data.put("description", updated.description());
            }
            if (updated.privacy() != team.privacy()) {
                data.put("privacy", updated.privacy().name().toLowerCase(Locale.ROOT));
            }
            if (updated.isDefault() != team.isDefault()) {
                data.put("default", updated.isDefault());
            }
            if (updated.defaultMemberRole() != team.defaultMemberRole()) {
                data.put("default_member_role", updated.defaultMemberRole().name().toLowerCase(Locale.ROOT));
            }
            record(org.uuid(), "TEAM_UPDATED", actorUuid, teamSubject(updated), data);
            return updated;
        });
    }

    public Team deleteTeam(Organization org, String actorUuid, String teamUuid) {
        return write(() -> {
            OrgState state = state(org.uuid());
            Team team = requireTeam(state, teamUuid, actorUuid);
            requireTeamManager(org, state, team, actorUuid);
            for (String userUuid : state.teamMembers.get(teamUuid).keySet()) {
                state.teamsByUser.get(userUuid).remove(teamUuid);
            }
            state.teamMembers.remove(teamUuid);
            state.teamPipelines.remove(teamUuid);
            state.teams.remove(teamUuid);
            // Only TEAM_DELETED, not its memberships' deletions (UNVERIFIED; the safe reading).
            record(org.uuid(), "TEAM_DELETED", actorUuid, teamSubject(team), data("team_uuid", teamUuid, "name", team.name()));
            return team;
        });
    }

    /** Adds an organization member to a team; the role defaults to the team's default member role. */
    public TeamMember addTeamMember(Organization org, String actorUuid, String teamUuid, String userUuid,
                                    TeamMember.Role role) {
        return write(() -> {
            OrgState state = state(org.uuid());
            Team team = requireTeam(state, teamUuid, actorUuid);
            requireTeamManager(org, state, team, actorUuid);
            if (!state.membersByUser.containsKey(userUuid)) {
                throw Refusal.invalid("Validation failed: User must be a member of the organization");
            }
            if (state.teamMembers.get(teamUuid).containsKey(userUuid)) {
                throw Refusal.invalid("Validation failed: User has already been added to this team");
            }
            TeamMember added = new TeamMember(ids.uuid(), teamUuid, userUuid,
                    TeamFields.or(role, team.defaultMemberRole()), now());
            putTeamMember(state, added);
            record(org.uuid(), "TEAM_MEMBER_CREATED", actorUuid, teamMemberSubject(added), teamMemberData(team, added));
            return added;
        });
    }

    public TeamMember updateTeamMember(Organization org, String actorUuid, String teamUuid, String userUuid,
                                       TeamMember.Role role) {
        return write(() -> {
            OrgState state = state(org.uuid());
            Team team = requireTeam(state, teamUuid, actorUuid);
            requireTeamManager(org, state, team, actorUuid);
            TeamMember current = requireTeamMember(state, teamUuid, userUuid);
            if (role == null) {
                throw Refusal.invalid("Validation failed: Role can't be blank");
            }
            TeamMember updated = current.withRole(role);
            state.teamMembers.get(teamUuid).put(userUuid, updated);
            record(org.uuid(), "TEAM_MEMBER_UPDATED", actorUuid, teamMemberSubject(updated), teamMemberData(team, updated));
            return updated;
        });
    }

    public TeamMember removeTeamMember(Organization org, String actorUuid, String teamUuid, String userUuid) {
        return write(() -> {
            OrgState state = state(org.uuid());
            Team team = requireTeam(state, teamUuid, actorUuid);
            requireTeamManager(org, state, team, actorUuid);
            TeamMember removed = requireTeamMember(state, teamUuid, userUuid);
            state.teamMembers.get(teamUuid).remove(userUuid);
            state.teamsByUser.get(userUuid).remove(teamUuid);
            record(org.uuid(), "TEAM_MEMBER_DELETED", actorUuid, teamMemberSubject(removed), teamMemberData(team, removed));
            return removed;
        });
    }

    /**
     * Moves a member from one team to another (in the web UI: removed from one, added to the other),
     * with the role given or the destination's default: two changes, two audit events.
     */
    public TeamMember moveTeamMember(Organization org, String actorUuid, String fromTeamUuid, String toTeamUuid,
                                     String userUuid, TeamMember.Role role) {
        return write(() -> {
            if (state(org.uuid()).teamMembers.getOrDefault(toTeamUuid, Map.of()).containsKey(userUuid)) {
                throw Refusal.invalid("Validation failed: User has already been added to this team");
            }
            removeTeamMember(org, actorUuid, fromTeamUuid, userUuid);
            return addTeamMember(org, actorUuid, toTeamUuid, userUuid, role);
        });
    }

    /**
     * Invites people by email. Duplicates are ignored case-insensitively and the whole batch is
     * validated before anything is created.
     */
    public List<Invitation> invite(Organization org, String actorUuid, List<String> emails, Member.Role role,
                                   Member.SsoMode ssoMode, List<Invitation.InvitedTeam> teams) {
        return write(() -> {
            OrgState state = state(org.uuid());
            requireAdmin(org, actorUuid);
            if (emails == null || emails.isEmpty()) {
                throw Refusal.invalid("Validation failed: Emails can't be blank");
            }
            if (ssoMode == null && org.ssoEnabled()) {
                throw Refusal.invalid("Validation failed: SSO mode must be given when SSO is enabled");
            }
            Map<String, String> unique = new LinkedHashMap<>();
            for (String email : emails) {
                unique.putIfAbsent(email.trim().toLowerCase(Locale.ROOT), email.trim());
            }
            for (Map.Entry<String, String> email : unique.entrySet()) {
                if (!EMAIL.matcher(email.getValue()).matches()) {
                    throw Refusal.invalid("Validation failed: " + email.getValue() + " is not a valid email address");
                }
                String existing = userUuidByEmail.get(email.getKey());
                if (existing != null && state.membersByUser.containsKey(existing)) {
                    throw Refusal.invalid("Validation failed: " + email.getValue() + " is already a member of this organization");
                }
                boolean pending = state.invitations.values().stream().anyMatch(i ->
                        i.state() == Invitation.State.PENDING && i.email().equalsIgnoreCase(email.getValue()));
                if (pending) {
                    throw Refusal.invalid("Validation failed: " + email.getValue() + " has already been invited");
                }
            }
            List<Invitation.InvitedTeam> invitedTeams = teams == null ? List.of() : teams;
            for (Invitation.InvitedTeam team : invitedTeams) {
                if (!state.teams.containsKey(team.teamUuid())) {
                    throw Refusal.invalid("Validation failed: No team found with id " + team.teamUuid());
                }
            }
            List<Invitation> created = new ArrayList<>();
            for (String email : unique.values()) {
                Invitation invitation = new Invitation(ids.uuid(), org.uuid(), email, Invitation.State.PENDING,
                        TeamFields.or(role, Member.Role.MEMBER), TeamFields.or(ssoMode, Member.SsoMode.REQUIRED),
                        invitedTeams, now(), actorUuid, null, null, null, null, null);
                state.invitations.put(invitation.uuid(), invitation);
                created.add(invitation);
                Map<String, Object> data = data("email", invitation.email(),
                        "role", invitation.role().name().toLowerCase(Locale.ROOT),
                        "sso_mode", invitation.ssoMode().name().toLowerCase(Locale.ROOT));
                data.put("team_uuids", invitedTeams.stream().map(Invitation.InvitedTeam::teamUuid).toList());
                record(org.uuid(), "ORGANIZATION_INVITATION_CREATED", actorUuid, invitationSubject(invitation), data);
            }
            return created;
        });
    }

    public Invitation revokeInvitation(Organization org, String actorUuid, String invitationUuid) {
        return write(() -> {
            OrgState state = state(org.uuid());
            requireAdmin(org, actorUuid);
            Invitation invitation = state.invitations.get(invitationUuid);
            if (invitation == null) {
                throw Refusal.notFound("No invitation found");
            }
            if (invitation.state() != Invitation.State.PENDING) {
                throw Refusal.invalid("Invitation is " + invitation.state().name().toLowerCase(Locale.ROOT)
                        + " and can no longer be revoked");
            }
            Invitation revoked = invitation.revoked(now(), actorUuid);
            state.invitations.put(invitationUuid, revoked);
            record(org.uuid(), "ORGANIZATION_INVITATION_REVOKED", actorUuid, invitationSubject(revoked),
                    data("email", revoked.email()));
            return revoked;
        });
    }

    /** Sends a pending invitation's email again. */
    public Invitation resendInvitation(Organization org, String actorUuid, String invitationUuid) {
        return write(() -> {
            Invitation invitation = state(org.uuid()).invitations.get(invitationUuid);
            if (invitation == null) {
                throw Refusal.notFound("No invitation found");
            }
            if (invitation.state() != Invitation.State.PENDING) {
                throw Refusal.invalid("Only pending invitations can be resent");
            }
            record(org.uuid(), "ORGANIZATION_INVITATION_RESENT", actorUuid, invitationSubject(invitation),
                    data("email", invitation.email()));
            return invitation;
        });
    }

    /**
     * The invited person accepts (what Buildkite's web UI does): the user is created if new, joins
     * the organization with the invitation's role, and joins its teams.
     */
    public Member acceptInvitation(String organizationUuid, String invitationUuid, String name) {
        return write(() -> {
            OrgState state = state(organizationUuid);
            Invitation invitation = state.invitations.get(invitationUuid);
            if (invitation == null || invitation.state() != Invitation.State.PENDING) {
                throw Refusal.notFound("No pending invitation found");
            }
            String key = invitation.email().toLowerCase(Locale.ROOT);
            String userUuid = userUuidByEmail.get(key);
            if (userUuid == null) {
                UserAccount user = new UserAccount(ids.uuid(), name, invitation.email(),
                        "https://www.gravatar.com/avatar/" + ids.hex(32), now(), false, false, false, true);
                users.put(user.uuid(), user);
                userUuidByEmail.put(key, user.uuid());
                userUuid = user.uuid();
            }
            Member member = new Member(ids.uuid(), organizationUuid, userUuid, invitation.role(),
                    invitation.ssoMode(), now(), null, false);
            state.membersByUser.put(userUuid, member);
            state.userByMemberUuid.put(member.uuid(), userUuid);
            for (Invitation.InvitedTeam team : invitation.teams()) {
                if (state.teams.containsKey(team.teamUuid())) {
                    putTeamMember(state, new TeamMember(ids.uuid(), team.teamUuid(), userUuid, team.role(), now()));
                }
            }
            Invitation accepted = invitation.accepted(now(), userUuid);
            state.invitations.put(invitationUuid, accepted);
            // The person accepting is the actor. Logged: the acceptance and the new member; not the
            // invitation's team memberships (whether Buildkite logs those is UNVERIFIED; safe reading, not).
            record(organizationUuid, "ORGANIZATION_INVITATION_ACCEPTED", userUuid, invitationSubject(accepted),
                    data("email", accepted.email(), "user_uuid", userUuid));
            record(organizationUuid, "ORGANIZATION_MEMBER_CREATED", userUuid, memberSubject(member),
                    data("user_uuid", userUuid, "role", member.role().name().toLowerCase(Locale.ROOT),
                            "sso_mode", member.ssoMode().name().toLowerCase(Locale.ROOT)));
            return member;
        });
    }

    /** Turns on teams (idempotent); Buildkite then creates an "Everyone" team of all members. */
    public void enableTeams(Organization org, String actorUuid) {
        write(() -> {
            requireAdmin(org, actorUuid);
            Organization current = organizations.get(org.uuid());
            if (current.teamsEnabled()) {
                return;
            }
            organizations.put(org.uuid(), current.withTeamsEnabled(true));
            OrgState state = state(org.uuid());
            Team everyone = new Team(ids.uuid(), org.uuid(), "Everyone", "everyone", "Everyone in the organization",
                    Team.Privacy.VISIBLE, true, TeamMember.Role.MEMBER, Team.Permissions.DEFAULT, now(), actorUuid);
            state.teams.put(everyone.uuid(), everyone);
            state.teamMembers.put(everyone.uuid(), new LinkedHashMap<>());
            state.teamPipelines.put(everyone.uuid(), new LinkedHashMap<>());
            for (String userUuid : state.membersByUser.keySet()) {
                putTeamMember(state, new TeamMember(ids.uuid(), everyone.uuid(), userUuid, TeamMember.Role.MEMBER, now()));
            }
            // Only the switch is logged, not the "Everyone" team it makes (UNVERIFIED; the safe reading).
            record(org.uuid(), "ORGANIZATION_TEAMS_ENABLED", actorUuid,
                    new AuditEvent.Subject("ORGANIZATION", org.uuid(), current.slug()), data("teams_enabled", true));
        });
    }

    // ---------------------------------------------------------------- changes of a user (web UI only)

    /**
     * The user changes their name in their settings: USER_UPDATED in the audit log of every
     * organization they belong to (whether Buildkite logs a user's own changes in each organization's
     * log is UNVERIFIED; the sandbox does, so that a consumer can be shown them).
     */
    public UserAccount renameUser(String userUuid, String name) {
        return write(() -> {
            UserAccount user = users.get(userUuid);
            if (user == null) {
                throw Refusal.notFound("No user found");
            }
            if (name == null || name.isBlank()) {
                throw Refusal.invalid("Validation failed: Name can't be blank");
            }
            UserAccount renamed = new UserAccount(user.uuid(), name, user.email(), user.avatarUrl(), user.createdAt(),
                    user.bot(), user.machineUser(), user.twoFactorEnabled(), user.passwordProtected());
            users.put(userUuid, renamed);
            for (String orgUuid : organizationsOf(userUuid)) {
                record(orgUuid, "USER_UPDATED", userUuid, new AuditEvent.Subject("USER", userUuid, name),
                        data("user_uuid", userUuid, "name", name));
            }
            return renamed;
        });
    }

    /**
     * The user turns two-factor authentication on (USER_TOTP_ACTIVATED) or off (USER_TOTP_DELETED),
     * logged in each organization they belong to (UNVERIFIED as above). The subject is the TOTP
     * (a new uuid each time); its data names the user.
     */
    public UserAccount setTwoFactor(String userUuid, boolean enabled) {
        return write(() -> {
            UserAccount user = users.get(userUuid);
            if (user == null) {
                throw Refusal.notFound("No user found");
            }
            UserAccount changed = new UserAccount(user.uuid(), user.name(), user.email(), user.avatarUrl(),
                    user.createdAt(), user.bot(), user.machineUser(), enabled, user.passwordProtected());
            users.put(userUuid, changed);
            if (user.twoFactorEnabled() != enabled) {
                String totp = ids.uuid();
                for (String orgUuid : organizationsOf(userUuid)) {
                    record(orgUuid, enabled ? "USER_TOTP_ACTIVATED" : "USER_TOTP_DELETED", userUuid,
                            new AuditEvent.Subject("USER_TOTP", totp, user.name()),
                            data("user_uuid", userUuid, "two_factor_enabled", enabled));
                }
            }
            return changed;
        });
    }

    public void revokeToken(ApiToken token) {
        write(() -> tokensBySecret.remove(token.secret()));
    }

    // ---------------------------------------------------------------- rules

    private OrgState state(String organizationUuid) {
        OrgState state = orgStates.get(organizationUuid);
        if (state == null) {
            throw Refusal.notFound("No organization found");
        }
        return state;
    }

    private boolean canSeeLocked(Team team, String viewerUserUuid) {
        if (team.privacy() == Team.Privacy.VISIBLE) {
            return true;
        }
        OrgState state = state(team.organizationUuid());
        Member viewer = state.membersByUser.get(viewerUserUuid);
        return viewer != null && (viewer.role() == Member.Role.ADMIN
                || state.teamMembers.get(team.uuid()).containsKey(viewerUserUuid));
    }

    private void requireAdmin(Organization org, String actorUuid) {
        Member actor = state(org.uuid()).membersByUser.get(actorUuid);
        if (actor == null || actor.role() != Member.Role.ADMIN) {
            throw Refusal.forbidden("Forbidden");
        }
    }

    /** Admins manage every team; a maintainer manages their own. */
    private void requireTeamManager(Organization org, OrgState state, Team team, String actorUuid) {
        Member actor = state.membersByUser.get(actorUuid);
        TeamMember asTeamMember = state.teamMembers.get(team.uuid()).get(actorUuid);
        boolean admin = actor != null && actor.role() == Member.Role.ADMIN;
        boolean maintainer = asTeamMember != null && asTeamMember.role() == TeamMember.Role.MAINTAINER;
        if (!admin && !maintainer) {
            throw Refusal.forbidden("Forbidden");
        }
    }

    private static Member requireMember(OrgState state, String userUuid) {
        Member member = state.membersByUser.get(userUuid);
        if (member == null) {
            throw Refusal.notFound("No user found");
        }
        return member;
    }

    private Team requireTeam(OrgState state, String teamUuid, String viewerUuid) {
        Team team = state.teams.get(teamUuid);
        if (team == null || !canSeeLocked(team, viewerUuid)) {
            throw Refusal.notFound("No team found");
        }
        return team;
    }

    private static TeamMember requireTeamMember(OrgState state, String teamUuid, String userUuid) {
        TeamMember member = state.teamMembers.get(teamUuid).get(userUuid);
        if (member == null) {
            throw Refusal.notFound("No team member found");
        }
        return member;
    }

    private static void requireNameFree(OrgState state, String name, String exceptTeamUuid) {
        boolean taken = state.teams.values().stream()
                .anyMatch(t -> !t.uuid().equals(exceptTeamUuid) && t.name().equalsIgnoreCase(name.trim()));
        if (taken) {
            throw Refusal.invalid("Validation failed: Name has already been taken");
        }
    }

    private static long adminCount(OrgState state) {
        return state.membersByUser.values().stream().filter(m -> m.role() == Member.Role.ADMIN).count();
    }

    private static void putTeamMember(OrgState state, TeamMember teamMember) {
        state.teamMembers.get(teamMember.teamUuid()).put(teamMember.userUuid(), teamMember);
        state.teamsByUser.computeIfAbsent(teamMember.userUuid(), u -> new LinkedHashSet<>()).add(teamMember.teamUuid());
    }

    // ---------------------------------------------------------------- the audit log

    private void record(String organizationUuid, String type, String actorUuid, AuditEvent.Subject subject,
                        Map<String, Object> data) {
        UserAccount actor = users.get(actorUuid);
        AuditEvent.Actor who = actor != null ? AuditEvent.Actor.user(actor) : new AuditEvent.Actor("USER", actorUuid, null);
        ApiToken token = apiCall.get();
        AuditEvent.Context context = token != null ? AuditEvent.Context.api(token) : AuditEvent.Context.web(actorUuid);
        Deque<AuditEvent> log = state(organizationUuid).auditLog;
        log.addLast(new AuditEvent(ids.uuid(), organizationUuid, type, now(), who, subject, data, context));
        while (log.size() > MAX_AUDIT_EVENTS) {
            log.removeFirst();
        }
    }

    private List<String> organizationsOf(String userUuid) {
        List<String> out = new ArrayList<>();
        orgStates.forEach((orgUuid, state) -> {
            if (state.membersByUser.containsKey(userUuid)) {
                out.add(orgUuid);
            }
        });
        return out;
    }

    private String userName(String userUuid) {
        UserAccount user = users.get(userUuid);
        return user == null ? null : user.name();
    }

    private AuditEvent.Subject memberSubject(Member member) {
        return new AuditEvent.Subject("ORGANIZATION_MEMBER", member.uuid(), userName(member.userUuid()));
    }

    private static AuditEvent.Subject teamSubject(Team team) {
        return new AuditEvent.Subject("TEAM", team.uuid(), team.name());
    }

    private AuditEvent.Subject teamMemberSubject(TeamMember teamMember) {
        return new AuditEvent.Subject("TEAM_MEMBER", teamMember.uuid(), userName(teamMember.userUuid()));
    }

    private static AuditEvent.Subject invitationSubject(Invitation invitation) {
        return new AuditEvent.Subject("ORGANIZATION_INVITATION", invitation.uuid(), invitation.email());
    }

    private static Map<String, Object> teamData(Team team) {
        Map<String, Object> data = data("team_uuid", team.uuid(), "name", team.name(), "slug", team.slug());
        data.put("privacy", team.privacy().name().toLowerCase(Locale.ROOT));
        data.put("default", team.isDefault());
        return data;
    }

    /** A team member event names both the team and the user, so that a consumer knows both. */
    private static Map<String, Object> teamMemberData(Team team, TeamMember teamMember) {
        return data("team_uuid", team.uuid(), "user_uuid", teamMember.userUuid(),
                "role", teamMember.role().name().toLowerCase(Locale.ROOT));
    }

    /** A modifiable map of the pairs given, in order, leaving out null values. */
    private static Map<String, Object> data(Object... pairs) {
        Map<String, Object> data = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                data.put((String) pairs[i], pairs[i + 1]);
            }
        }
        return data;
    }

    /** Buildkite's slugs: lowercase ASCII words joined by dashes. */
    public static String slugOf(String name) {
        String ascii = java.text.Normalizer.normalize(name, java.text.Normalizer.Form.NFD)
                .replaceAll("\\p{M}", "")
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-")
                .replaceAll("(^-+|-+$)", "");
        return ascii.isEmpty() ? "team" : ascii;
    }

    // ---------------------------------------------------------------- locking

    private <T> T read(Supplier<T> body) {
        lock.readLock().lock();
        try {
            return body.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    private <T> T write(Supplier<T> body) {
        lock.writeLock().lock();
        try {
            return body.get();
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void write(Runnable body) {
        lock.writeLock().lock();
        try {
            body.run();
        } finally {
            lock.writeLock().unlock();
        }
    }
}
