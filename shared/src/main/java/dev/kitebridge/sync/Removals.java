package dev.kitebridge.sync;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.access.Session;
import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.events.EventLog;
import dev.kitebridge.events.EventPositions;

/**
 * What a run does with the removals it found before it publishes them (the events of ranks from
 * {@code group.user_removed} to {@code user.deleted}), walking them in order from a checkpoint
 * saved after each one.
 *
 * <p>VERIFY asks Buildkite about each one alone: Buildkite's page-numbered lists shift while a long
 * read goes on (a member who leaves early moves the next one onto a page already read), so a
 * record missing from a listing is only gone if Buildkite says so (a pass asks about its plain
 * team leaves only: it found its members and teams gone by asking, see {@link #lastAsked}). HOLD
 * takes back every deletion of a run that would delete more than the allowed share, and checks
 * plain team removals as VERIFY does. Taking back carries what the new generation lacks of the record from the
 * base one (a membership, with its team's count: see {@link #recounted}), compares the record (and
 * the team) again, so that its own event (a member's {@code user.updated}, say) says only what
 * really changed, and drops the event.
 */
final class Removals {

    private static final int PAGE = 100;

    private final BuildkiteAccess access;
    private final SnapshotStore snapshots;
    private final EventLog log;
    private final SnapshotDiff diff;

    Removals(BuildkiteAccess access, SnapshotStore snapshots, EventLog log, SnapshotDiff diff) {
        this.access = access;
        this.snapshots = snapshots;
        this.log = log;
        this.diff = diff;
    }

    /**
     * VERIFY or HOLD, by the run's phase, until done or the deadline; returns whether it is done.
     * A Buildkite error (a spent budget, say) goes up with every decision before it saved.
     */
    boolean walk(Session session, RunProgress progress, Instant deadline, Supplier<Instant> clock) {
        boolean holding = progress.current().phase() == SyncRun.Phase.HOLD;
        while (clock.get().isBefore(deadline)) {
            SyncRun run = progress.current();
            String from = run.diff().checkedAfter() != null ? run.diff().checkedAfter()
                    : EventPositions.firstOfRank(run.ordinal(), EventPositions.GROUP_USER_REMOVED);
            List<ChangeEvent> page = log.list(run.accountId(), from, EventPositions.firstOfRank(run.ordinal(), lastAsked(run) + 1), PAGE);
            if (page.isEmpty()) {
                return true;
            }
            for (ChangeEvent event : page) {
                if (!clock.get().isBefore(deadline)) {
                    return false;
                }
                int rank = EventPositions.rankOf(event.position());
                boolean plainLeave = rank == EventPositions.GROUP_USER_REMOVED;
                // A take-back once begun is finished without asking again: the first attempt decided, and its writes (what it
                // restored, a team's count, its events compared again) stand whatever Buildkite answers now.
                boolean takeBack = holding && !plainLeave
                        || rank != EventPositions.GONE_USER_REMOVED && takeBackBegun(progress.current(), event)
                        || stillThere(session, progress.current(), event, deadline);
                long deletionsTakenBack = takeBack && !event.event().equals(ChangeEvent.GROUP_USER_REMOVED) ? 1 : 0;
                if (takeBack) {
                    takeBack(progress.current(), event, clock.get());
                }
                // A pass's are stored with its phase's end: a worker that dies goes back to its DIFF, which compares again.
                progress.step(r -> r.comparing(r.phase(),
                        r.diff().checked(event.position(), r.diff().deletions() - deletionsTakenBack),
                        holding ? r.counts().held(r.counts().deletionsHeld() + deletionsTakenBack) : r.counts()));
            }
        }
        return false;
    }

    /**
     * The last rank of removals asked of Buildkite. A pass finds a member or a team gone only by
     * asking about it alone (a member's {@code GET …/members/{uuid}}, a team's {@code GET
     * …/teams/{uuid}} or its roster, answering 404), never by missing it from a listing: that, and
     * the memberships gone with it, is what Buildkite said, and is not asked again. A pass writes
     * nothing of a subject whose organization it does not reach (see {@link SubjectReader}), so
     * none of its deletions comes without a 404. A member out of a team that both stay in may come
     * from a roster's pages, and is asked.
     */
    private static int lastAsked(SyncRun run) {
        return run.full() ? EventPositions.USER_DELETED : EventPositions.GROUP_USER_REMOVED;
    }

    /**
     * Whether a take-back of this removal began before a crash: the run's own generation holds what
     * makes the record exist again (an item, not a pass's tombstone): a membership, a user's REST
     * membership ({@code /m}; a GraphQL profile alone may come from its own listing and is no member),
     * a team's or invitation's own item. It lacked it when DIFF wrote the removal (a pass asks about
     * its plain team leaves only and holds only what differs; a full run in place's generation holds
     * only what differs; a whole generation what was read, and a record read is not removed), and only
     * a take-back puts it there. Asked again, Buildkite may answer otherwise (the member left since):
     * the removal would stand beside a snapshot that keeps the record, and be published again when it
     * is found gone. One read unit a removal (strongly consistent). Not for the memberships of a user
     * or team gone (GONE_USER_REMOVED): a roster read may write the membership of a member whom the
     * members' listing missed, so holding it says nothing of a take-back.
     */
    private boolean takeBackBegun(SyncRun run, ChangeEvent event) {
        String key = keyOf(run, event);
        String restored = event.event().equals(ChangeEvent.GROUP_USER_REMOVED) ? key
                : SnapshotKeys.kind(key) == SnapshotKeys.Kind.USER ? key + "/m" : key;
        return snapshots.get(run.accountId(), run.generation(), List.of(restored)).stream()
                .anyMatch(item -> !PassItems.gone(item.data()));
    }

    /**
     * Gives the new generation what it lacks of the record from the base: for a membership, that
     * membership (and its team's count, see {@link #recounted}); for a user, their own parts (each of
     * their memberships has its own removal, decided on its own); for a team, all of it. Then the
     * record (and a membership's team) is compared again, and the removal dropped.
     */
    private void takeBack(SyncRun run, ChangeEvent event, Instant now) {
        String key = keyOf(run, event);
        String record = SnapshotKeys.record(key);
        // What the record has after the run: a pass's generation holds only what differs (its tombstones are what it takes for gone).
        Set<String> present = (run.inPlace() ? diff.inPlace(run).record(record)
                : !run.full() ? new Overlay(snapshots, run).record(record)
                : snapshots.record(run.accountId(), run.generation(), record)).stream()
                .map(SnapshotStore.Item::key).collect(Collectors.toSet());
        boolean membership = event.event().equals(ChangeEvent.GROUP_USER_REMOVED);
        boolean userOrInvitation = SnapshotKeys.kind(record) != SnapshotKeys.Kind.GROUP;
        List<SnapshotStore.Item> missing = snapshots.record(run.accountId(), run.baseGeneration(), record).stream()
                .filter(item -> !present.contains(item.key()))
                .filter(item -> membership ? item.key().equals(key) : !(userOrInvitation && SnapshotKeys.partOf(item.key()).equals("t")))
                .filter(item -> run.full() || run.subjects().stream().anyMatch(s -> s.covers(item.key()))) // a pass's generation holds only what it covers
                .map(item -> withLastSeen(run, item))
                .toList();
        List<SnapshotStore.Item> restored = new ArrayList<>(run.full() ? TeamIndex.withEntries(missing) : missing);
        Optional<SnapshotStore.Item> recounted = membership ? recounted(run, key) : Optional.empty();
        recounted.ifPresent(restored::add);
        if (!restored.isEmpty()) {
            // A membership comes back with its entry in the team's index (a team's own items bring back no entry: each membership decides its own);
            // into a pass's generation alone, over its tombstone: the entry stays with the membership as it was. The team's
            // count comes with it, in the same write.
            snapshots.put(run.accountId(), run.generation(), restored, run.scratchExpiresAt());
        }
        diff.recompare(run, record, now);
        if (membership) {
            diff.recompare(run, SnapshotKeys.group(SnapshotKeys.organizationOf(key), SnapshotKeys.teamOf(key)), now);
        }
        if (!userOrInvitation) {
            // The team is back: its members whose memberships were taken back before it count it again.
            for (String member : membersIn(run, SnapshotKeys.organizationOf(record), SnapshotKeys.idOf(record))) {
                diff.recompare(run, member, now);
            }
        }
        // The removal goes last: a worker that dies before finds it again (a pass's retry compares again, which
        // leaves an event that the take-back dropped or rewrote as its first attempt wrote it), and takes it back again.
        log.delete(run.accountId(), List.of(event.position()));
    }

    /**
     * A profile taken back into a generation written whole with the last seen the account keeps beside
     * it (see {@link LastSeen}: such a generation has none beside its profiles); any other item, or into a
     * run in place or a pass (whose records are built with the account's kept beside them), as it is.
     */
    private SnapshotStore.Item withLastSeen(SyncRun run, SnapshotStore.Item item) {
        if (run.inPlace() || !run.full()
                || SnapshotKeys.kind(item.key()) != SnapshotKeys.Kind.USER || !SnapshotKeys.partOf(item.key()).equals("g")) {
            return item;
        }
        return LastSeen.read(snapshots, run.accountId(), run.baseGeneration(), SnapshotKeys.organizationOf(item.key())).over(item);
    }

    /**
     * The team's roster summary counting its members after the run, the member taken back among them,
     * where the run has it otherwise: the roster read that missed the member counted one fewer, which
     * published would be a group.updated (members_count) of a team whose members did not change, and a
     * count the team's memberships (and the directory, which counts them) do not show. Counted from
     * the memberships, not moved by one, so that a take-back repeated after a crash counts the same.
     * Empty where the team has no summary after the run (gone), or the pass did not read its roster.
     */
    private Optional<SnapshotStore.Item> recounted(SyncRun run, String membershipKey) {
        String org = SnapshotKeys.organizationOf(membershipKey);
        String team = SnapshotKeys.teamOf(membershipKey);
        String summaryKey = SnapshotKeys.group(org, team) + "/r";
        if (!run.full() && run.subjects().stream().noneMatch(s -> s.covers(summaryKey))) {
            return Optional.empty(); // the pass leaves the team's summary, and its memberships but this one, as the account has them
        }
        Overlay overlay = run.full() ? null : new Overlay(snapshots, run); // one overlay for the summary and the members
        Optional<SnapshotStore.Item> summary = (run.inPlace() ? diff.inPlace(run).record(SnapshotKeys.group(org, team))
                : !run.full() ? overlay.record(SnapshotKeys.group(org, team))
                : snapshots.get(run.accountId(), run.generation(), List.of(summaryKey))).stream()
                .filter(i -> i.key().equals(summaryKey)).findFirst();
        if (summary.isEmpty()) {
            return Optional.empty();
        }
        // Counted by the team's index (every membership is written with its entry): a Query or two, not a walk over the
        // organization's users, which a full run's page shifts could ask for at every take-back.
        Set<String> members = new TreeSet<>(run.inPlace() ? diff.inPlace(run).listedIn(org, team)
                : !run.full() ? overlay.membersIn(org, team)
                : snapshots.prefixed(run.accountId(), run.generation(), SnapshotKeys.roster(org, team)).stream()
                        .map(e -> SnapshotKeys.record(TeamIndex.membershipOf(e.key()))).toList());
        members.add(SnapshotKeys.record(membershipKey));
        SnapshotParts.RosterSummary read = SnapshotParts.read(summary.get().data(), SnapshotParts.RosterSummary.class);
        if (read.membersCount() == members.size()) {
            return Optional.empty();
        }
        return Optional.of(new SnapshotStore.Item(summaryKey, SnapshotParts.write(
                new SnapshotParts.RosterSummary(members.size(), read.membersListed(), read.rolesListed()))));
    }

    /** The users after the run with a membership in the team (a walk over the organization's users: a team taken back is rare). */
    private List<String> membersIn(SyncRun run, String org, String team) {
        if (run.inPlace()) {
            return diff.inPlace(run).membersIn(org, team);
        }
        if (!run.full()) {
            return new Overlay(snapshots, run).membersIn(org, team);
        }
        String prefix = SnapshotKeys.organization(org) + "u/";
        List<String> members = new ArrayList<>();
        String after = prefix;
        while (true) {
            List<SnapshotStore.Item> page = snapshots.list(run.accountId(), run.generation(), after, 500);
            for (SnapshotStore.Item item : page) {
                if (!item.key().startsWith(prefix)) {
                    return members;
                }
                if (item.key().endsWith("/t/" + team)) {
                    members.add(SnapshotKeys.record(item.key()));
                }
            }
            if (page.size() < 500) {
                return members;
            }
            after = page.get(page.size() - 1).key();
        }
    }

    /** Whether Buildkite still has what the removal says is gone (invitations are listed by cursor, and not asked about). */
    private boolean stillThere(Session session, SyncRun run, ChangeEvent event, Instant deadline) {
        String key = keyOf(run, event);
        String orgId = SnapshotKeys.organizationOf(key);
        Optional<String> org = run.organizations().stream().filter(o -> o.id().equals(orgId)).map(SyncRun.Organization::slug).findFirst();
        if (org.isEmpty()) {
            return false; // the token no longer reaches the organization: all of it is gone for this account
        }
        String record = SnapshotKeys.record(key);
        return switch (event.event()) {
            case ChangeEvent.GROUP_USER_REMOVED -> access.find(session, () -> session.buildkiteUntil(deadline).teams()
                    .member(org.get(), SnapshotKeys.teamOf(key), SnapshotKeys.idOf(record))).isPresent();
            case ChangeEvent.GROUP_DELETED -> access.find(session, () -> session.buildkiteUntil(deadline).teams()
                    .get(org.get(), SnapshotKeys.idOf(record))).isPresent();
            case ChangeEvent.USER_DELETED -> SnapshotKeys.kind(record) == SnapshotKeys.Kind.USER
                    && access.find(session, () -> session.buildkiteUntil(deadline).organizations()
                            .member(org.get(), SnapshotKeys.idOf(record))).isPresent();
            default -> false;
        };
    }

    /** The snapshot key an event is about: its position after the run and rank. */
    private static String keyOf(SyncRun run, ChangeEvent event) {
        return event.position().substring(EventPositions.firstOfRank(run.ordinal(), 0).length());
    }
}
