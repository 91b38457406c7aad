package dev.kitebridge.sync;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import dev.kitebridge.buildkite.graphql.Nodes.InvitationNode;
import dev.kitebridge.buildkite.rest.OrganizationMember;
import dev.kitebridge.buildkite.rest.Team;
import dev.kitebridge.buildkite.rest.TeamMember;
import dev.kitebridge.directory.orgdata.MemberProfile;
import dev.kitebridge.directory.orgdata.OrganizationReader;
import dev.kitebridge.directory.orgdata.OrganizationReader.GraphqlLane;
import dev.kitebridge.directory.orgdata.OrganizationReader.Position;
import dev.kitebridge.directory.orgdata.OrganizationReader.RestLane;
import dev.kitebridge.directory.orgdata.OrganizationReader.Tally;
import dev.kitebridge.directory.orgdata.TeamRoster;

/**
 * An organization's pages as items of the run's generation, its position in the run's checkpoint.
 * Profiles are kept without GraphQL's raw answer: a snapshot keeps the fields. A run in place (see
 * {@link InPlace}) looks each page up in the account's current generation and writes only the items
 * that are new or differ (and takes back an item it wrote before that reads as the current one
 * again), then the page's seen marker.
 */
final class SnapshotSink implements OrganizationReader.Sink {

    private final SnapshotStore snapshots;
    private final RunProgress progress;
    private final SyncRun.Organization org;
    /** In place: the keys of the organization's items in the run's generation (read once a sink), and the teams listed. */
    private Set<String> written;
    private TreeSet<String> teamsListed;

    SnapshotSink(SnapshotStore snapshots, RunProgress progress, SyncRun.Organization org) {
        this.snapshots = snapshots;
        this.progress = progress;
        this.org = org;
    }

    @Override
    public Position position() {
        return progress.current().read().position();
    }

    @Override
    public void profiles(List<MemberProfile> page) {
        write(page.stream().map(p -> SnapshotItems.profile(org.id(), p)).toList(),
                InPlace.Part.PROFILES, null, page.stream().map(MemberProfile::userUuid).toList(),
                page.stream().mapToLong(p -> LastSeen.millis(p.lastSeenAt())).toArray());
    }

    @Override
    public void invitations(List<InvitationNode> page) {
        write(page.stream().map(i -> SnapshotItems.invitation(org.id(), i)).toList(),
                InPlace.Part.INVITATIONS, null, page.stream().map(InvitationNode::uuid).toList());
    }

    @Override
    public void members(List<OrganizationMember> page) {
        write(page.stream().map(m -> SnapshotItems.member(org.id(), m)).toList(),
                InPlace.Part.MEMBERS, null, page.stream().map(OrganizationMember::id).toList());
    }

    @Override
    public void teams(List<Team> page) {
        write(page.stream().map(t -> SnapshotItems.team(org.id(), t)).toList(),
                InPlace.Part.TEAMS, null, page.stream().map(Team::id).toList());
    }

    @Override
    public void rosterMembers(String team, List<TeamMember> page) {
        // A full run writes each membership with its entry in the team's index (TeamIndex): written, looked up and seen together.
        List<SnapshotStore.Item> memberships = page.stream()
                .map(m -> SnapshotItems.membership(org.id(), m.userId(), team, m.role())).toList();
        write(TeamIndex.withEntries(memberships), InPlace.Part.ROSTER, team, page.stream().map(TeamMember::userId).toList());
    }

    @Override
    public void rosterPipelines(String team, List<TeamRoster.PipelineAccess> page) {
        write(page.stream().map(p -> SnapshotItems.pipeline(org.id(), team, p)).toList(),
                InPlace.Part.PIPELINES, team, page.stream().map(TeamRoster.PipelineAccess::pipelineUuid).toList());
    }

    @Override
    public void rosterRead(String team, long membersCount) {
        // Its members are listed beside it by now (every page of the roster wrote their entries).
        // Seen with the team (a team listed has its roster read through): no marker of its own.
        write(List.of(SnapshotItems.rosterSummary(org.id(), team, membersCount)), null, team, List.of());
    }

    /**
     * Out of the generation (memberships and pipelines read for it before are left, and a
     * comparison counts nothing of a team whose own item is not there); in place, out of what was seen too.
     */
    @Override
    public void teamGone(String team) {
        String key = SnapshotKeys.group(org.id(), team);
        SyncRun run = progress.current();
        snapshots.delete(run.accountId(), run.generation(), List.of(key, key + "/r"));
        if (run.inPlace()) {
            written().removeAll(List.of(key, key + "/r"));
            snapshots.put(run.accountId(), run.generation(), List.of(InPlace.goneMarker(org.id(), team)), run.scratchExpiresAt());
            if (teamsListed != null) {
                teamsListed.remove(team);
            }
        }
    }

    /** The next team after a team (null: the first) in the generation's team list, or null after the last. */
    @Override
    public String teamAfter(String team) {
        SyncRun run = progress.current();
        if (run.inPlace()) {
            // Once called, every page of teams is read: the teams listed are known.
            if (teamsListed == null) {
                teamsListed = InPlace.teamsListed(snapshots, run, org.id());
            }
            return team == null ? (teamsListed.isEmpty() ? null : teamsListed.first()) : teamsListed.higher(team);
        }
        String prefix = SnapshotKeys.groups(org.id());
        String after = team == null ? prefix : SnapshotKeys.group(org.id(), team) + "/~";
        while (true) {
            List<SnapshotStore.Item> next = snapshots.list(run.accountId(), run.generation(), after, 1);
            if (next.isEmpty() || !next.get(0).key().startsWith(prefix)) {
                return null;
            }
            String key = next.get(0).key();
            if (SnapshotKeys.partOf(key).isEmpty()) {
                return SnapshotKeys.idOf(key);
            }
            after = SnapshotKeys.record(key) + "/~"; // a part of a team whose own item is gone: past all its parts
        }
    }

    @Override
    public void moved(GraphqlLane next, Tally read) {
        progress.save(r -> r.reading(r.read().with(next), counted(r, read)));
    }

    @Override
    public void moved(RestLane next, Tally read) {
        progress.save(r -> r.reading(r.read().with(next), counted(r, read)));
    }

    private SyncRun.Counts counted(SyncRun run, Tally read) {
        return run.counts().read(read.members(), read.invitations(), read.teams(), read.memberships());
    }

    /**
     * A page's items into the run's generation. In place, only those new or changed against the
     * account's current generation (an item written before that reads as the current one again is
     * deleted), then the page's marker (none for {@code part} null, seen otherwise).
     */
    private void write(List<SnapshotStore.Item> items, InPlace.Part part, String team, List<String> ids) {
        write(items, part, team, ids, null);
    }

    /**
     * @param lastSeen a profiles' page's last seen of each id, carried by its marker (see {@link LastSeen}): in place, a
     *     profile that differs from the account's only by a later last seen is as the account's, and not written
     */
    private void write(List<SnapshotStore.Item> items, InPlace.Part part, String team, List<String> ids, long[] lastSeen) {
        SyncRun run = progress.current();
        if (!run.inPlace()) {
            if (!items.isEmpty()) {
                snapshots.put(run.accountId(), run.generation(), items, run.scratchExpiresAt());
            }
            return;
        }
        if (items.isEmpty()) {
            return;
        }
        Map<String, String> current = new HashMap<>();
        // A roster page's entries in a team the current generation lists whole are there exactly where its memberships are,
        // each with its membership's data (or empty, where the summary does not say they carry roles): they follow from the
        // memberships looked up, and are not looked up themselves.
        SnapshotStore.Item summary = part == InPlace.Part.ROSTER ? summaryInBase(run, team) : null;
        boolean entriesFollow = TeamIndex.listed(summary);
        String emptyEntry = TeamIndex.rolesListed(summary) ? null : TeamIndex.EMPTY.toString();
        current.putAll(current(run).get(items.stream().map(SnapshotStore.Item::key).filter(k -> !(entriesFollow && TeamIndex.isEntry(k))).toList()));
        if (entriesFollow) {
            List.copyOf(current.keySet()).stream().filter(TeamIndex::isMembership)
                    .forEach(k -> current.put(TeamIndex.entryKeyOf(k), emptyEntry != null ? emptyEntry : current.get(k)));
        }
        java.util.function.Predicate<SnapshotStore.Item> asCurrent = lastSeen == null
                ? i -> i.data().toString().equals(current.get(i.key()))
                : i -> asCurrentButLastSeen(i, current.get(i.key()));
        List<SnapshotStore.Item> changed = items.stream().filter(asCurrent.negate()).toList();
        List<String> readAgain = items.stream().filter(asCurrent).map(SnapshotStore.Item::key).filter(written()::contains).toList();
        if (!changed.isEmpty()) {
            snapshots.put(run.accountId(), run.generation(), changed, run.scratchExpiresAt());
            changed.forEach(i -> written().add(i.key()));
        }
        if (!readAgain.isEmpty()) {
            snapshots.delete(run.accountId(), run.generation(), readAgain);
            written().removeAll(readAgain);
        }
        if (part != null) {
            snapshots.put(run.accountId(), run.generation(), List.of(InPlace.seenMarker(org.id(), part, team, ids, lastSeen)),
                    run.scratchExpiresAt());
        }
    }

    /**
     * Whether a profile read is the account's but for its last seen, which it has (the account's may be
     * later: a pass read it since): its last seen is kept beside it ({@link LastSeen}). A profile read
     * without one where the account's has one is written.
     */
    private static boolean asCurrentButLastSeen(SnapshotStore.Item read, String current) {
        if (current == null) {
            return false;
        }
        if (read.data().toString().equals(current)) {
            return true;
        }
        if (read.data().path(LAST_SEEN).isNull() || read.data().path(LAST_SEEN).isMissingNode()) {
            return false;
        }
        com.fasterxml.jackson.databind.JsonNode was = text(current);
        if (!(read.data() instanceof com.fasterxml.jackson.databind.node.ObjectNode readObject) || !was.has(LAST_SEEN)) {
            return false;
        }
        com.fasterxml.jackson.databind.node.ObjectNode asWas = readObject.deepCopy();
        asWas.set(LAST_SEEN, was.get(LAST_SEEN));
        return asWas.toString().equals(current);
    }

    /** A profile item's last seen, as {@link SnapshotParts} writes it. */
    private static final String LAST_SEEN = "last_seen_at";

    /** The team's roster summary in the account's current generation (null: none): read once a team. */
    private SnapshotStore.Item summaryInBase(SyncRun run, String team) {
        return summaryInBase.computeIfAbsent(team, t -> {
            String key = SnapshotKeys.group(org.id(), t) + "/r";
            String summary = current(run).get(List.of(key)).get(key);
            return Optional.ofNullable(summary == null ? null : new SnapshotStore.Item(key, text(summary)));
        }).orElse(null);
    }

    private static com.fasterxml.jackson.databind.JsonNode text(String json) {
        try {
            return dev.kitebridge.contract.ApiJson.MAPPER.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a snapshot item is not JSON", e);
        }
    }

    /** The account's current generation under the organization, read by range (see {@link CurrentItems}). */
    private CurrentItems current(SyncRun run) {
        return CurrentItems.of(snapshots, run, org.id());
    }

    private final Map<String, Optional<SnapshotStore.Item>> summaryInBase = new java.util.concurrent.ConcurrentHashMap<>();

    private synchronized Set<String> written() {
        if (written == null) {
            written = InPlace.written(snapshots, progress.current(), org.id());
        }
        return written;
    }
}
