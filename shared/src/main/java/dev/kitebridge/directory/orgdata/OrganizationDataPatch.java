package dev.kitebridge.directory.orgdata;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import dev.kitebridge.buildkite.PageRequest;

/**
 * What one revision changed in an organization's data, record by record: the profiles added or
 * changed and those gone, each team (in the team list and among the rosters read) by the members
 * who left it and those who joined or changed role, and the build's progress whole (a few fields).
 * A store keeps it beside the data it revised instead of the data again: a pass that moves one
 * member between teams is a few hundred bytes, where the data of 10,000 members is megabytes.
 *
 * <p>{@link #between} gives no patch where applying it would not give back exactly the data after
 * (a change that reorders what it does not add or remove): the store then saves the data whole.
 *
 * <p>Last seen kept apart from the profiles ({@code lastSeen}, see {@link OrganizationData}) comes
 * whole where it changed (null: as it was): about 30 bytes gzipped a member (measured), and it holds
 * every member seen since their profile last changed (not only the day's), which a store may keep in
 * an item of its own beside the patch (at 10,000 such members, some 300 KB).
 */
public record OrganizationDataPatch(
        Head head,
        List<MemberProfile> profiles,
        List<String> profilesGone,
        List<TeamChange> teams,
        List<String> teamsGone,
        List<TeamChange> rosters,
        List<String> rostersGone,
        Map<String, Instant> lastSeen) {

    /** The patch with its last seen (null: as it was), as a store keeps it apart and puts it back. */
    public OrganizationDataPatch withLastSeen(Map<String, Instant> seen) {
        return new OrganizationDataPatch(head, profiles, profilesGone, teams, teamsGone, rosters, rostersGone, seen);
    }

    /**
     * The build's progress and dates: every field of the data that is not a record. {@code startedAt}
     * is null in a patch written before it was here: the data's, as it was (a sync's confirmation of
     * unchanged data is a patch of its dates, the start with them).
     */
    public record Head(
            Instant retryAt, String profilesAfter, Instant profilesCompletedAt, Boolean profilesNeedSso, PageRequest teamsNext,
            boolean teamsListed, int rosterIndex, PageRequest rosterNext, boolean rosterPipelinesPhase,
            List<TeamRoster.Member> rosterMembers, List<TeamRoster.PipelineAccess> rosterPipelines, Instant rostersCompletedAt,
            Instant stalledSince, Instant changedAt, Instant startedAt) {

        static Head of(OrganizationData.Snapshot s) {
            return new Head(s.retryAt(), s.profilesAfter(), s.profilesCompletedAt(), s.profilesNeedSso(), s.teamsNext(),
                    s.teamsListed(), s.rosterIndex(), s.rosterNext(), s.rosterPipelinesPhase(), s.rosterMembers(),
                    s.rosterPipelines(), s.rostersCompletedAt(), s.stalledSince(), s.changedAt(), s.startedAt());
        }
    }

    /**
     * One team added or changed: its name and slug, the members who left (or changed role: they
     * join again), those who joined with where they stand in the roster after, or, where the members
     * who stayed are in another order, the whole roster ({@code members}); and its pipelines where
     * they changed (null: as they were).
     */
    public record TeamChange(String teamUuid, String slug, String name, List<String> membersGone, List<Joined> membersJoined,
                             List<TeamRoster.Member> members, List<TeamRoster.PipelineAccess> pipelines) {

        /** A member who joined, at their place in the roster after the change. */
        public record Joined(int at, TeamRoster.Member member) {}

        TeamRoster applyTo(TeamRoster was) {
            List<TeamRoster.Member> after = new ArrayList<>();
            if (members != null) {
                after.addAll(members);
            } else {
                if (was != null) {
                    Set<String> gone = Set.copyOf(membersGone);
                    was.members().stream().filter(m -> !gone.contains(m.userUuid())).forEach(after::add);
                }
                for (Joined joined : membersJoined) {
                    after.add(Math.min(joined.at(), after.size()), joined.member());
                }
            }
            List<TeamRoster.PipelineAccess> pipes = pipelines != null ? pipelines : was != null ? was.pipelines() : List.of();
            return new TeamRoster(teamUuid, slug, name, after, pipes);
        }

        /**
         * The change from {@code was} (null: new) to {@code now}. The members who keep their order are
         * the longest run of {@code now} in {@code was}'s order; the rest left or (moved: a role set
         * again puts a member at the end) joined at their place.
         */
        static TeamChange between(TeamRoster was, TeamRoster now) {
            List<TeamRoster.PipelineAccess> pipelines = was != null && was.pipelines().equals(now.pipelines()) ? null : now.pipelines();
            List<TeamRoster.Member> before = was == null ? List.of() : was.members();
            Map<TeamRoster.Member, Integer> at = new LinkedHashMap<>();
            for (int i = 0; i < before.size(); i++) {
                at.putIfAbsent(before.get(i), i);
            }
            Set<Integer> stayed = keepingOrder(now.members().stream().map(m -> at.getOrDefault(m, -1)).toList());
            Set<TeamRoster.Member> kept = new LinkedHashSet<>();
            List<Joined> joined = new ArrayList<>();
            for (int i = 0; i < now.members().size(); i++) {
                if (stayed.contains(i)) {
                    kept.add(now.members().get(i));
                } else {
                    joined.add(new Joined(i, now.members().get(i)));
                }
            }
            List<String> gone = before.stream().filter(m -> !kept.contains(m)).map(TeamRoster.Member::userUuid).distinct().toList();
            TeamChange change = new TeamChange(now.teamUuid(), now.slug(), now.name(), gone, joined, null, pipelines);
            return change.applyTo(was).equals(now) ? change
                    : new TeamChange(now.teamUuid(), now.slug(), now.name(), List.of(), List.of(), now.members(), pipelines);
        }

        /** The positions of a longest strictly increasing run of {@code indices} (-1: none), patience sorting. */
        private static Set<Integer> keepingOrder(List<Integer> indices) {
            List<Integer> tails = new ArrayList<>(); // position in indices of the smallest tail of each length
            int[] previous = new int[indices.size()];
            for (int i = 0; i < indices.size(); i++) {
                int value = indices.get(i);
                if (value < 0) {
                    continue;
                }
                int low = 0;
                int high = tails.size();
                while (low < high) {
                    int mid = (low + high) >>> 1;
                    if (indices.get(tails.get(mid)) < value) {
                        low = mid + 1;
                    } else {
                        high = mid;
                    }
                }
                previous[i] = low > 0 ? tails.get(low - 1) : -1;
                if (low == tails.size()) {
                    tails.add(i);
                } else {
                    tails.set(low, i);
                }
            }
            Set<Integer> run = new java.util.HashSet<>();
            for (int i = tails.isEmpty() ? -1 : tails.get(tails.size() - 1); i >= 0; i = previous[i]) {
                run.add(i);
            }
            return run;
        }
    }

    /**
     * The patch that turns {@code before} into {@code after} (the same organization's data), or
     * empty where applying one would not give {@code after} back exactly.
     */
    public static Optional<OrganizationDataPatch> between(OrganizationData.Snapshot before, OrganizationData.Snapshot after) {
        if (!before.accountId().equals(after.accountId()) || !before.organizationSlug().equals(after.organizationSlug())) {
            return Optional.empty();
        }
        Map<String, MemberProfile> was = new LinkedHashMap<>();
        before.profiles().forEach(p -> was.put(p.userUuid(), p));
        List<MemberProfile> profiles = new ArrayList<>();
        Set<String> present = new LinkedHashSet<>();
        for (MemberProfile p : after.profiles()) {
            present.add(p.userUuid());
            if (!p.equals(was.get(p.userUuid()))) {
                profiles.add(p);
            }
        }
        List<String> profilesGone = was.keySet().stream().filter(u -> !present.contains(u)).toList();
        Optional<List<TeamChange>> teams = changes(before.teams(), after.teams());
        Optional<List<TeamChange>> rosters = changes(before.rosters(), after.rosters());
        if (teams.isEmpty() || rosters.isEmpty()) {
            return Optional.empty();
        }
        OrganizationDataPatch patch = new OrganizationDataPatch(Head.of(after), profiles, profilesGone, teams.get(),
                gone(before.teams(), after.teams()), rosters.get(), gone(before.rosters(), after.rosters()),
                before.lastSeen().equals(after.lastSeen()) ? null : after.lastSeen());
        // Order is part of the data (profiles and teams in the order read): a patch that would not keep it is none.
        return apply(before, List.of(patch)).equals(after) ? Optional.of(patch) : Optional.empty();
    }

    /** The data after each patch in turn, from {@code base}. */
    public static OrganizationData.Snapshot apply(OrganizationData.Snapshot base, List<OrganizationDataPatch> patches) {
        if (patches.isEmpty()) {
            return base;
        }
        Map<String, MemberProfile> profiles = new LinkedHashMap<>();
        base.profiles().forEach(p -> profiles.put(p.userUuid(), p));
        Map<String, TeamRoster> teams = byTeam(base.teams());
        Map<String, TeamRoster> rosters = byTeam(base.rosters());
        Head head = Head.of(base);
        Instant startedAt = base.startedAt();
        Map<String, Instant> lastSeen = base.lastSeen();
        for (OrganizationDataPatch patch : patches) {
            lastSeen = patch.lastSeen() != null ? patch.lastSeen() : lastSeen;
            patch.profilesGone().forEach(profiles::remove);
            patch.profiles().forEach(p -> profiles.put(p.userUuid(), p));
            applyTeams(teams, patch.teamsGone(), patch.teams());
            applyTeams(rosters, patch.rostersGone(), patch.rosters());
            head = patch.head();
            startedAt = head.startedAt() != null ? head.startedAt() : startedAt;
        }
        return new OrganizationData.Snapshot(base.accountId(), base.organizationSlug(), startedAt, head.retryAt(),
                List.copyOf(profiles.values()), head.profilesAfter(), head.profilesCompletedAt(), head.profilesNeedSso(),
                List.copyOf(teams.values()), List.copyOf(rosters.values()), head.teamsNext(), head.teamsListed(), head.rosterIndex(),
                head.rosterNext(), head.rosterPipelinesPhase(), head.rosterMembers(), head.rosterPipelines(),
                head.rostersCompletedAt(), head.stalledSince(), head.changedAt(), lastSeen);
    }

    private static void applyTeams(Map<String, TeamRoster> teams, List<String> gone, List<TeamChange> changes) {
        gone.forEach(teams::remove);
        // A team changed keeps its place; a new one goes at the end, as the data adds teams.
        changes.forEach(c -> teams.put(c.teamUuid(), c.applyTo(teams.get(c.teamUuid()))));
    }

    private static Map<String, TeamRoster> byTeam(List<TeamRoster> list) {
        Map<String, TeamRoster> map = new LinkedHashMap<>();
        list.forEach(t -> map.put(t.teamUuid(), t));
        return map;
    }

    private static Optional<List<TeamChange>> changes(List<TeamRoster> before, List<TeamRoster> after) {
        if (after.stream().map(TeamRoster::teamUuid).distinct().count() != after.size()) {
            return Optional.empty(); // a team twice: a map of teams cannot say it
        }
        Map<String, TeamRoster> was = byTeam(before);
        List<TeamChange> changes = new ArrayList<>();
        for (TeamRoster now : after) {
            TeamRoster old = was.get(now.teamUuid());
            if (now.equals(old)) {
                continue;
            }
            changes.add(TeamChange.between(old, now));
        }
        return Optional.of(changes);
    }

    private static List<String> gone(List<TeamRoster> before, List<TeamRoster> after) {
        Set<String> present = new LinkedHashSet<>();
        after.forEach(t -> present.add(t.teamUuid()));
        return before.stream().map(TeamRoster::teamUuid).filter(t -> !present.contains(t)).distinct().toList();
    }
}
