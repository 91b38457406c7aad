package dev.kitebridge.directory.orgdata;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.kitebridge.buildkite.PageRequest;

/**
 * What the directory keeps about one organization between requests, because reading it costs
 * more than one page can afford: each member's GraphQL-only profile (2FA, last seen, bot, joined),
 * and each team's members and pipelines. Built in steps, by two lanes that spend the two budgets in
 * parallel: GraphQL for the profiles, REST for the teams. A build that stops (the request's time is
 * up, a budget is spent) resumes where it stood.
 */
public final class OrganizationData {

    /** What a caller needs from the data: profiles (users), rosters (users' groups, groups' counts). */
    public enum Part { PROFILES, ROSTERS }

    private final String accountId;
    private final String organizationSlug;
    private final Instant startedAt;

    // GraphQL lane: member profiles, page by page.
    private final Map<String, MemberProfile> profiles = new LinkedHashMap<>();
    /**
     * Last seen confirmed later than the profiles' own, by user: a sync keeps it apart from the profiles
     * (it moves every day for every active member), and it is laid over them as they are served (see
     * {@link MemberProfile#seenAtLatest}), so that a confirmation whose only news is members seen
     * changes this part alone, not thousands of profiles.
     */
    private final Map<String, Instant> lastSeen = new java.util.TreeMap<>();
    private String profilesAfter;
    private Instant profilesCompletedAt;
    private Boolean profilesNeedSso;

    // REST lane: the team list, then each team's members and pipelines.
    private final Map<String, TeamRoster> rosters = new LinkedHashMap<>();
    private final List<TeamRoster> teams = new ArrayList<>();
    private PageRequest teamsNext;
    private boolean teamsListed;
    private int rosterIndex;
    private PageRequest rosterNext;
    private boolean rosterPipelinesPhase;
    private final List<TeamRoster.Member> rosterMembers = new ArrayList<>();
    private final List<TeamRoster.PipelineAccess> rosterPipelines = new ArrayList<>();
    private Instant rostersCompletedAt;

    private final Map<String, List<UserTeam>> teamsByUser = new LinkedHashMap<>();
    private Instant retryAt;
    /** Since when no advance has taken a step; null while the build steps. */
    private Instant stalledSince;
    /** When a write made through the directory was last applied to the data; null if none was. */
    private Instant changedAt;

    /** One team of a user. */
    public record UserTeam(String teamUuid, String teamName, dev.kitebridge.buildkite.TeamRole role) {}

    public OrganizationData(String accountId, String organizationSlug, Instant startedAt) {
        this.accountId = accountId;
        this.organizationSlug = organizationSlug;
        this.startedAt = startedAt;
    }

    /** Everything the data holds, as plain values: what a store keeps between processes. */
    public record Snapshot(
            String accountId, String organizationSlug, Instant startedAt, Instant retryAt,
            List<MemberProfile> profiles, String profilesAfter, Instant profilesCompletedAt, Boolean profilesNeedSso,
            List<TeamRoster> teams, List<TeamRoster> rosters, PageRequest teamsNext, boolean teamsListed, int rosterIndex,
            PageRequest rosterNext, boolean rosterPipelinesPhase, List<TeamRoster.Member> rosterMembers,
            List<TeamRoster.PipelineAccess> rosterPipelines, Instant rostersCompletedAt, Instant stalledSince, Instant changedAt,
            Map<String, Instant> lastSeen) {

        public Snapshot {
            lastSeen = lastSeen == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(lastSeen));
        }

        /** Without last seen apart from the profiles (data kept before it was). */
        public Snapshot(String accountId, String organizationSlug, Instant startedAt, Instant retryAt,
                        List<MemberProfile> profiles, String profilesAfter, Instant profilesCompletedAt, Boolean profilesNeedSso,
                        List<TeamRoster> teams, List<TeamRoster> rosters, PageRequest teamsNext, boolean teamsListed, int rosterIndex,
                        PageRequest rosterNext, boolean rosterPipelinesPhase, List<TeamRoster.Member> rosterMembers,
                        List<TeamRoster.PipelineAccess> rosterPipelines, Instant rostersCompletedAt, Instant stalledSince, Instant changedAt) {
            this(accountId, organizationSlug, startedAt, retryAt, profiles, profilesAfter, profilesCompletedAt, profilesNeedSso, teams,
                    rosters, teamsNext, teamsListed, rosterIndex, rosterNext, rosterPipelinesPhase, rosterMembers, rosterPipelines,
                    rostersCompletedAt, stalledSince, changedAt, Map.of());
        }
    }

    /** Everything held: the profiles as read, last seen apart (see {@link #lastSeen}). */
    public synchronized Snapshot snapshot() {
        return new Snapshot(accountId, organizationSlug, startedAt, retryAt, List.copyOf(profiles.values()), profilesAfter,
                profilesCompletedAt, profilesNeedSso, List.copyOf(teams), List.copyOf(rosters.values()), teamsNext, teamsListed,
                rosterIndex, rosterNext, rosterPipelinesPhase, List.copyOf(rosterMembers), List.copyOf(rosterPipelines),
                rostersCompletedAt, stalledSince, changedAt, lastSeen);
    }

    public static OrganizationData restore(Snapshot snapshot) {
        OrganizationData data = new OrganizationData(snapshot.accountId(), snapshot.organizationSlug(), snapshot.startedAt());
        data.retryAt = snapshot.retryAt();
        snapshot.profiles().forEach(p -> data.profiles.put(p.userUuid(), p));
        data.lastSeen.putAll(snapshot.lastSeen());
        data.profilesAfter = snapshot.profilesAfter();
        data.profilesCompletedAt = snapshot.profilesCompletedAt();
        data.profilesNeedSso = snapshot.profilesNeedSso();
        data.teams.addAll(snapshot.teams());
        for (TeamRoster roster : snapshot.rosters()) {
            data.rosters.put(roster.teamUuid(), roster);
            for (TeamRoster.Member member : roster.members()) {
                data.teamsByUser.computeIfAbsent(member.userUuid(), u -> new ArrayList<>())
                        .add(new UserTeam(roster.teamUuid(), roster.name(), member.role()));
            }
        }
        data.teamsNext = snapshot.teamsNext();
        data.teamsListed = snapshot.teamsListed();
        data.rosterIndex = snapshot.rosterIndex();
        data.rosterNext = snapshot.rosterNext();
        data.rosterPipelinesPhase = snapshot.rosterPipelinesPhase();
        data.rosterMembers.addAll(snapshot.rosterMembers());
        data.rosterPipelines.addAll(snapshot.rosterPipelines());
        data.rostersCompletedAt = snapshot.rostersCompletedAt();
        data.stalledSince = snapshot.stalledSince();
        data.changedAt = snapshot.changedAt();
        return data;
    }

    /**
     * Complete data as another reader confirmed it at {@code confirmedAt} (a sync run, from its
     * snapshot): every member's profile, and every team with its members and pipelines. Both parts
     * are complete as of then, as if a build of the directory's own had ended at that moment.
     */
    public static OrganizationData confirmed(String accountId, String organizationSlug, Instant confirmedAt,
                                             Collection<MemberProfile> profiles, List<TeamRoster> rosters) {
        return confirmed(accountId, organizationSlug, confirmedAt, profiles, rosters, Map.of());
    }

    /** As {@link #confirmed(String, String, Instant, Collection, List)}, with last seen later than the profiles' own, by user, apart. */
    public static OrganizationData confirmed(String accountId, String organizationSlug, Instant confirmedAt,
                                             Collection<MemberProfile> profiles, List<TeamRoster> rosters, Map<String, Instant> lastSeen) {
        OrganizationData data = new OrganizationData(accountId, organizationSlug, confirmedAt);
        profiles.forEach(p -> data.profiles.put(p.userUuid(), p));
        data.lastSeen.putAll(lastSeen);
        data.profilesCompletedAt = confirmedAt;
        data.teams.addAll(rosters);
        rosters.forEach(r -> data.rosters.put(r.teamUuid(), r));
        data.teamsListed = true;
        data.rosterIndex = rosters.size();
        data.rostersCompletedAt = confirmedAt;
        data.reindexTeamsByUser();
        return data;
    }

    public String accountId() {
        return accountId;
    }

    public String organizationSlug() {
        return organizationSlug;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public synchronized boolean isComplete(Part part) {
        return completedAt(part).isPresent();
    }

    public synchronized Optional<Instant> completedAt(Part part) {
        return Optional.ofNullable(part == Part.PROFILES ? profilesCompletedAt : rostersCompletedAt);
    }

    /**
     * How old a complete part is: the time since it was completely read. (Its reading began earlier;
     * for a large organization, a build takes as long as Buildkite's budgets need.)
     */
    public Duration age(Part part, Instant now) {
        Instant completed = completedAt(part).orElse(startedAt);
        return Duration.between(completed, now);
    }

    /** When a lane stopped by a spent budget could go on; null if none is waiting. */
    public synchronized Instant retryAt() {
        return retryAt;
    }

    synchronized void retryAt(Instant when) {
        retryAt = when;
    }

    /** What an advance achieved: a step clears a stall; an advance without one starts it (or lets it go on). */
    synchronized void advanced(boolean stepped, Instant now) {
        if (stepped) {
            stalledSince = null;
        } else if (stalledSince == null) {
            stalledSince = now;
        }
    }

    /** When a write made through the directory was last applied to the data, if one was. */
    public synchronized Optional<Instant> changedAt() {
        return Optional.ofNullable(changedAt);
    }

    /** Notes that a write made through the directory was applied at {@code now}. */
    synchronized void changed(Instant now) {
        changedAt = now;
    }

    /** How long advances have gone without a step; zero while the build steps. */
    public synchronized Duration stalledFor(Instant now) {
        return stalledSince == null ? Duration.ZERO : Duration.between(stalledSince, now);
    }

    // ---------------------------------------------------------------- reads

    /** A member's profile as served: with the later of its last seen and the one kept apart. */
    public synchronized Optional<MemberProfile> profile(String userUuid) {
        return Optional.ofNullable(profiles.get(userUuid)).map(this::served);
    }

    private MemberProfile served(MemberProfile profile) {
        return profile.seenAtLatest(lastSeen.get(profile.userUuid()));
    }

    public synchronized List<UserTeam> teamsOf(String userUuid) {
        return List.copyOf(teamsByUser.getOrDefault(userUuid, List.of()));
    }

    public synchronized Optional<TeamRoster> roster(String teamUuid) {
        return Optional.ofNullable(rosters.get(teamUuid));
    }

    public synchronized int profileCount() {
        return profiles.size();
    }

    /** Every member profile held, in the order read, as served (see {@link #profile}). */
    public synchronized List<MemberProfile> profiles() {
        return profiles.values().stream().map(this::served).toList();
    }

    /** Every team whose roster is held, in the order read. */
    public synchronized List<TeamRoster> rosters() {
        return List.copyOf(rosters.values());
    }

    // ---------------------------------------------------------------- writes made through the directory
    //
    // A write changes Buildkite at once; these keep what is already read in step with it, so that
    // the next read shows the write without reading the organization again: the rosters read, and
    // the members read so far of the roster being read (its later pages come from Buildkite after
    // the write anyway). A team created while the team list is still being read is left to the list.

    public synchronized void memberRoleChanged(String userUuid, dev.kitebridge.buildkite.OrganizationRole role) {
        profiles.computeIfPresent(userUuid, (uuid, profile) -> profile.withRole(role));
    }

    public synchronized void memberRemoved(String userUuid) {
        profiles.remove(userUuid);
        rosters.replaceAll((uuid, roster) -> roster.withoutMember(userUuid));
        rosterMembers.removeIf(m -> m.userUuid().equals(userUuid));
        reindexTeamsByUser();
    }

    /** A team's new name and slug; its members and pipelines stay as read. */
    public synchronized void teamRenamed(String teamUuid, String slug, String name) {
        teams.replaceAll(t -> t.teamUuid().equals(teamUuid) ? new TeamRoster(teamUuid, slug, name, t.members(), t.pipelines()) : t);
        rosters.computeIfPresent(teamUuid, (uuid, r) -> new TeamRoster(uuid, slug, name, r.members(), r.pipelines()));
        reindexTeamsByUser();
    }

    /** A team created or changed: its roster as read just after the write. */
    public synchronized void teamSaved(TeamRoster roster) {
        for (int i = 0; i < teams.size(); i++) {
            if (teams.get(i).teamUuid().equals(roster.teamUuid())) {
                teams.set(i, roster);
                if (rosters.containsKey(roster.teamUuid())) {
                    rosters.put(roster.teamUuid(), roster);
                }
                reindexTeamsByUser();
                return;
            }
        }
        if (!teamsListed) {
            return; // the team list is still being read; a later page may hold the team
        }
        boolean allRead = rosterIndex >= teams.size();
        teams.add(roster);
        if (allRead) {
            rosters.put(roster.teamUuid(), roster);
            rosterIndex = teams.size();
        }
        reindexTeamsByUser();
    }

    public synchronized void teamDeleted(String teamUuid, Instant now) {
        for (int i = 0; i < teams.size(); i++) {
            if (teams.get(i).teamUuid().equals(teamUuid)) {
                if (i < rosterIndex) {
                    rosterIndex--;
                } else if (i == rosterIndex) {
                    rosterMembers.clear(); // the roster being read is of a team that is gone
                    rosterPipelines.clear();
                    rosterNext = null;
                    rosterPipelinesPhase = false;
                }
                teams.remove(i);
                break;
            }
        }
        rosters.remove(teamUuid);
        reindexTeamsByUser();
        rostersCompleteIfAllRead(now); // the team gone may have been the last one unread
    }

    /** A membership added or its role changed. */
    public synchronized void teamMemberSet(String teamUuid, String userUuid, dev.kitebridge.buildkite.TeamRole role) {
        rosters.computeIfPresent(teamUuid, (uuid, roster) -> roster.withMember(userUuid, role));
        if (isBeingRead(teamUuid)) {
            rosterMembers.removeIf(m -> m.userUuid().equals(userUuid));
            rosterMembers.add(new TeamRoster.Member(userUuid, role));
        }
        reindexTeamsByUser();
    }

    public synchronized void teamMemberRemoved(String teamUuid, String userUuid) {
        rosters.computeIfPresent(teamUuid, (uuid, roster) -> roster.withoutMember(userUuid));
        if (isBeingRead(teamUuid)) {
            rosterMembers.removeIf(m -> m.userUuid().equals(userUuid));
        }
        reindexTeamsByUser();
    }

    private boolean isBeingRead(String teamUuid) {
        return rosterIndex < teams.size() && teams.get(rosterIndex).teamUuid().equals(teamUuid);
    }

    private void reindexTeamsByUser() {
        teamsByUser.clear();
        for (TeamRoster roster : rosters.values()) {
            for (TeamRoster.Member member : roster.members()) {
                teamsByUser.computeIfAbsent(member.userUuid(), u -> new ArrayList<>())
                        .add(new UserTeam(roster.teamUuid(), roster.name(), member.role()));
            }
        }
    }

    // ---------------------------------------------------------------- where the build stands, as the reader sees it

    /** The reader's position: the directory reads profiles, teams and rosters (members and invitations it reads live). */
    synchronized OrganizationReader.Position position() {
        OrganizationReader.GraphqlLane graphql = new OrganizationReader.GraphqlLane(profilesAfter, profilesCompletedAt != null, null,
                true, profilesNeedSso);
        OrganizationReader.RestLane rest;
        if (!teamsListed) {
            rest = new OrganizationReader.RestLane(OrganizationReader.RestLane.Stage.TEAMS, teamsNext, null, false, 0);
        } else if (rosterIndex < teams.size()) {
            rest = new OrganizationReader.RestLane(OrganizationReader.RestLane.Stage.ROSTERS, rosterNext, teams.get(rosterIndex).teamUuid(),
                    rosterPipelinesPhase, rosterMembers.size());
        } else {
            rest = OrganizationReader.RestLane.at(rostersCompletedAt != null ? OrganizationReader.RestLane.Stage.DONE
                    : OrganizationReader.RestLane.Stage.ROSTERS, null);
        }
        return new OrganizationReader.Position(graphql, rest);
    }

    /** The team listed after {@code teamUuid} (null: the first), or null after the last. */
    synchronized String teamAfter(String teamUuid) {
        int next = 0;
        if (teamUuid != null) {
            next = teams.size();
            for (int i = 0; i < teams.size(); i++) {
                if (teams.get(i).teamUuid().equals(teamUuid)) {
                    next = i + 1;
                }
            }
        }
        return next < teams.size() ? teams.get(next).teamUuid() : null;
    }

    // ---------------------------------------------------------------- the GraphQL lane's progress

    synchronized Boolean profilesNeedSso() {
        return profilesNeedSso;
    }

    synchronized void profilesNeedSso(boolean needed) {
        profilesNeedSso = needed;
    }

    synchronized void addProfiles(Collection<MemberProfile> page, String after, Instant now) {
        page.forEach(p -> profiles.put(p.userUuid(), p));
        profilesAfter = after;
        if (after == null) {
            profilesCompletedAt = now;
        }
    }

    /** A member who joined after the profiles were read, looked up alone. */
    public synchronized void addProfile(MemberProfile profile) {
        profiles.put(profile.userUuid(), profile);
    }

    /**
     * A profile in place of the one held (the same as served, with its raw answer), served with {@code seen} where that is
     * later than its own: kept apart, as the confirmation's last seen is, so the profile itself does not change.
     */
    public synchronized void replaceProfile(MemberProfile profile, Instant seen) {
        profiles.put(profile.userUuid(), profile);
        if (profile.seenAtLatest(seen) != profile) {
            lastSeen.put(profile.userUuid(), seen);
        }
    }

    // ---------------------------------------------------------------- the REST lane's progress

    synchronized void addTeams(List<TeamRoster> page, PageRequest next) {
        // A team created or deleted meanwhile shifts the pages: a team seen on an earlier page is not listed twice.
        page.stream().filter(t -> teams.stream().noneMatch(known -> known.teamUuid().equals(t.teamUuid()))).forEach(teams::add);
        teamsNext = next;
        teamsListed = next == null;
    }

    synchronized void addRosterMembers(List<TeamRoster.Member> page, PageRequest next) {
        // A member a write added while the roster was being read may come again on a later page: Buildkite's word wins.
        page.forEach(member -> rosterMembers.removeIf(m -> m.userUuid().equals(member.userUuid())));
        rosterMembers.addAll(page);
        rosterNext = next;
        if (next == null) {
            rosterPipelinesPhase = true;
        }
    }

    synchronized void addRosterPipelines(List<TeamRoster.PipelineAccess> page, PageRequest next, Instant now) {
        rosterPipelines.addAll(page);
        rosterNext = next;
        if (next != null) {
            return;
        }
        TeamRoster team = teams.get(rosterIndex);
        TeamRoster done = new TeamRoster(team.teamUuid(), team.slug(), team.name(), rosterMembers, rosterPipelines);
        rosters.put(team.teamUuid(), done);
        for (TeamRoster.Member member : done.members()) {
            teamsByUser.computeIfAbsent(member.userUuid(), u -> new ArrayList<>())
                    .add(new UserTeam(team.teamUuid(), team.name(), member.role()));
        }
        rosterMembers.clear();
        rosterPipelines.clear();
        rosterPipelinesPhase = false;
        rosterIndex++;
        if (rosterIndex >= teams.size() && teamsListed) {
            rostersCompletedAt = now;
        }
    }

    /** Marks the rosters complete once the team list is read and every team's roster with it (none, for no team). */
    synchronized void rostersCompleteIfAllRead(Instant now) {
        if (teamsListed && rosterIndex >= teams.size() && rostersCompletedAt == null) {
            rostersCompletedAt = now;
        }
    }
}
