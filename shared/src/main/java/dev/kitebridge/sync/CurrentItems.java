package dev.kitebridge.sync;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a full run in place looks its pages up in: the account's current generation's items under
 * one organization, each of its teams (with their rosters' summaries and pipelines), invitations and
 * users (profiles, memberships of the organization and of teams) read whole, by range, the first
 * time a page needs one. A page's ids come in Buildkite's order (names, creation), never in key
 * order, so its items are spread over the whole range; but a Query costs the items' summed size
 * (4 KB a unit), a lookup by key a unit for every item, and these items are small (a membership
 * about 60 bytes, a profile about 500): reading the range once costs about a twelfth of looking
 * each item up. Index entries ({@code o/ORG/t/}) are not read by range: a roster page's follow from
 * its memberships where the team is listed whole, and are looked up by key where it is not.
 *
 * <p>Held in memory, the JSON text of each item by its key (about 20 MB at 10,000 members), for
 * the worker's turns of one run: the last one of the process is kept, so that a warm worker's next
 * turn of the same run reads nothing again, and dropped once the run's READ is over or another
 * run's turn begins. The current generation does not change while the run reads (the run is the
 * account's one run, and only its PUBLISH writes there), so what was read in an earlier turn is
 * what a read now would find; it is read settled (see {@link SyncRun#baseWrittenBefore}: half the price).
 *
 * <p>What is held is capped ({@link #BUDGET} characters of keys and JSON, all ranges together): a
 * range is read in key order only while it fits, and what lies past where its reading stopped is
 * looked up by key, as before ranges were read. An organization past the cap (about three times
 * a 10,000-member one's) costs, for the part it does not hold, what it did then, and never holds
 * more than the cap.
 */
final class CurrentItems {

    /** The ranges read whole, by the segment after {@code o/ORG/}: teams, invitations, users. */
    private static final List<String> RANGES = List.of("g/", "i/", "u/");
    private static final int PAGE = 500;
    /** What the ranges held may take, in characters of keys (less {@code o/ORG/}) and JSON text: about 64 MB. */
    static final long BUDGET = 64L << 20;

    /** The budget in force: {@link #BUDGET} but in tests of what a smaller one does. */
    private static volatile long budget = BUDGET;

    /** The process's last: its store, run and organization say whose it is. */
    private static CurrentItems last;

    private final SnapshotStore snapshots;
    private final String accountId;
    private final String runId;
    private final long generation;
    /** When the current generation was last written (see {@link SyncRun#baseWrittenBefore}). */
    private final java.time.Instant writtenBefore;
    private final String org;
    /** By range: what was read of it; null until asked for. */
    private final Map<String, Range> ranges = new HashMap<>();
    /** Characters held over all ranges (guarded by {@link #ranges}). */
    private long held;

    /**
     * A range's items read, by key less {@code o/ORG/}, to their JSON text: every item up to
     * {@code through} (a full key), or the whole range where it is null. Past it, items are looked up by key.
     */
    private record Range(Map<String, String> items, String through) {
        boolean covers(String key) {
            return through == null || key.compareTo(through) <= 0;
        }
    }

    private CurrentItems(SnapshotStore snapshots, SyncRun run, String org) {
        this.snapshots = snapshots;
        this.accountId = run.accountId();
        this.runId = run.id();
        this.generation = run.baseGeneration();
        this.writtenBefore = run.baseWrittenBefore();
        this.org = org;
    }

    /** The run's current generation under an organization: the process's last one if it is this, else a new one (which forgets it). */
    static synchronized CurrentItems of(SnapshotStore snapshots, SyncRun run, String org) {
        CurrentItems kept = last;
        if (kept == null || kept.snapshots != snapshots || !kept.runId.equals(run.id()) || kept.generation != run.baseGeneration()
                || !kept.accountId.equals(run.accountId()) || !kept.org.equals(org)) {
            kept = new CurrentItems(snapshots, run, org);
            last = kept;
        }
        return kept;
    }

    /** Forgets the process's last (a test that wants a cold worker). */
    static synchronized void forget() {
        last = null;
    }

    /** Forgets the process's last unless it is this run's: another run's turn begins (nothing of an earlier run is kept past it). */
    static synchronized void keepOnly(String runId) {
        if (last != null && !last.runId.equals(runId)) {
            last = null;
        }
    }

    /** Characters the process's last holds (0: none held). */
    static synchronized long held() {
        if (last == null) {
            return 0;
        }
        synchronized (last.ranges) {
            return last.held;
        }
    }

    /** Sets the budget of what is read from now on (tests: a small one; {@link #BUDGET} again after). */
    static void budget(long characters) {
        budget = characters;
    }

    /** Forgets the process's last if it is this run's: its READ is over (about 20 MB at 10,000 members, not kept for nothing). */
    static synchronized void forget(SyncRun run) {
        if (last != null && last.runId.equals(run.id())) {
            last = null;
        }
    }

    /** The JSON text of each of these items that the current generation has, by key. */
    Map<String, String> get(Collection<String> keys) {
        Map<String, String> found = new HashMap<>();
        List<String> byKey = new ArrayList<>();
        String prefix = SnapshotKeys.organization(org);
        for (String key : keys) {
            String range = key.startsWith(prefix) ? rangeOf(key.substring(prefix.length())) : null;
            if (range == null) {
                byKey.add(key);
                continue;
            }
            Range read = range(range);
            if (!read.covers(key)) {
                byKey.add(key); // past what the budget let it hold
                continue;
            }
            String text = read.items().get(key.substring(prefix.length()));
            if (text != null) {
                found.put(key, text);
            }
        }
        if (!byKey.isEmpty()) {
            snapshots.get(accountId, generation, byKey).forEach(i -> found.put(i.key(), i.data().toString()));
        }
        return found;
    }

    private static String rangeOf(String rest) {
        for (String range : RANGES) {
            if (rest.startsWith(range)) {
                return range;
            }
        }
        return null;
    }

    /**
     * A range's items, read the first time it is asked for (the two lanes of a read may ask at once:
     * one reads it), in key order while what is held stays within the budget.
     */
    private Range range(String range) {
        synchronized (ranges) {
            Range known = ranges.get(range);
            if (known != null) {
                return known;
            }
            String prefix = SnapshotKeys.organization(org);
            long cap = budget;
            Map<String, String> read = new HashMap<>();
            String after = prefix + range;
            String end = prefix + range + "~"; // after every key under it: keys are ids, slashes and letters
            String through = null;
            reading:
            while (true) {
                List<SnapshotStore.Item> page = snapshots.listSettled(accountId, generation, after, end, writtenBefore, PAGE);
                for (SnapshotStore.Item item : page) {
                    if (!item.key().startsWith(prefix + range)) {
                        continue;
                    }
                    String key = item.key().substring(prefix.length());
                    String text = item.data().toString();
                    long size = key.length() + text.length();
                    if (held + size > cap) {
                        through = after; // every item up to the last one held (or none of the range: its prefix)
                        break reading;
                    }
                    read.put(key, text);
                    held += size;
                    after = item.key();
                }
                if (page.size() < PAGE) {
                    break;
                }
                after = page.get(page.size() - 1).key();
            }
            Range kept = new Range(read, through);
            ranges.put(range, kept);
            return kept;
        }
    }
}
