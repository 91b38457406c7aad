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

    /** One organization of the generation: teams (their items sort first) with their pipelines, then each user's profile and teams. */
    private OrganizationData read(SyncRun run, String dataKey, SyncRun.Organization org) {
        String prefix = SnapshotKeys.organization(org.id());
        Map<String, Team> teams = new LinkedHashMap<>();
        Map<String, List<TeamRoster.PipelineAccess>> pipelines = new LinkedHashMap<>();
        Map<String, List<TeamRoster.Member>> members = new LinkedHashMap<>();
        List<MemberProfile> profiles = new ArrayList<>();
        String after = prefix;
        while (true) {
            List<SnapshotStore.Item> page = snapshots.list(run.accountId(), run.generation(), after, PAGE);
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
