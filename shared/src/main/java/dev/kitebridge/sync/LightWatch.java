package dev.kitebridge.sync;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.access.IntegratedAccount;
import dev.kitebridge.access.Session;
import dev.kitebridge.buildkite.OrganizationRole;
import dev.kitebridge.buildkite.Page;
import dev.kitebridge.buildkite.PageRequest;
import dev.kitebridge.buildkite.graphql.Connection;
import dev.kitebridge.buildkite.graphql.MemberQuery;
import dev.kitebridge.buildkite.graphql.Nodes.MemberNode;
import dev.kitebridge.buildkite.graphql.SignalsQueries.Signals;
import dev.kitebridge.buildkite.graphql.SignalsQueries.TeamSignal;
import dev.kitebridge.buildkite.rest.TeamMember;
import dev.kitebridge.directory.orgdata.MemberProfile;
import dev.kitebridge.directory.orgdata.OrganizationData;
import dev.kitebridge.directory.orgdata.OrganizationDataService;
import dev.kitebridge.directory.orgdata.TeamRoster;

/**
 * Changes found without audit events, from what Buildkite counts (the {@code signals} document: a
 * few points for the organization's counts, 2 a team): a count that moved since the last look
 * names where to read. A team whose count or name moved is re-read whole, and its members who left
 * it are looked up (they may have left the organization); the most recent joiners are looked up
 * every time (a join and a leave in the same interval leave the count as it was); a change in the
 * admins' count looks up the admins; in the 2FA count, the members on its smaller side (up to
 * {@link #TWO_FACTOR_LIST}); where both sides are larger, every look asks each team's 2FA count
 * and {@link TwoFactorByTeam} says who; in the invitations', the invitations. The first look after
 * a full run compares with the directory's kept data, which that run confirmed.
 *
 * <p>What counts do not show waits for the next full run: a change of a member's role within a
 * team, of their name, email, SSO mode, avatar or bot flag, a promotion and a demotion in the same
 * interval, 2FA turned on and off in the same interval (where the smaller side is listed), and
 * what {@link TwoFactorByTeam} cannot see where both sides are larger. A member count that the
 * joiners and leavers found do not explain (a member without teams came or went, or someone joined
 * during the look) adds the organization's member list to the same look's pass ({@link
 * Subject#members}: about 100 REST requests at 10,000 members, where a full run takes 40 minutes
 * of the budget); a doubt that was false costs that list and nothing more. The looks after that
 * pass explain the count from the members it left kept; one that still cannot reads the list once
 * more (someone may have come or gone since); where the look after that second list cannot either,
 * the list could not settle it (Buildkite's count and its list disagree, or the count moves again
 * without a trace): only then does a look start a full run.
 */
public final class LightWatch {

    /** Most recent members looked at on every look: joins between two looks. */
    static final int RECENT_JOINERS = 10;
    /** Above this many members on each side of the 2FA count, who changed is left to the full run (4 points a member). */
    static final int TWO_FACTOR_LIST = 500;

    private static final System.Logger LOG = System.getLogger(LightWatch.class.getName());

    private final BuildkiteAccess access;
    private final OrganizationDataService directory;
    private final int twoFactorList;
    private final TwoFactorByTeam byTeam;

    public LightWatch(BuildkiteAccess access, OrganizationDataService directory) {
        this(access, directory, TWO_FACTOR_LIST, TwoFactorByTeam.LIST_POINTS);
    }

    /**
     * @param twoFactorList above this many members on each side of the 2FA count, the teams' 2FA counts say who (tests lower it)
     * @param listPoints the most points a look spends listing teams' sides of 2FA
     */
    LightWatch(BuildkiteAccess access, OrganizationDataService directory, int twoFactorList, long listPoints) {
        this.access = access;
        this.directory = directory;
        this.twoFactorList = twoFactorList;
        this.byTeam = new TwoFactorByTeam(access, listPoints);
    }

    /**
     * What a look found: the subjects to re-read, whether only a full run can tell, and the counts
     * to keep, with the organizations whose member list it adds to the pass ({@code listed}), and
     * those among them whose count a list's pass had already left unexplained ({@code doubted}).
     */
    public record Found(List<Subject> subjects, boolean fullRunNeeded, Map<String, Signals> signals, Set<String> doubted,
                        Set<String> listed, Map<String, Map<String, Long>> twoFactorByTeam) {}

    /** Looks at the organizations {@code which} picks (those without audit events). */
    public Found look(IntegratedAccount account, AccountSync state, java.util.function.Predicate<IntegratedAccount.OrganizationRef> which,
                      Duration budget) {
        Session session = access.open(account, budget);
        Set<Subject> subjects = new LinkedHashSet<>();
        Map<String, Signals> seen = new HashMap<>(state.signals());
        boolean fullRunNeeded = false;
        Set<String> doubted = new HashSet<>();
        Set<String> listed = new HashSet<>();
        Map<String, Map<String, Long>> twoFactorSeen = new HashMap<>(state.counts().twoFactorByTeam());
        for (IntegratedAccount.OrganizationRef org : account.organizations().stream().filter(which).toList()) {
            Signals now = access.call(session, () -> session.buildkite().graphql().signals().of(org.slug()));
            Optional<OrganizationDataService.View> kept = directory.cached(session, org.slug(),
                    EnumSet.allOf(OrganizationData.Part.class));
            if (kept.isEmpty()) {
                // Nothing to tell who changed from: only a full run can say (it keeps the data for the next look).
                LOG.log(System.Logger.Level.INFO, "account " + account.id() + ", organization " + org.slug()
                        + ": no kept data to compare Buildkite's counts with; a full run");
                fullRunNeeded = true;
                continue;
            }
            Signals before = Optional.ofNullable(state.signals().get(org.id())).orElseGet(() -> signalsOf(kept.get()));
            boolean afterList = state.counts().listed().contains(org.id());
            long keptMembers = kept.get().profiles().profileCount();
            if (afterList && keptMembers == before.members()) {
                afterList = false; // the member list's pass left kept the count it was read for: settled
            } else if (afterList) {
                // It did not (or someone came or went before it read the list): the count to explain from is the members it
                // left kept; a count still unexplained after two lists in a row is one the list cannot settle.
                before = new Signals(keptMembers, before.admins(), before.twoFactor(), before.invitations(), before.teams());
            }
            // The teams' 2FA counts the last look explained; none after a full run (the kept directory's then).
            Map<String, Long> teamsBefore = state.counts().at() == null ? null : state.counts().twoFactorByTeam().get(org.id());
            long accounted = compare(session, org, before, now, kept.get(), subjects, teamsBefore, twoFactorSeen);
            boolean doubtedBefore = state.counts().doubted().contains(org.id());
            if (accounted == now.members()) {
                seen.put(org.id(), now);
            } else if (doubtedBefore && afterList) {
                // Two member-list passes in a row left a count Buildkite's does not match (its count and its list disagree,
                // or the count moves again without a trace each time): only a full run settles it.
                LOG.log(System.Logger.Level.INFO, "account " + account.id() + ", organization " + org.slug() + ": " + now.members()
                        + " members, of which the member list's passes and the joiners and leavers found account for " + accounted
                        + ", after two lists; a full run");
                fullRunNeeded = true;
                seen.put(org.id(), now);
            } else {
                // The member count moved by more than the joiners and leavers found: someone without teams came or went (or
                // joined beyond the newest looked at, or changed during the look). The member list says who, ~1 REST request a
                // hundred members. After a list's pass, a count still unexplained reads it once more (someone may have come or
                // gone since); a second time, the list cannot settle it.
                LOG.log(System.Logger.Level.INFO, "account " + account.id() + ", organization " + org.slug() + ": " + now.members()
                        + " members, of which the joiners and leavers found account for " + accounted + "; the member list is read");
                subjects.add(Subject.members(org.id()));
                listed.add(org.id());
                if (afterList) {
                    doubted.add(org.id());
                }
                seen.put(org.id(), now);
            }
        }
        return new Found(List.copyOf(subjects), fullRunNeeded, seen, doubted, listed, twoFactorSeen);
    }

    /**
     * Names what moved; returns the member count the joiners and the leavers found account for
     * (a leaver is a member who left a team and whom Buildkite no longer lists).
     */
    private long compare(Session session, IntegratedAccount.OrganizationRef org, Signals before, Signals now,
                            OrganizationDataService.View kept, Set<Subject> into, Map<String, Long> teamsBefore,
                            Map<String, Map<String, Long>> twoFactorSeen) {
        Set<String> leftATeam = new HashSet<>();
        Map<String, Set<String>> leftTeams = new HashMap<>();
        Set<String> teams = new HashSet<>(before.teams().keySet());
        teams.addAll(now.teams().keySet());
        for (String team : teams) {
            TeamSignal was = before.teams().get(team);
            TeamSignal is = now.teams().get(team);
            if (was != null && was.equals(is)) {
                continue;
            }
            into.add(Subject.group(org.id(), team));
            if (was != null && (is == null || is.members() < was.members())) {
                // Who left the team may have left the organization too: each is looked up alone.
                Set<String> stays = is == null ? Set.of() : roster(session, org.slug(), team);
                kept.rosters().roster(team).map(TeamRoster::members).orElse(List.of()).stream()
                        .map(TeamRoster.Member::userUuid).filter(u -> !stays.contains(u))
                        .forEach(u -> {
                            leftATeam.add(u);
                            leftTeams.computeIfAbsent(team, t -> new HashSet<>()).add(u);
                        });
            }
        }
        leftATeam.forEach(u -> into.add(Subject.user(org.id(), u)));
        List<String> gone = leftATeam.stream().filter(u -> access.find(session,
                () -> session.buildkite().organizations().member(org.slug(), u)).isEmpty()).toList();
        long leavers = gone.size();
        OrganizationData profiles = kept.profiles();
        Connection<MemberNode> recent = access.call(session, () -> session.buildkite().graphql().members()
                .list(org.slug(), MemberQuery.page(RECENT_JOINERS, null).withOrder("RECENTLY_CREATED")));
        List<String> joiners = recent.nodes().stream().filter(n -> n.user() != null && profiles.profile(n.user().uuid()).isEmpty())
                .map(n -> n.user().uuid()).toList();
        joiners.forEach(u -> into.add(Subject.user(org.id(), u)));
        if (now.admins() != before.admins()) {
            Set<String> admins = new HashSet<>();
            members(session, org.slug(), MemberQuery.page(100, null).withRoles(List.of(OrganizationRole.ADMIN)))
                    .forEach(n -> admins.add(n.user().uuid()));
            profiles.profiles().stream().filter(p -> (p.role() == OrganizationRole.ADMIN) != admins.contains(p.userUuid()))
                    .forEach(p -> into.add(Subject.user(org.id(), p.userUuid())));
            admins.stream().filter(a -> profiles.profile(a).isEmpty()).forEach(a -> into.add(Subject.user(org.id(), a)));
        }
        boolean listEnabled = now.twoFactor() <= now.members() - now.twoFactor();
        long side = listEnabled ? now.twoFactor() : now.members() - now.twoFactor();
        if (side > twoFactorList && !now.teams().isEmpty()) {
            // Both sides too many to list: each team's 2FA count says where (every look, so that the next compares with it).
            TwoFactorByTeam.Found found = byTeam.find(session, org.slug(), now, profiles, kept.rosters(), teamsBefore, leftTeams);
            found.changed().forEach(u -> into.add(Subject.user(org.id(), u)));
            twoFactorSeen.put(org.id(), found.counts());
            // The organization's count moved by more (or less) than the members found, the leavers and the joiners explain:
            // someone in no team (no team's count shows them) changed. The kept directory knows who is in no team.
            long flips = found.changed().stream().mapToLong(u -> isOn(profiles, u) ? -1 : 1).sum();
            long leftOn = gone.stream().filter(u -> isOn(profiles, u)).count();
            long joinedOn = recent.nodes().stream().filter(n -> n.user() != null && joiners.contains(n.user().uuid())
                    && n.security() != null && n.security().twoFactorEnabled()).count();
            long unexplained = now.twoFactor() - before.twoFactor() - flips + leftOn - joinedOn;
            if (unexplained != 0 && found.teamsLeft() == 0) {
                byTeam.teamless(session, org.slug(), profiles, kept.rosters(), unexplained > 0, found.listedPoints())
                        .forEach(u -> into.add(Subject.user(org.id(), u)));
            }
            if (!found.changed().isEmpty() || found.teamsLeft() > 0) {
                LOG.log(System.Logger.Level.INFO, "organization " + org.slug() + ": 2FA changed for " + found.changed().size()
                        + " members, found listing " + found.teamsListed() + " teams (" + found.listedPoints() + " points); "
                        + found.teamsLeft() + " teams left for the next look");
            }
        } else {
            twoFactorSeen.remove(org.id());
            if (now.twoFactor() != before.twoFactor() && side <= twoFactorList) {
                Set<String> listed = new HashSet<>();
                members(session, org.slug(), MemberQuery.page(100, null).withTwoFactorEnabled(listEnabled))
                        .forEach(n -> listed.add(n.user().uuid()));
                profiles.profiles().stream()
                        .filter(p -> Boolean.valueOf(listEnabled).equals(p.twoFactorEnabled()) != listed.contains(p.userUuid()))
                        .forEach(p -> into.add(Subject.user(org.id(), p.userUuid())));
            }
        }
        if (now.invitations() != before.invitations()) {
            into.add(Subject.invitations(org.id()));
        }
        return before.members() + joiners.size() - leavers;
    }

    private static boolean isOn(OrganizationData profiles, String user) {
        return profiles.profile(user).map(p -> Boolean.TRUE.equals(p.twoFactorEnabled())).orElse(false);
    }

    /** Every member a query lists, page by page (the admins, one side of 2FA: small lists). */
    private List<MemberNode> members(Session session, String org, MemberQuery first) {
        List<MemberNode> all = new ArrayList<>();
        MemberQuery query = first;
        while (true) {
            MemberQuery page = query;
            Connection<MemberNode> answer = access.call(session, () -> session.buildkite().graphql().members().list(org, page));
            answer.nodes().stream().filter(n -> n.user() != null).forEach(all::add);
            Optional<String> next = answer.next();
            if (next.isEmpty()) {
                return all;
            }
            query = MemberQuery.page(first.first(), next.get()).withRoles(first.roles()).withTwoFactorEnabled(first.twoFactorEnabled());
        }
    }

    /** A team's members now, over REST (1 request a hundred). */
    private Set<String> roster(Session session, String org, String team) {
        Set<String> members = new HashSet<>();
        Optional<PageRequest> next = Optional.of(PageRequest.first(PageRequest.MAX_PER_PAGE));
        while (next.isPresent()) {
            PageRequest request = next.get();
            Optional<Page<TeamMember>> page = access.find(session, () -> session.buildkite().teams().members(org, team, request));
            if (page.isEmpty()) {
                return members; // the team is gone meanwhile: all its members left it
            }
            page.get().items().forEach(m -> members.add(m.userId()));
            next = page.get().next();
        }
        return members;
    }

    /** The counts the directory's kept data has: what the last full run confirmed, and what passes and writes changed since. */
    static Signals signalsOf(OrganizationDataService.View kept) {
        List<MemberProfile> profiles = kept.profiles().profiles();
        Map<String, TeamSignal> teams = new HashMap<>();
        kept.rosters().rosters().forEach(r -> teams.put(r.teamUuid(), new TeamSignal(r.name(), r.members().size())));
        return new Signals(profiles.size(), profiles.stream().filter(p -> p.role() == OrganizationRole.ADMIN).count(),
                profiles.stream().filter(p -> Boolean.TRUE.equals(p.twoFactorEnabled())).count(),
                -1, // not kept: the first look reads the invitations once
                teams);
    }
}
