package dev.kitebridge.sync;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import dev.kitebridge.directory.BuildkiteAccess;
import dev.kitebridge.directory.Session;

/**
 * What a run does with the removals it found before it publishes them (the events of ranks from
 * {@code group.user_removed} to {@code user.deleted}), walking them in order from a checkpoint.
 *
 * <p>VERIFY asks Buildkite about each one alone: Buildkite's page-numbered lists shift while a long
 * read goes on (a member who leaves early on moves the next one onto a page already read), so a
 * record missing from a listing is only gone if Buildkite says so. A removal Buildkite denies is
 * taken back. HOLD takes back every deletion of a run that would delete more than the allowed
 * share. Taking back drops the event and carries the record's items from the base generation into
 * the new one, so the next run weighs it again.
 */
final class Removals {

    private static final int PAGE = 100;

    private final BuildkiteAccess access;
    private final SnapshotStore snapshots;
    private final EventLog log;

    Removals(BuildkiteAccess access, SnapshotStore snapshots, EventLog log) {
        this.access = access;
        this.snapshots = snapshots;
        this.log = log;
    }

    /** VERIFY until done or the deadline; returns whether it is done. */
    boolean verify(Session session, RunProgress progress, Instant deadline, Supplier<Instant> clock) {
        return walk(progress, deadline, clock, event -> stillThere(session, progress.current(), event, deadline));
    }

    /** HOLD until done or the deadline (deletions, and the removals that come of them; not a plain team leave); returns whether it is done. */
    boolean hold(RunProgress progress, Instant deadline, Supplier<Instant> clock) {
        return walk(progress, deadline, clock, event -> EventPositions.rankOf(event.position()) != EventPositions.GROUP_USER_REMOVED);
    }

    private interface TakeBack {
        boolean test(ChangeEvent event);
    }

    private boolean walk(RunProgress progress, Instant deadline, Supplier<Instant> clock, TakeBack takeBack) {
        SyncRun run = progress.current();
        String from = run.diff().checkedAfter() != null ? run.diff().checkedAfter()
                : EventPositions.firstOfRank(run.ordinal(), EventPositions.GROUP_USER_REMOVED);
        String to = EventPositions.firstOfRank(run.ordinal(), EventPositions.USER_DELETED + 1);
        while (clock.get().isBefore(deadline)) {
            List<ChangeEvent> page = log.list(run.accountId(), from, to, PAGE);
            if (page.isEmpty()) {
                return true;
            }
            List<String> dropped = new ArrayList<>();
            long deletionsTakenBack = 0;
            for (ChangeEvent event : page) {
                if (!takeBack.test(event)) {
                    continue;
                }
                String key = keyOf(run, event);
                boolean membership = event.event().equals(ChangeEvent.GROUP_USER_REMOVED);
                List<SnapshotStore.Item> restored = itemsOf(run.accountId(), run.baseGeneration(), SnapshotKeys.record(key)).stream()
                        .filter(item -> membership ? item.key().equals(key) : item.key().equals(key) || item.key().startsWith(key + "/"))
                        .toList();
                if (!restored.isEmpty()) {
                    snapshots.put(run.accountId(), run.generation(), restored);
                }
                dropped.add(event.position());
                deletionsTakenBack += membership ? 0 : 1;
            }
            log.delete(run.accountId(), dropped);
            String last = page.get(page.size() - 1).position();
            long takenBack = deletionsTakenBack;
            boolean holding = run.phase() == SyncRun.Phase.HOLD;
            progress.save(r -> r.comparing(r.phase(), r.diff().checked(last, r.diff().deletions() - takenBack),
                    holding ? r.counts().held(r.counts().deletionsHeld() + takenBack) : r.counts()));
            from = last;
        }
        return false;
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

    /** Every item of a record in a generation. */
    private List<SnapshotStore.Item> itemsOf(String accountId, long generation, String recordKey) {
        List<SnapshotStore.Item> items = new ArrayList<>();
        String after = recordKey.substring(0, recordKey.length() - 1); // sorts just before the record's first item
        while (true) {
            List<SnapshotStore.Item> page = snapshots.list(accountId, generation, after, PAGE);
            for (SnapshotStore.Item item : page) {
                if (item.key().equals(recordKey) || item.key().startsWith(recordKey + "/")) {
                    items.add(item);
                } else if (item.key().compareTo(recordKey) > 0) {
                    return items;
                }
            }
            if (page.size() < PAGE) {
                return items;
            }
            after = page.get(page.size() - 1).key();
        }
    }
}
