package dev.kitebridge.sync;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.access.Session;
import dev.kitebridge.buildkite.graphql.SignalsQueries.Signals;
import dev.kitebridge.buildkite.graphql.SignalsQueries.SidePage;
import dev.kitebridge.directory.orgdata.MemberProfile;
import dev.kitebridge.directory.orgdata.OrganizationData;
import dev.kitebridge.directory.orgdata.TeamRoster;

/**
 * Who turned 2FA on or off, where both sides of the organization's 2FA count are too large to
 * list: each team's count of members with 2FA on (1 point a team), against the counts the last
 * look explained (the first look after a full run: the kept directory's, which that run confirmed).
 * A member's change moves the count of every team they are in, so the moved team whose smaller
 * side is cheapest is listed first (1 point a member: {@code two-factor-side}), and the members
 * found changed explain their other teams' moves through the kept rosters, which then need no list.
 * A move that members who left the team explain (their 2FA as kept) needs none either. A look
 * lists at most {@link #LIST_POINTS} points; a team beyond keeps its count as before, so the next
 * look sees it moved still and lists it then.
 *
 * <p>A member in no team moves only the organization's count, and no filter of Buildkite's selects
 * the members without a team: where that count moved by more than the teams, leavers and joiners
 * explain, the kept directory's members in no team whose 2FA is the other way are asked one by one
 * ({@link #teamless}, 2 points each, within the look's points). What this cannot see waits for the
 * daily full run: a team whose smaller side alone costs more than {@link #LIST_POINTS}, members in
 * no team too many to ask within them, and changes that cancel out in a count (one member in no
 * team turning 2FA on while another turns it off).
 */
final class TwoFactorByTeam {

    /** The most points a look spends listing teams' sides (a GraphQL window is 5,000 per user). */
    static final long LIST_POINTS = 2_000;
    /** Members a page of a side: the most Buildkite serves. */
    private static final int PAGE = 500;
    /** A few more than the count said, for members who moved meanwhile: one page where a side fits. */
    private static final int SLACK = 5;

    private static final System.Logger LOG = System.getLogger(TwoFactorByTeam.class.getName());

    private final BuildkiteAccess access;
    private final long listPoints;

    TwoFactorByTeam(BuildkiteAccess access, long listPoints) {
        this.access = access;
        this.listPoints = listPoints;
    }

    /**
     * What a look found: the members whose 2FA is not what the kept directory says, and each team's
     * count to keep for the next look (as explained; a team left unlisted, as before).
     */
    record Found(Set<String> changed, Map<String, Long> counts, long listedPoints, int teamsListed, int teamsLeft) {}

    /**
     * @param now the organization's counts at this look (each team's member count)
     * @param profiles the kept members' profiles (their 2FA)
     * @param teamsKept the kept rosters (who is in which team)
     * @param before each team's 2FA count as the last look explained it; null after a full run (the kept directory's then)
     * @param leftTeams by team, the kept members this look found gone from it: their 2FA, as kept, left its count
     */
    Found find(Session session, String slug, Signals now, OrganizationData profiles, OrganizationData teamsKept,
               Map<String, Long> before, Map<String, Set<String>> leftTeams) {
        List<String> teams = now.teams().keySet().stream().sorted().toList();
        Map<String, Long> counts = access.call(session, () -> session.buildkite().graphql().signals().teamsTwoFactor(slug, teams));

        Map<String, Long> residual = new LinkedHashMap<>();
        Map<String, Long> baseline = new HashMap<>();
        for (Map.Entry<String, Long> count : counts.entrySet()) {
            String team = count.getKey();
            Long was = before != null && before.containsKey(team) ? before.get(team)
                    : teamsKept.roster(team).map(r -> twoFactorOn(r, profiles)).orElse(null);
            if (was == null) {
                continue; // a team new since: its count is the first to compare with
            }
            baseline.put(team, was);
            long gone = leftTeams.getOrDefault(team, Set.of()).stream().map(profiles::profile).flatMap(Optional::stream)
                    .filter(p -> Boolean.TRUE.equals(p.twoFactorEnabled())).count();
            residual.put(team, count.getValue() - was + gone);
        }

        Map<String, String> users = new HashMap<>();
        profiles.profiles().stream().filter(p -> p.memberGraphqlId() != null).forEach(p -> users.put(p.memberGraphqlId(), p.userUuid()));
        Set<String> changed = new LinkedHashSet<>();
        Set<String> listed = new HashSet<>();
        long spent = 0;
        List<String> moved = residual.entrySet().stream().filter(e -> e.getValue() != 0).map(Map.Entry::getKey)
                .sorted(Comparator.comparingLong((String t) -> side(counts.get(t), now.teams().get(t).members())).thenComparing(t -> t))
                .toList();
        for (String team : moved) {
            if (residual.get(team) == 0) {
                continue; // the members found in cheaper teams explain it
            }
            long size = now.teams().get(team).members();
            long on = counts.get(team);
            boolean listOn = on <= size - on;
            long cost = cost(side(on, size));
            if (spent + cost > listPoints) {
                LOG.log(System.Logger.Level.INFO, "organization " + slug + ": team " + team + "'s 2FA count moved; its side costs "
                        + cost + " points, " + spent + " spent: " + (spent == 0 ? "left to the daily full run" : "the next look lists it"));
                continue;
            }
            Set<String> side = new HashSet<>();
            String after = null;
            int first = (int) Math.min(PAGE, side(on, size) + SLACK);
            do {
                String from = after;
                SidePage page = access.call(session, () -> session.buildkite().graphql().signals().twoFactorSide(slug, team, listOn, first, from));
                spent += 4 + first;
                page.memberIds().stream().map(users::get).filter(java.util.Objects::nonNull).forEach(side::add);
                after = page.next();
            } while (after != null);
            listed.add(team);
            Set<String> keptSide = new HashSet<>();
            teamsKept.roster(team).map(TeamRoster::members).orElse(List.of()).stream().map(TeamRoster.Member::userUuid)
                    .filter(u -> profiles.profile(u).map(p -> Boolean.valueOf(listOn).equals(p.twoFactorEnabled())).orElse(false))
                    .forEach(keptSide::add);
            List<String> found = new ArrayList<>();
            // Listed on this side, kept on the other: turned to this side. Kept on it and not listed: turned away (unless gone from the team).
            side.stream().filter(u -> profiles.profile(u).map(p -> !Boolean.valueOf(listOn).equals(p.twoFactorEnabled())).orElse(false))
                    .forEach(found::add);
            keptSide.stream().filter(u -> !side.contains(u) && !leftTeams.getOrDefault(team, Set.of()).contains(u)).forEach(found::add);
            for (String user : found) {
                if (changed.add(user)) {
                    // Their change moved each of their teams' counts by one: those moves are explained.
                    long step = Boolean.TRUE.equals(profiles.profile(user).map(MemberProfile::twoFactorEnabled).orElse(null)) ? -1 : 1;
                    teamsKept.teamsOf(user).forEach(t -> residual.computeIfPresent(t.teamUuid(), (k, r) -> r - step));
                }
            }
            residual.put(team, 0L);
        }

        Map<String, Long> keep = new LinkedHashMap<>();
        int left = 0;
        for (Map.Entry<String, Long> count : counts.entrySet()) {
            String team = count.getKey();
            boolean pending = residual.getOrDefault(team, 0L) != 0 && !listed.contains(team);
            left += pending ? 1 : 0;
            keep.put(team, pending ? baseline.get(team) : count.getValue());
        }
        return new Found(changed, keep, spent, listed.size(), left);
    }

    /**
     * Members in no team who may have turned 2FA on ({@code turnedOn}) or off: each whose kept 2FA
     * is the other way is asked alone (2 points a member), within what the look has left of its
     * points after {@code spent}; those Buildkite answers otherwise than kept (or no longer has).
     */
    Set<String> teamless(Session session, String slug, OrganizationData profiles, OrganizationData teamsKept, boolean turnedOn,
                         long spent) {
        Map<String, String> candidates = new LinkedHashMap<>();
        profiles.profiles().stream().filter(p -> p.memberGraphqlId() != null && teamsKept.teamsOf(p.userUuid()).isEmpty()
                        && Boolean.TRUE.equals(p.twoFactorEnabled()) != turnedOn)
                .forEach(p -> candidates.put(p.memberGraphqlId(), p.userUuid()));
        long cost = 2L * candidates.size();
        if (candidates.isEmpty() || spent + cost > listPoints) {
            LOG.log(System.Logger.Level.INFO, "organization " + slug + ": its 2FA count moved beyond what its teams explain; "
                    + candidates.size() + " members in no team to ask (" + cost + " points, " + spent + " spent): "
                    + (candidates.isEmpty() ? "none" : "left to the daily full run"));
            return Set.of();
        }
        List<String> ids = List.copyOf(candidates.keySet());
        Map<String, Boolean> now = access.call(session, () -> session.buildkite().graphql().signals().membersTwoFactor(slug, ids));
        Set<String> changed = new LinkedHashSet<>();
        candidates.forEach((id, user) -> {
            Boolean is = now.get(id);
            if (is == null || is == turnedOn) {
                changed.add(user); // gone (the pass confirms it), or turned as the count moved
            }
        });
        return changed;
    }

    /** How many of a team's members are on its smaller side of 2FA. */
    private static long side(long on, long size) {
        return Math.max(0, Math.min(on, size - on));
    }

    /** The points a side's list reserves: pages of up to {@link #PAGE}, 4 a page and 1 a member asked for. */
    private static long cost(long side) {
        long first = Math.min(PAGE, side + SLACK);
        long pages = Math.max(1, (side + SLACK + PAGE - 1) / PAGE);
        return pages * (4 + first);
    }

    /** How many of a kept team's members the kept data says have 2FA on. */
    static long twoFactorOn(TeamRoster roster, OrganizationData profiles) {
        return roster.members().stream().map(m -> profiles.profile(m.userUuid())).flatMap(Optional::stream)
                .filter(p -> Boolean.TRUE.equals(p.twoFactorEnabled())).count();
    }
}
