package dev.kitebridge.sync;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

import dev.kitebridge.access.AccountStore;
import dev.kitebridge.access.IntegratedAccount;
import dev.kitebridge.contract.ApiError;
import dev.kitebridge.directory.CursorStore;
import dev.kitebridge.directory.Cursors;
import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.events.EventFeed;
import dev.kitebridge.time.TimeSource;

/** Starting sync runs (on demand, on the schedule), showing them, and paging through the events they published. */
public final class SyncService {

    private final AccountStore accounts;
    private final SyncStore syncs;
    private final SyncQueue queue;
    private final EventFeed feed;
    private final CursorStore cursors;
    private final TimeSource time;
    /** The resource a cursor of {@code GET /sync-runs} is bound to. */
    static final String RUNS = "sync-runs";
    /** A run still queued this long after it was made was never taken: its message is sent again. */
    static final Duration LOST_AFTER = Duration.ofMinutes(5);

    /** @param cursors where walks of an account's runs ({@code GET /sync-runs}) stand between requests */
    public SyncService(AccountStore accounts, SyncStore syncs, SyncQueue queue, EventFeed feed, CursorStore cursors, TimeSource time) {
        this.accounts = accounts;
        this.syncs = syncs;
        this.queue = queue;
        this.feed = feed;
        this.cursors = cursors;
        this.time = time;
    }

    /** A run, and whether this call started it (false: the account's run under way). */
    public record Started(SyncRun run, boolean created) {}

    /**
     * Starts a run of the account, or answers the one already queued or under way: one run per
     * account at a time.
     *
     * @throws ApiError 404 for an account the tenant does not have, 424 for one that needs a new token
     */
    public Started start(String tenantId, String accountId, String trigger) {
        return start(tenantId, accountId, trigger, false);
    }

    /**
     * @param allowDeletions the caller confirms that deletions over the allowed share are real (after
     *     a run held them): this run publishes them
     */
    public Started start(String tenantId, String accountId, String trigger, boolean allowDeletions) {
        IntegratedAccount account = accounts.find(tenantId, accountId)
                .orElseThrow(() -> ApiError.notFound("no integrated account " + accountId));
        if (account.status() == IntegratedAccount.Status.NEEDS_REAUTH) {
            throw ApiError.needsReauth(accountId);
        }
        return start(account, null, trigger, null, allowDeletions, UnaryOperator.identity());
    }

    /**
     * Starts a pass of changes: a run that re-reads only the subjects named (what audit events or a
     * light pass found changed) and publishes what changed of them. An account never synced gets a
     * full run instead (a pass compares with the last one). With a run under way, that run is
     * answered and nothing is started: the caller keeps its subjects and asks again.
     */
    public Started startChanges(String tenantId, String accountId, String trigger, List<Subject> subjects) {
        IntegratedAccount account = accounts.find(tenantId, accountId)
                .orElseThrow(() -> ApiError.notFound("no integrated account " + accountId));
        return startScheduled(account, null, trigger, subjects, UnaryOperator.identity());
    }

    /**
     * For the schedule, which has just read the account and its sync state ({@code known}; null: not
     * read): a pass of changes of {@code subjects} as {@link #startChanges} starts one, or a full run
     * where they are null, with {@code seen} (what its poll or look saw) changing the sync state in
     * the write that names the run: kept only with the run it started, and no read or write of its
     * own. A state that changed since it was read fails that write, and is read again.
     */
    public Started startScheduled(IntegratedAccount account, AccountSync known, String trigger, List<Subject> subjects,
                                  UnaryOperator<AccountSync> seen) {
        if (subjects != null && subjects.isEmpty()) {
            throw new IllegalArgumentException("a pass of changes names at least one subject");
        }
        if (account.status() == IntegratedAccount.Status.NEEDS_REAUTH) {
            throw ApiError.needsReauth(account.id());
        }
        // (An invitation names its teams: a pass with a team rebuilds those naming it, see InvitationTeams, rather than read them all.)
        return start(account, known, trigger, subjects == null ? null : List.copyOf(new java.util.LinkedHashSet<>(subjects)), false, seen);
    }

    /**
     * A run of the account, as read (one run at a time: the one under way, if there is one), its sync
     * state as {@code known} (null: read here) changed by {@code alongside} in the write that names it.
     */
    private Started start(IntegratedAccount account, AccountSync known, String trigger, List<Subject> subjects, boolean allowDeletions,
                          UnaryOperator<AccountSync> alongside) {
        String tenantId = account.tenantId();
        String accountId = account.id();
        AccountSync state = known;
        for (int attempt = 0; attempt < 10; attempt++) {
            if (state == null) {
                state = syncs.account(accountId).orElse(null);
            }
            if (state == null) {
                syncs.createAccount(AccountSync.first(accountId, tenantId));
                continue;
            }
            // Under way until its end is published (a failed run takes back what it wrote first).
            Optional<SyncRun> active = Optional.ofNullable(state.activeRunId()).flatMap(syncs::run)
                    .filter(r -> r.phase() != SyncRun.Phase.CLEAN && r.phase() != SyncRun.Phase.DONE);
            if (active.isPresent()) {
                requeueIfLost(state);
                return new Started(active.get(), false);
            }
            if (subjects != null && state.currentGeneration() == 0) {
                subjects = null; // nothing to compare a pass with (a first run failed): a full run
            }
            SyncRun run = SyncRun.queued("run_" + UUID.randomUUID().toString().replace("-", ""), tenantId, accountId,
                    state.nextOrdinal(), trigger, subjects, allowDeletions, time.now(), state.currentGeneration(),
                    subjects == null ? List.of() : organizationsOf(account, subjects, lastRunOrganizations(accountId, state.nextOrdinal())));
            // The account claims the run's ordinal first: a crash before the run is written leaves a name of nothing, never two runs.
            if (syncs.replaceAccount(alongside.apply(state).withActiveRun(run.id(), run.ordinal())).isPresent()) {
                syncs.createRun(run);
                if (!run.organizations().isEmpty()) {
                    remember(run); // a pass queued with its organizations keeps them (see SyncRunner: it does not ask again)
                }
                queue.enqueue(run.id(), Duration.ZERO);
                return new Started(run, true);
            }
            state = null; // it changed meanwhile: read it again
        }
        throw ApiError.rateLimited(Duration.ofSeconds(1), "the sync state of account " + accountId
                + " is changing; retry after the time given");
    }

    /**
     * A pass's organizations, as the account has them (what the watch that named the subjects has
     * just reached: its polls and looks go by these slugs) where they agree with the account's last
     * run (ids and slugs; the run's have names): the pass need not ask Buildkite which it reaches.
     * Empty (the pass asks, as a full run does) where they differ (an organization renamed, reached
     * or lost since) or a subject's organization is not among them: a slug gone stale would answer
     * 404 for members still there.
     */
    private static List<SyncRun.Organization> organizationsOf(IntegratedAccount account, List<Subject> subjects,
                                                              List<SyncRun.Organization> known) {
        java.util.Set<List<String>> lastRun = known.stream().map(o -> List.of(o.id(), o.slug())).collect(java.util.stream.Collectors.toSet());
        java.util.Set<List<String>> watched = account.organizations().stream().map(o -> List.of(o.id(), o.slug()))
                .collect(java.util.stream.Collectors.toSet());
        java.util.Set<String> ids = known.stream().map(SyncRun.Organization::id).collect(java.util.stream.Collectors.toSet());
        return lastRun.equals(watched) && subjects.stream().allMatch(s -> ids.contains(s.organizationId())) ? known : List.of();
    }

    /**
     * The organizations of the account's last run (the one before {@code nextOrdinal}; none: empty), from what this
     * process last saw of it where that is the same run: a run's organizations do not change once it has them (a pass
     * queued with them, a run that asked Buildkite which it reaches as it started), so a pass that follows another this
     * process started reads neither the account's runs nor the run (two read units).
     */
    private List<SyncRun.Organization> lastRunOrganizations(String accountId, long nextOrdinal) {
        LastRun known = lastRuns.get(accountId);
        if (known != null && known.ordinal() == nextOrdinal - 1) {
            return known.organizations();
        }
        List<SyncRun> last = syncs.runs(accountId, nextOrdinal, 1);
        if (last.isEmpty()) {
            return List.of();
        }
        if (last.get(0).status() != SyncRun.Status.QUEUED) {
            remember(last.get(0)); // started or ended: its organizations are fixed
        }
        return last.get(0).organizations();
    }

    private void remember(SyncRun run) {
        if (!lastRuns.containsKey(run.accountId()) && lastRuns.size() >= LAST_RUNS_REMEMBERED) {
            lastRuns.clear();
        }
        lastRuns.put(run.accountId(), new LastRun(run.ordinal(), run.organizations()));
    }

    /** An account's last run as far as a pass needs it: its ordinal and organizations. */
    private record LastRun(long ordinal, List<SyncRun.Organization> organizations) {}

    /**
     * By account: see {@link #lastRunOrganizations}. Bounded: a process that has seen runs of over {@link
     * #LAST_RUNS_REMEMBERED} accounts forgets them all at the next new one (a tick serves some thousand accounts; an entry is
     * an organization list with names, up to a kilobyte or so: some megabytes at the bound), and reads again.
     */
    private final Map<String, LastRun> lastRuns = new ConcurrentHashMap<>();
    private static final int LAST_RUNS_REMEMBERED = 10_000;

    /** Sends a run that must go on later back to the queue, for a worker to take it up after {@code delay}. */
    public void continueLater(String runId, Duration delay) {
        queue.enqueue(runId, delay.isNegative() ? Duration.ZERO : delay);
    }

    /**
     * Sends the account's run again if it was queued long ago and never taken (its message was lost:
     * a send that failed after the run was written). Returns whether it did.
     */
    public boolean requeueIfLost(AccountSync state) {
        Optional<SyncRun> active = Optional.ofNullable(state.activeRunId()).flatMap(syncs::run);
        if (active.isPresent() && active.get().status() == SyncRun.Status.QUEUED
                && active.get().createdAt().isBefore(time.now().minus(LOST_AFTER))) {
            queue.enqueue(active.get().id(), Duration.ZERO);
            return true;
        }
        return false;
    }

    /** @throws ApiError 404 for a run of another tenant, or none */
    public SyncRun run(String tenantId, String runId) {
        return syncs.run(runId).filter(r -> r.tenantId().equals(tenantId))
                .orElseThrow(() -> ApiError.notFound("no sync run " + runId));
    }

    /** A page of an account's runs, newest first, the cursor to the next (null: the last page), and what the account has confirmed. */
    public record RunPage(List<SyncRun> runs, String nextCursor, Confirmed confirmed) {}

    /**
     * A page of the account's runs, newest first. The cursor is opaque (a cursor record's id), bound to
     * the tenant, the account and this list, and expires as the directory's do.
     *
     * @throws ApiError 404 for an account the tenant does not have; 400 {@code invalid_cursor} for a
     *     cursor unknown, expired or issued for another account or list
     */
    public RunPage runs(String tenantId, String accountId, String cursor, int limit) {
        accounts.find(tenantId, accountId).orElseThrow(() -> ApiError.notFound("no integrated account " + accountId));
        long before = Long.MAX_VALUE;
        if (cursor != null) {
            CursorStore.Cursor at = (cursor.length() > 64 ? Optional.<CursorStore.Cursor>empty() : cursors.find(cursor, time.now()))
                    .filter(c -> c.tenantId().equals(tenantId) && c.accountId().equals(accountId) && c.resource().equals(RUNS))
                    .orElseThrow(ApiError::invalidCursor);
            try {
                before = Long.parseLong(at.position().get("before"));
            } catch (RuntimeException e) {
                throw ApiError.invalidCursor();
            }
        }
        List<SyncRun> found = syncs.runs(accountId, before, limit + 1).stream().filter(r -> r.tenantId().equals(tenantId)).toList();
        List<SyncRun> page = found.size() > limit ? found.subList(0, limit) : found;
        String next = found.size() > limit
                ? cursors.save(new CursorStore.Cursor(tenantId, accountId, RUNS, "{}",
                        Map.of("before", Long.toString(page.get(page.size() - 1).ordinal())), time.now().plus(Cursors.LIFETIME)))
                : null;
        return new RunPage(page, next, confirmed(accountId));
    }

    /** When each kind of the account's data was last confirmed by a completed run (all null before its first). */
    public Confirmed confirmed(String accountId) {
        return syncs.account(accountId).map(AccountSync::confirmed).orElse(Confirmed.NEVER);
    }

    /** A page of published events, and the cursor to ask for the next with. */
    public record EventPage(List<ChangeEvent> events, String nextCursor) {}

    public EventPage events(String tenantId, String accountId, String after, int limit) {
        accounts.find(tenantId, accountId).orElseThrow(() -> ApiError.notFound("no integrated account " + accountId));
        List<ChangeEvent> page = feed.after(accountId, after == null ? null : decode(after), limit);
        // A cursor to come back with: an empty page means caught up, and the same cursor polls on (none yet
        // where nothing is published: ask again without one).
        String next = page.isEmpty() ? after : encode(page.get(page.size() - 1).position());
        return new EventPage(page, next);
    }

    /** The position of an event, as the cursor the API shows: opaque, but stable (a receiver may keep it). */
    private static String encode(String position) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(position.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String cursor) {
        try {
            String position = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (position.matches("\\d{12}/\\d{2}/.*")) {
                return position;
            }
        } catch (IllegalArgumentException e) {
            // not base64: answered below
        }
        throw ApiError.invalidRequest("after is not a cursor this API gave");
    }
}
