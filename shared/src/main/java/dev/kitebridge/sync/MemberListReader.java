package dev.kitebridge.sync;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.access.Session;
import dev.kitebridge.buildkite.Page;
import dev.kitebridge.buildkite.PageRequest;
import dev.kitebridge.buildkite.rest.OrganizationMember;
import dev.kitebridge.directory.orgdata.OrganizationReader.RestLane;

/**
 * A pass's member list ({@link Subject.Kind#MEMBERS}): REST's members of the organization, 100 a
 * page (through the REST lane's budget, paced as any read), each compared with the member the
 * account's snapshot keeps (REST's fields: name, email, role, SSO mode). Who is listed and not kept
 * (joined), kept otherwise (changed), or kept and not listed (left) becomes a USER subject of the
 * same pass, which reads them and their teams as any: the list itself covers no item, so the pass's
 * comparison and publication stay those of its members.
 *
 * <p>Each page leaves a marker in the pass's generation ({@code ~listed/ORG/PAGE}: the ids it
 * listed) and moves the checkpoint (the REST lane's next page, and the subjects found on it) in one
 * save: a worker that dies resumes at the page after the last saved. After the last page the
 * markers say who was listed, and the leavers are added; the markers are left to expire with the
 * pass's scratch (see {@link SyncRun#scratchExpiresAt}: under {@code ~}, they are no record's, and
 * nothing of them is published), but a list begun again deletes what an earlier start left.
 *
 * <p>Numbered pages shift when someone leaves mid-list: a member read on no page looks like a
 * leaver, and their own read (a REST get) finds them still there; a member read twice is harmless.
 */
final class MemberListReader {

    /** Where the markers begin: after every record's key ({@code o/...}), apart from a full run's ({@code ~seen/}). */
    static final String LISTED = "~listed/";

    private static final int PAGE = 500;

    private final BuildkiteAccess access;
    private final SnapshotStore snapshots;

    MemberListReader(BuildkiteAccess access, SnapshotStore snapshots) {
        this.access = access;
        this.snapshots = snapshots;
    }

    /** Reads the list on from the checkpoint; returns empty once it is read through, else when it can go on. */
    Optional<Instant> read(Session session, RunProgress progress, Instant deadline, Subject subject, SyncRun.Organization org) {
        Map<String, JsonNode> kept = new HashMap<>(); // the snapshot's members, walked once a turn when a page is compared
        while (true) {
            SyncRun run = progress.current();
            RestLane lane = run.read().rest();
            if (lane.done()) {
                return Optional.empty();
            }
            if (!session.now().isBefore(deadline)) {
                return Optional.of(session.now());
            }
            if (lane.next() == null) {
                dropMarkers(run, org); // a list begun again: the last start's pages may not recur
            }
            PageRequest request = lane.next() != null ? lane.next() : PageRequest.first(PageRequest.MAX_PER_PAGE);
            Page<OrganizationMember> page = access.call(session,
                    () -> session.buildkiteUntil(deadline).organizations().members(org.slug(), request));
            if (kept.isEmpty()) {
                kept.putAll(members(run, org));
            }
            Set<Subject> found = new LinkedHashSet<>(changed(org, page.items(), kept));
            snapshots.put(run.accountId(), run.generation(), List.of(marker(org, request, page.items())), run.scratchExpiresAt());
            RestLane next;
            if (page.next().isPresent()) {
                next = lane.nextPage(page.next().get());
            } else {
                found.addAll(leavers(progress.current(), org, kept));
                next = RestLane.at(RestLane.Stage.DONE, null);
            }
            List<Subject> subjects = new ArrayList<>(run.subjects());
            found.stream().filter(s -> !subjects.contains(s)).forEach(subjects::add);
            long listed = page.items().size();
            progress.save(r -> r.withSubjects(subjects).reading(r.read().with(next), r.counts().read(listed, 0, 0, 0)));
        }
    }

    /** The page's members the snapshot does not keep as listed: joined, or changed in a field REST gives. */
    private static List<Subject> changed(SyncRun.Organization org, List<OrganizationMember> page, Map<String, JsonNode> kept) {
        return page.stream().filter(m -> !SnapshotParts.write(m).equals(kept.get(SnapshotKeys.member(org.id(), m.id()))))
                .map(m -> Subject.user(org.id(), m.id())).toList();
    }

    /**
     * The members the snapshot keeps (their REST items, by key): one walk over the organization's
     * members, where a look-up of each listed member cost a read unit each and the leavers a walk besides.
     */
    private Map<String, JsonNode> members(SyncRun run, SyncRun.Organization org) {
        Map<String, JsonNode> members = new HashMap<>();
        snapshots.prefixed(run.accountId(), run.baseGeneration(), SnapshotKeys.organization(org.id()) + "u/").stream()
                .filter(i -> SnapshotKeys.partOf(i.key()).equals("m")).forEach(i -> members.put(i.key(), i.data()));
        return members;
    }

    /** The members the snapshot keeps that no page listed. */
    private List<Subject> leavers(SyncRun run, SyncRun.Organization org, Map<String, JsonNode> kept) {
        Set<String> listed = new HashSet<>();
        markers(run, org).forEach(m -> m.data().path("ids").forEach(id -> listed.add(id.asText())));
        return kept.keySet().stream().map(k -> SnapshotKeys.idOf(SnapshotKeys.record(k))).filter(user -> !listed.contains(user)).sorted()
                .map(user -> Subject.user(org.id(), user)).toList();
    }

    /** A page's marker, keyed by its page number: the same page read again replaces it. */
    private static SnapshotStore.Item marker(SyncRun.Organization org, PageRequest request, List<OrganizationMember> page) {
        int number = Integer.parseInt(request.query().getOrDefault("page", "1"));
        var data = JsonNodeFactory.instance.objectNode();
        var ids = data.putArray("ids");
        page.forEach(m -> ids.add(m.id()));
        return new SnapshotStore.Item(LISTED + org.id() + "/" + String.format("%08d", number), data);
    }

    private void dropMarkers(SyncRun run, SyncRun.Organization org) {
        List<String> keys = markers(run, org).stream().map(SnapshotStore.Item::key).toList();
        if (!keys.isEmpty()) {
            snapshots.delete(run.accountId(), run.generation(), keys);
        }
    }

    private List<SnapshotStore.Item> markers(SyncRun run, SyncRun.Organization org) {
        String prefix = LISTED + org.id() + "/";
        List<SnapshotStore.Item> markers = new ArrayList<>();
        String after = prefix;
        while (true) {
            List<SnapshotStore.Item> page = snapshots.list(run.accountId(), run.generation(), after, PAGE);
            for (SnapshotStore.Item item : page) {
                if (!item.key().startsWith(prefix)) {
                    return markers;
                }
                markers.add(item);
            }
            if (page.size() < PAGE) {
                return markers;
            }
            after = page.get(page.size() - 1).key();
        }
    }
}
