package dev.kitebridge.sync;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

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
 * organization's data is held at a time, as the directory holds it when it reads. It is read as it
 * is, not settled, even where the run's PUBLISH wrote nothing there: the account's next run may start
 * once this one is in CLEAN, and publish into it seconds before this one keeps it (after a KEEP that
 * failed and waits to be retried, say): what it publishes must be in what this one keeps, dated this
 * run's start, where that run could not revise the kept data (it was dropped: see {@link
 * OrganizationDataService#revised}).
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
     * A pass of changes, as the directory's kept data: what it changed (see {@link PassItems}), each
     * change applied to what is kept — a member gone, a profile, a membership set or gone, a team
     * gone, renamed, new (with its members and pipelines) or with its pipelines changed. Read from
     * the pass's own generation, in its PUBLISH (long before that expires: see {@link SyncRun#scratchExpiresAt});
     * an organization it changed nothing of is not revised; repeating it changes nothing. {@code beginning}
     * runs before its first revision (see {@link SyncRun.Applying}).
     */
    void patch(SyncRun run, String dataKey, java.time.Instant now, Runnable beginning) {
        Map<String, com.fasterxml.jackson.databind.JsonNode> changes = new Overlay(snapshots, run).changes();
        for (SyncRun.Organization org : run.organizations()) {
            String prefix = SnapshotKeys.organization(org.id());
            Map<String, com.fasterxml.jackson.databind.JsonNode> ofOrg = new java.util.TreeMap<>();
            changes.forEach((key, data) -> {
                if (key.startsWith(prefix) && !TeamIndex.isEntry(key) && SnapshotKeys.kind(key) != SnapshotKeys.Kind.INVITATION) {
                    ofOrg.put(key, data); // (the directory reads invitations live)
                }
            });
            if (!ofOrg.isEmpty()) {
                beginning.run();
                directory.revised(dataKey, org.slug(), data -> patch(data, ofOrg, now), now);
            }
        }
    }

    private static void patch(OrganizationData data, Map<String, com.fasterxml.jackson.databind.JsonNode> changes, java.time.Instant now) {
        java.util.Set<String> removed = new java.util.HashSet<>();
        Map<String, Map<String, com.fasterxml.jackson.databind.JsonNode>> pipelines = new java.util.TreeMap<>();
        changes.forEach((key, value) -> {
            boolean gone = PassItems.gone(value);
            String id = SnapshotKeys.idOf(SnapshotKeys.record(key));
            String part = SnapshotKeys.partOf(key);
            switch (SnapshotKeys.kind(key)) {
                case GROUP -> {
                    if (part.isEmpty()) {
                        team(data, changes, id, gone ? null : SnapshotParts.read(value, Team.class), now);
                    } else if (part.equals("p")) {
                        pipelines.computeIfAbsent(id, t -> new java.util.TreeMap<>()).put(key, value);
                    }
                }
                case USER -> {
                    if (part.equals("m") && gone) {
                        data.memberRemoved(id);
                        removed.add(id);
                    } else if (part.equals("g") && !gone && !removed.contains(id)) {
                        data.addProfile(SnapshotParts.read(value, MemberProfile.class));
                    } else if (part.equals("t") && !removed.contains(id)) {
                        if (gone) {
                            data.teamMemberRemoved(SnapshotKeys.teamOf(key), id);
                        } else {
                            data.teamMemberSet(SnapshotKeys.teamOf(key), id, SnapshotParts.read(value, SnapshotParts.Membership.class).role());
                        }
                    }
                }
                default -> { }
            }
        });
        // A team's pipelines changed: its kept list with them, in key order (as a full run keeps them; a new team's are so already).
        pipelines.forEach((team, changed) -> data.roster(team).ifPresent(roster -> {
            Map<String, TeamRoster.PipelineAccess> byKey = new java.util.TreeMap<>();
            String teamKey = SnapshotKeys.record(changed.keySet().iterator().next());
            roster.pipelines().forEach(p -> byKey.put(teamKey + "/p/" + p.pipelineUuid(), p));
            changed.forEach((key, value) -> {
                if (PassItems.gone(value)) {
                    byKey.remove(key);
                } else {
                    byKey.put(key, SnapshotParts.read(value, TeamRoster.PipelineAccess.class));
                }
            });
            data.teamSaved(new TeamRoster(roster.teamUuid(), roster.slug(), roster.name(), roster.members(), List.copyOf(byKey.values())));
        }));
    }

    /**
     * A team's own item changed: gone, renamed (what is kept of it stays, with its name), or new (its
     * members and pipelines are all new too: the pass has them).
     */
    private static void team(OrganizationData data, Map<String, com.fasterxml.jackson.databind.JsonNode> changes, String teamId, Team team,
                             java.time.Instant now) {
        if (team == null) {
            data.teamDeleted(teamId, now);
            return;
        }
        Optional<TeamRoster> kept = data.roster(teamId);
        if (kept.isPresent()) {
            data.teamRenamed(teamId, team.slug(), team.name());
            return;
        }
        String teamKey = null;
        List<TeamRoster.Member> members = new ArrayList<>();
        List<TeamRoster.PipelineAccess> pipelines = new ArrayList<>();
        for (Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> change : changes.entrySet()) {
            String key = change.getKey();
            if (PassItems.gone(change.getValue())) {
                continue;
            }
            if (SnapshotKeys.kind(key) == SnapshotKeys.Kind.USER && SnapshotKeys.partOf(key).equals("t") && SnapshotKeys.teamOf(key).equals(teamId)) {
                members.add(new TeamRoster.Member(SnapshotKeys.idOf(SnapshotKeys.record(key)),
                        SnapshotParts.read(change.getValue(), SnapshotParts.Membership.class).role()));
            } else if (SnapshotKeys.kind(key) == SnapshotKeys.Kind.GROUP && SnapshotKeys.idOf(SnapshotKeys.record(key)).equals(teamId)
                    && SnapshotKeys.partOf(key).equals("p")) {
                pipelines.add(SnapshotParts.read(change.getValue(), TeamRoster.PipelineAccess.class));
            }
        }
        data.teamSaved(new TeamRoster(teamId, team.slug(), team.name(), members, pipelines));
    }

    /** One organization of the generation: teams (their items sort first) with their pipelines, then each user's profile and teams. */
    private OrganizationData read(SyncRun run, String dataKey, SyncRun.Organization org) {
        String prefix = SnapshotKeys.organization(org.id());
        Map<String, Team> teams = new LinkedHashMap<>();
        Map<String, List<TeamRoster.PipelineAccess>> pipelines = new LinkedHashMap<>();
        Map<String, List<TeamRoster.Member>> members = new LinkedHashMap<>();
        List<MemberProfile> profiles = new ArrayList<>();
        // Last seen kept beside the profiles (see LastSeen): kept apart in the directory's data too, laid over them as they are
        // served, so that a confirmation whose news is members seen changes that part alone.
        // (A generation written whole has none: only a PUBLISH in place keeps it, into the generation it publishes into.)
        LastSeen.Of lastSeen = run.inPlace() ? LastSeen.read(snapshots, run.accountId(), run.publishedGeneration(), org.id()) : LastSeen.Of.NONE;
        Map<String, Instant> seen = new TreeMap<>();
        String after = prefix;
        while (true) {
            List<SnapshotStore.Item> page = snapshots.list(run.accountId(), run.publishedGeneration(), after, PAGE);
            for (SnapshotStore.Item item : page) {
                if (!item.key().startsWith(prefix)) {
                    return data(run, dataKey, org, teams, pipelines, members, profiles, seen);
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
                            MemberProfile profile = SnapshotParts.read(item.data(), MemberProfile.class);
                            profiles.add(profile);
                            MemberProfile served = lastSeen.over(profile);
                            if (served != profile) {
                                seen.put(profile.userUuid(), served.lastSeenAt());
                            }
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
                return data(run, dataKey, org, teams, pipelines, members, profiles, seen);
            }
            after = SnapshotDiff.pastEntries(page.get(page.size() - 1).key());
        }
    }

    private static OrganizationData data(SyncRun run, String dataKey, SyncRun.Organization org, Map<String, Team> teams,
                                         Map<String, List<TeamRoster.PipelineAccess>> pipelines,
                                         Map<String, List<TeamRoster.Member>> members, List<MemberProfile> profiles,
                                         Map<String, Instant> lastSeen) {
        List<TeamRoster> rosters = teams.values().stream().map(t -> new TeamRoster(t.id(), t.slug(), t.name(),
                members.getOrDefault(t.id(), List.of()), pipelines.getOrDefault(t.id(), List.of()))).toList();
        return OrganizationData.confirmed(dataKey, org.slug(), run.startedAt(), profiles, rosters, lastSeen);
    }
}
