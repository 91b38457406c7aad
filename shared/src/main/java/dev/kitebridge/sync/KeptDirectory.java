package dev.kitebridge.sync;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.kitebridge.buildkite.rest.Team;
import dev.kitebridge.directory.orgdata.MemberProfile;
import dev.kitebridge.directory.orgdata.OrganizationData;
import dev.kitebridge.directory.orgdata.OrganizationDataService;
import dev.kitebridge.directory.orgdata.TeamRoster;

/**
 * A completed run's published generation, organization by organization, as the directory's kept
 * data: what {@code /users} and {@code /groups} draw from Buildkite's slow parts (GraphQL profiles,
 * team rosters and pipelines), confirmed when the run began reading, so that every read after the
 * run shows its changes without reading Buildkite again. The generation is read in pages; one
 * organization's data is held at a time, as the directory holds it when it reads.
 */
final class KeptDirectory {

    private static final int PAGE = 500;

    private final SnapshotStore snapshots;
    private final OrganizationDataService directory;

    KeptDirectory(SnapshotStore snapshots, OrganizationDataService directory) {
        this.snapshots = snapshots;
        this.directory = directory;
    }

    /**
     * Keeps the run's generation as the directory's data of each of its organizations, under
     * {@code dataKey} (the account with its current token). Repeating it writes nothing new.
     *
     * @return how many organizations' data was saved (none where the directory has it as new already)
     */
    int keep(SyncRun run, String dataKey) {
        int saved = 0;
        for (SyncRun.Organization org : run.organizations()) {
            if (directory.wouldKeep(dataKey, org.slug(), run.startedAt()) && directory.confirmed(read(run, dataKey, org))) {
                saved++;
            }
        }
        return saved;
    }

    /**
     * A pass of changes, as the directory's kept data: each member it read has their profile and
     * teams as read (or is gone), each team its name, members and pipelines as read (or is gone),
     * each roster read alone its members.
     * Read from the pass's own generation, before it is cleaned up; repeating it changes nothing.
     */
    void patch(SyncRun run, String dataKey, java.time.Instant now) {
        for (SyncRun.Organization org : run.organizations()) {
            List<Subject> subjects = run.subjects().stream()
                    .filter(s -> s.organizationId().equals(org.id()) && s.kind() != Subject.Kind.INVITATIONS && s.kind() != Subject.Kind.INVITATION).toList();
            if (subjects.isEmpty()) {
                continue;
            }
            List<SnapshotStore.Item> read = new ArrayList<>();
            String after = SnapshotKeys.organization(org.id());
            while (true) {
                List<SnapshotStore.Item> page = snapshots.list(run.accountId(), run.generation(), after, PAGE);
                page.stream().filter(i -> i.key().startsWith(SnapshotKeys.organization(org.id()))).forEach(read::add);
                if (page.size() < PAGE || !page.get(page.size() - 1).key().startsWith(SnapshotKeys.organization(org.id()))) {
                    break;
                }
                after = page.get(page.size() - 1).key();
            }
            directory.revised(dataKey, org.slug(), data -> subjects.forEach(s -> patch(data, org, s, subjects, read, now)), now);
        }
    }

    private static void patch(OrganizationData data, SyncRun.Organization org, Subject subject, List<Subject> subjects,
                              List<SnapshotStore.Item> read, java.time.Instant now) {
        List<SnapshotStore.Item> covered = read.stream().filter(i -> subject.covers(i.key()) && !TeamIndex.isEntry(i.key())).toList();
        switch (subject.kind()) {
            case USER -> {
                if (covered.stream().noneMatch(i -> i.key().equals(SnapshotKeys.member(org.id(), subject.id())))) {
                    data.memberRemoved(subject.id());
                    return;
                }
                covered.stream().filter(i -> i.key().equals(SnapshotKeys.profile(org.id(), subject.id()))).findFirst()
                        .ifPresent(i -> data.addProfile(SnapshotParts.read(i.data(), MemberProfile.class)));
                Map<String, dev.kitebridge.buildkite.TeamRole> teams = new LinkedHashMap<>();
                covered.stream().filter(i -> SnapshotKeys.partOf(i.key()).equals("t")).forEach(i -> teams.put(SnapshotKeys.teamOf(i.key()),
                        SnapshotParts.read(i.data(), SnapshotParts.Membership.class).role()));
                data.teamsOf(subject.id()).stream().filter(t -> !teams.containsKey(t.teamUuid()))
                        .forEach(t -> data.teamMemberRemoved(t.teamUuid(), subject.id()));
                teams.forEach((team, role) -> data.teamMemberSet(team, subject.id(), role));
            }
            case GROUP -> {
                String teamKey = SnapshotKeys.group(org.id(), subject.id());
                var team = covered.stream().filter(i -> i.key().equals(teamKey)).findFirst()
                        .map(i -> SnapshotParts.read(i.data(), Team.class));
                if (team.isEmpty()) {
                    data.teamDeleted(subject.id(), now);
                    return;
                }
                List<TeamRoster.Member> members = covered.stream().filter(i -> SnapshotKeys.partOf(i.key()).equals("t"))
                        .map(i -> new TeamRoster.Member(SnapshotKeys.idOf(SnapshotKeys.record(i.key())),
                                SnapshotParts.read(i.data(), SnapshotParts.Membership.class).role())).toList();
                List<TeamRoster.PipelineAccess> pipelines = covered.stream().filter(i -> SnapshotKeys.partOf(i.key()).equals("p"))
                        .map(i -> SnapshotParts.read(i.data(), TeamRoster.PipelineAccess.class)).toList();
                data.teamSaved(new TeamRoster(subject.id(), team.get().slug(), team.get().name(), members, pipelines));
            }
            case ROSTER -> {
                if (subject.readWith(subjects)) {
                    return; // its team's GROUP saves it whole
                }
                // Its members as read, its name and pipelines as kept (a team the data does not hold is left to the next read of it).
                List<TeamRoster.Member> members = covered.stream().filter(i -> SnapshotKeys.partOf(i.key()).equals("t"))
                        .map(i -> new TeamRoster.Member(SnapshotKeys.idOf(SnapshotKeys.record(i.key())),
                                SnapshotParts.read(i.data(), SnapshotParts.Membership.class).role())).toList();
                data.roster(subject.id()).ifPresent(r -> data.teamSaved(new TeamRoster(r.teamUuid(), r.slug(), r.name(), members, r.pipelines())));
            }
            case INVITATIONS, INVITATION -> { } // the directory reads invitations live
            case MEMBERS -> { } // what the list found changed are USER subjects of the pass
        }
    }

    /** One organization of the generation: teams (their items sort first) with their pipelines, then each user's profile and teams. */
    private OrganizationData read(SyncRun run, String dataKey, SyncRun.Organization org) {
        String prefix = SnapshotKeys.organization(org.id());
        Map<String, Team> teams = new LinkedHashMap<>();
        Map<String, List<TeamRoster.PipelineAccess>> pipelines = new LinkedHashMap<>();
        Map<String, List<TeamRoster.Member>> members = new LinkedHashMap<>();
        List<MemberProfile> profiles = new ArrayList<>();
        String after = prefix;
        while (true) {
            List<SnapshotStore.Item> page = snapshots.list(run.accountId(), run.publishedGeneration(), after, PAGE);
            for (SnapshotStore.Item item : page) {
                if (!item.key().startsWith(prefix)) {
                    return data(run, dataKey, org, teams, pipelines, members, profiles);
                }
                String record = SnapshotKeys.record(item.key());
                String part = SnapshotKeys.partOf(item.key());
                switch (SnapshotKeys.kind(record)) {
                    case GROUP -> {
                        if (part.isEmpty()) {
                            teams.put(SnapshotKeys.idOf(record), SnapshotParts.read(item.data(), Team.class));
                        } else if (part.equals("p")) {
                            pipelines.computeIfAbsent(SnapshotKeys.idOf(record), t -> new ArrayList<>())
                                    .add(SnapshotParts.read(item.data(), TeamRoster.PipelineAccess.class));
                        }
                    }
                    case USER -> {
                        if (part.equals("g")) {
                            profiles.add(SnapshotParts.read(item.data(), MemberProfile.class));
                        } else if (part.equals("t") && teams.containsKey(SnapshotKeys.teamOf(item.key()))) {
                            // A team gone while it was read has no item of its own: its memberships are left out, as a comparison does.
                            members.computeIfAbsent(SnapshotKeys.teamOf(item.key()), t -> new ArrayList<>()).add(new TeamRoster.Member(
                                    SnapshotKeys.idOf(record), SnapshotParts.read(item.data(), SnapshotParts.Membership.class).role()));
                        }
                    }
                    case INVITATION -> { } // the directory reads invitations live
                    case ROSTER -> { } // the teams' index: the memberships say the same
                }
            }
            if (page.size() < PAGE) {
                return data(run, dataKey, org, teams, pipelines, members, profiles);
            }
            after = page.get(page.size() - 1).key();
        }
    }

    private static OrganizationData data(SyncRun run, String dataKey, SyncRun.Organization org, Map<String, Team> teams,
                                         Map<String, List<TeamRoster.PipelineAccess>> pipelines,
                                         Map<String, List<TeamRoster.Member>> members, List<MemberProfile> profiles) {
        List<TeamRoster> rosters = teams.values().stream().map(t -> new TeamRoster(t.id(), t.slug(), t.name(),
                members.getOrDefault(t.id(), List.of()), pipelines.getOrDefault(t.id(), List.of()))).toList();
        return OrganizationData.confirmed(dataKey, org.slug(), run.startedAt(), profiles, rosters);
    }
}
