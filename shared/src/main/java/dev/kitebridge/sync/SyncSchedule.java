package dev.kitebridge.sync;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import dev.kitebridge.access.AccountStore;
import dev.kitebridge.access.IntegratedAccount;
import dev.kitebridge.contract.ApiError;
import dev.kitebridge.time.TimeSource;

/**
 * The schedule's tick: for each active account with no run under way, a full run when one is due,
 * else a poll of its audit events where its organizations serve them, else a look at Buildkite's
 * counts ({@link LightWatch}), starting a pass of changes for what they name. Full runs come at the
 * cadence's safety net: {@link SyncCadence#fullRun} where audit events are served,
 * {@link SyncCadence#fullRunWithoutAudit} elsewhere.
 */
public final class SyncSchedule {

    private static final System.Logger LOG = System.getLogger(SyncSchedule.class.getName());
    /** Time a poll of one account may take: a few GraphQL pages. */
    private static final Duration POLL_BUDGET = Duration.ofSeconds(20);

    private final AccountStore accounts;
    private final SyncStore syncs;
    private final SyncService service;
    private final AuditWatch watch;
    private final LightWatch light;
    private final SyncCadence cadence;
    private final TimeSource time;
    /**
     * When this instance last polled each account whose cursors that poll did not move: such a poll
     * is not written (a quiet minute's poll would otherwise write the account's sync state every
     * time), so its time is kept here, for when the next poll is due and who waited longest. The
     * schedule's function keeps its instance warm between ticks; a new one knows only what was
     * written, and may poll such an account once before its cadence says (which costs, not corrupts).
     */
    private final Map<String, Instant> quietlyPolled = new ConcurrentHashMap<>();

    /**
     * How long this instance's read of an active account serves its ticks' polls and looks. They only read Buildkite
     * with it (as they would with one read a moment before a change); whatever they would write or start is written
     * from the account read again, and dropped where it changed meanwhile (rotated, unlinked, needing a new token: a
     * change to an account is a new revision), for the next tick to poll or look again from the cursors as stored. So
     * a quiet poll (no change found, nothing written) reads the account once in this long, not every minute (half a
     * read unit each: more than half of a quiet poll's). An account that is not active is read every tick, so that it
     * is polled again as soon as it is given a new token. Within it, a rotated account is polled with the token and
     * budget key as read (a token Buildkite refuses is tried again with the stored one: see BuildkiteAccess), and an
     * unlinked one until its read is due: Buildkite calls, nothing written. A token refused for good throws out of the
     * account's look alone, and the account is read again by the next tick.
     */
    static final Duration ACCOUNT_REREAD = Duration.ofMinutes(5);

    /** Active accounts as this instance last read them, by id, with when: see {@link #ACCOUNT_REREAD}. */
    private final Map<String, KnownAccount> knownAccounts = new ConcurrentHashMap<>();

    private record KnownAccount(IntegratedAccount account, Instant readAt) {}

    /** The account a tick works with, and whether it was read just now (else this instance's read of it, see {@link #ACCOUNT_REREAD}). */
    private record Read(IntegratedAccount account, boolean now) {}

    public SyncSchedule(AccountStore accounts, SyncStore syncs, SyncService service, AuditWatch watch, LightWatch light,
                        SyncCadence cadence, TimeSource time) {
        this.accounts = accounts;
        this.syncs = syncs;
        this.service = service;
        this.watch = watch;
        this.light = light;
        this.cadence = cadence;
        this.time = time;
    }

    /**
     * What a tick did: full runs and passes of changes started, accounts whose audit events were
     * polled, accounts whose counts were looked at.
     */
    public record Tick(int fullRuns, int passes, int polled, int looked) {}

    /** A tick with the schedule function's time: two minutes. */
    public Tick tick() {
        return tickWithin(Duration.ofMinutes(2));
    }

    /** A tick that starts looking at no account after {@code within} from now. */
    public Tick tickWithin(Duration within) {
        return tick(time.now().plus(within));
    }

    /**
     * Looks at every account, {@link #AT_ONCE} at a time (a poll waits on Buildkite, not on this
     * process), those waiting longest first, until {@code deadline}: an account not reached is
     * looked at by the next tick.
     */
    public Tick tick(Instant deadline) {
        AtomicInteger fullRuns = new AtomicInteger();
        AtomicInteger passes = new AtomicInteger();
        AtomicInteger polled = new AtomicInteger();
        AtomicInteger looked = new AtomicInteger();
        List<AccountSync> states = new ArrayList<>(syncs.accounts());
        states.sort(Comparator.comparing(this::lastLookedAt, Comparator.nullsFirst(Comparator.naturalOrder())));
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(AT_ONCE, states.size())), daemon());
        try {
            List<Future<?>> work = new ArrayList<>();
            for (AccountSync state : states) {
                work.add(pool.submit(() -> {
                    if (time.now().isBefore(deadline)) {
                        tick(state, fullRuns, passes, polled, looked);
                    }
                }));
            }
            for (Future<?> each : work) {
                each.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("a tick's look at an account failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return new Tick(fullRuns.get(), passes.get(), polled.get(), looked.get());
    }

    /** How many accounts a tick looks at side by side. */
    public static final int AT_ONCE = 8;

    private void tick(AccountSync state, AtomicInteger fullRuns, AtomicInteger passes, AtomicInteger polled, AtomicInteger looked) {
        // Read at most once a tick, and where it is active once in ACCOUNT_REREAD: the poll or look opens Buildkite with
        // this account, not a second read of it. Read as stored a moment ago (half the price): a change that lands a second
        // before the tick is read as one that lands during the look already is (AccountStore.findRecent). An account not
        // found yet (linked a moment ago) waits a tick.
        try {
            Optional<Read> read = account(state);
            if (read.isEmpty() || read.get().account().status() != IntegratedAccount.Status.ACTIVE) {
                return;
            }
            Read account = read.get();
            // (Inside: a run this release cannot read, stored by a newer one say, leaves its account waiting, not the tick's others.)
            if (state.activeRunId() != null && syncs.run(state.activeRunId()).filter(r -> !r.finished()).isPresent()) {
                service.requeueIfLost(state);
                return; // one run at a time: the account is looked at again once its run is over
            }
            AccountSync current = state;
            Next next = next(account.account(), current);
            if (next == Next.FULL) {
                // The listing may lag a write by a moment: a full run that ended just now would be started again. A full run
                // is started on the state as it is (a strongly consistent read, once a day or so), a poll or look on the listing.
                current = syncs.account(state.accountId()).orElse(null);
                if (current == null) {
                    return;
                }
                next = next(account.account(), current);
            }
            switch (next) {
                case FULL -> fullRuns.addAndGet(full(account, current) ? 1 : 0);
                case POLL -> {
                    polled.incrementAndGet();
                    count(poll(account, current), fullRuns, passes);
                }
                case LOOK -> {
                    looked.incrementAndGet();
                    count(look(account, current), fullRuns, passes);
                }
                case NOTHING -> { }
            }
        } catch (RuntimeException e) {
            // One account's trouble (its account or run unreadable, its state contended, Buildkite refusing, a queue that refused) is no reason to skip the others.
            // The account is read again by the next tick: a token refused (marked as needing a new one, or failing to be where
            // another instance marked it first) may be a rotated one.
            knownAccounts.remove(state.accountId());
            LOG.log(System.Logger.Level.WARNING, "the schedule could not look at account " + state.accountId(), e);
        }
    }

    /**
     * The account, as this instance read it within {@link #ACCOUNT_REREAD} where it was active then, else read now (and
     * kept where it is active).
     */
    private Optional<Read> account(AccountSync state) {
        KnownAccount known = knownAccounts.get(state.accountId());
        if (known != null && time.now().isBefore(known.readAt().plus(ACCOUNT_REREAD))) {
            return Optional.of(new Read(known.account(), false));
        }
        return read(state).map(account -> new Read(account, true));
    }

    /** The account read now; kept for the ticks to come where it is active, forgotten otherwise. */
    private Optional<IntegratedAccount> read(AccountSync state) {
        Instant readAt = time.now();
        Optional<IntegratedAccount> read = accounts.findRecent(state.tenantId(), state.accountId());
        if (read.isPresent() && read.get().status() == IntegratedAccount.Status.ACTIVE) {
            if (!knownAccounts.containsKey(state.accountId()) && knownAccounts.size() >= ACCOUNTS_REMEMBERED) {
                knownAccounts.clear();
            }
            knownAccounts.put(state.accountId(), new KnownAccount(read.get(), readAt));
        } else {
            knownAccounts.remove(state.accountId());
        }
        return read;
    }

    /** Bounded: an instance that has read more accounts than this forgets them all at the next new one, and reads again. */
    private static final int ACCOUNTS_REMEMBERED = 100_000;

    /**
     * Whether what a poll or look of the account found may be written or started: read now by this tick, or read again
     * (see {@link #ACCOUNT_REREAD}) as it was, and so active: the whole account, not its revision alone, as one unlinked and
     * linked again under its id (the dev server's) starts again at the same revision.
     */
    private boolean unchanged(Read account, AccountSync state) {
        return account.now() || read(state).filter(account.account()::equals).isPresent();
    }

    private static void count(Started started, AtomicInteger fullRuns, AtomicInteger passes) {
        (started == Started.FULL_RUN ? fullRuns : passes).addAndGet(started == Started.NOTHING ? 0 : 1);
    }

    /** What a poll or a look started. */
    private enum Started { NOTHING, PASS, FULL_RUN }

    /** When the schedule last looked at an account's audit events or counts (null: never). */
    private Instant lastLookedAt(AccountSync state) {
        Instant polled = state.audit().values().stream().map(c -> polledAt(state, c)).filter(Objects::nonNull)
                .min(Comparator.naturalOrder()).orElse(null);
        Instant counted = state.counts().at();
        return polled == null ? counted : counted == null ? polled : polled.isBefore(counted) ? polled : counted;
    }

    private static java.util.concurrent.ThreadFactory daemon() {
        return runnable -> {
            Thread thread = new Thread(runnable, "kitebridge-schedule");
            thread.setDaemon(true);
            return thread;
        };
    }

    private enum Next { FULL, POLL, LOOK, NOTHING }

    /** When a cursor was last polled: as written, or later by this instance in a poll that moved nothing. */
    private Instant polledAt(AccountSync state, AuditCursor cursor) {
        Instant here = quietlyPolled.get(state.accountId());
        return cursor.polledAt() == null ? here : here == null || here.isBefore(cursor.polledAt()) ? cursor.polledAt() : here;
    }

    /** A full run; the counts seen before it are dropped, so that the next look compares with what it confirms. */
    private boolean full(Read account, AccountSync state) {
        if (!unchanged(account, state)) {
            return false; // the next tick decides again, with the account as it is
        }
        return service.startScheduled(account.account(), state, "schedule", null, s -> s.withCounts(CountsSeen.NONE)).created();
    }

    /**
     * A full run when the account never completed one, or its last is older than the cadence allows
     * (where every organization serves audit events, the cadence's {@code fullRun}, else its
     * {@code fullRunWithoutAudit}); otherwise a poll once an audit cursor is older than the poll
     * cadence; otherwise, where some organization does not serve audit events, a look at the counts
     * once the last is older than the look cadence.
     */
    private Next next(IntegratedAccount account, AccountSync state) {
        Instant lastFull = state.confirmed().oldest().orElse(null);
        if (lastFull == null || state.currentGeneration() == 0) {
            return Next.FULL;
        }
        boolean watched = !account.organizations().isEmpty() && account.organizations().stream()
                .allMatch(org -> state.audit(org.id()).unavailableSince() == null);
        Duration fullEvery = watched ? cadence.fullRun() : cadence.fullRunWithoutAudit();
        if (!time.now().isBefore(lastFull.plus(fullEvery))) {
            return Next.FULL;
        }
        boolean pollDue = account.organizations().stream().map(org -> state.audit(org.id()))
                .anyMatch(c -> c.unavailableSince() != null ? !time.now().isBefore(c.unavailableSince().plus(cadence.auditRecheck()))
                        : polledAt(state, c) == null || !time.now().isBefore(polledAt(state, c).plus(cadence.auditPoll())));
        if (pollDue) {
            return Next.POLL;
        }
        boolean lookDue = !watched && (state.counts().at() == null || !time.now().isBefore(state.counts().at().plus(cadence.lightLook())));
        return lookDue ? Next.LOOK : Next.NOTHING;
    }

    /**
     * Polls the account's audit events and starts what they call for; the cursors are kept once it
     * is started (where that does not stick, the next poll reads the same events again and re-reads
     * their subjects, which costs, not corrupts).
     */
    private Started poll(Read read, AccountSync state) {
        IntegratedAccount account = read.account();
        AuditWatch.Found found;
        // The poll asks from shortly before the last one, quiet ones (not written) included: they listed nothing new.
        Map<String, AuditCursor> lastPolled = new HashMap<>();
        state.audit().forEach((org, c) -> lastPolled.put(org, new AuditCursor(c.checkpoint(), c.seen(), polledAt(state, c), c.unavailableSince())));
        try {
            found = watch.poll(account, state.withAudit(lastPolled), state.confirmed().oldest().orElseThrow(), cadence.auditRecheck(), POLL_BUDGET);
        } catch (ApiError e) {
            if (e.status() == 429) {
                return Started.NOTHING; // a spent budget: the next tick polls again from the same cursors
            }
            throw e;
        }
        boolean moved = found.cursors().entrySet().stream().anyMatch(e -> !state.audit(e.getKey()).samePlace(e.getValue()));
        if (!found.changed() && !moved) {
            // Nothing new, and the cursors stand where they stood: nothing to write (its time is kept here).
            quietlyPolled.put(account.id(), time.now());
            return Started.NOTHING;
        }
        return act(read, state, "audit_events", found.fullRunNeeded(), found.subjects(), s -> s.withAudit(found.cursors()));
    }

    /** Looks at the counts of the organizations without audit events; the same, keeping the counts seen. */
    private Started look(Read read, AccountSync state) {
        LightWatch.Found found;
        try {
            found = light.look(read.account(), state, org -> state.audit(org.id()).unavailableSince() != null, POLL_BUDGET);
        } catch (ApiError e) {
            if (e.status() == 429) {
                return Started.NOTHING; // a spent budget: the next tick looks again, at the same counts
            }
            throw e;
        }
        // After a full run the next look compares with the data that run keeps, not with counts seen before it.
        CountsSeen seen = found.fullRunNeeded() ? CountsSeen.NONE : new CountsSeen(time.now(), found.signals(), found.doubted(), found.listed(),
                found.twoFactorByTeam());
        return act(read, state, "counts", found.fullRunNeeded(), found.subjects(), s -> s.withCounts(seen));
    }

    /**
     * Starts a full run, or a pass of changes of the subjects found, keeping what was seen in the
     * write that names it; or, with nothing to start, keeps what was seen. Where a run was called for
     * and another is under way, nothing is kept.
     */
    private Started act(Read account, AccountSync state, String trigger, boolean fullRunNeeded, List<Subject> subjects,
                        UnaryOperator<AccountSync> seen) {
        if (!unchanged(account, state)) {
            return Started.NOTHING; // the account changed since it was read: the next tick polls or looks again, from the same cursors
        }
        if (!fullRunNeeded && subjects.isEmpty()) {
            update(state, seen);
            return Started.NOTHING;
        }
        if (!service.startScheduled(account.account(), state, trigger, fullRunNeeded ? null : subjects, seen).created()) {
            return Started.NOTHING; // another run is under way: the next tick asks again from what was seen before
        }
        return fullRunNeeded ? Started.FULL_RUN : Started.PASS;
    }

    /**
     * Changes the account's sync state, from the state the tick read, over concurrent changes (read
     * again where one landed); leaves it where it keeps changing (logged).
     */
    private void update(AccountSync known, UnaryOperator<AccountSync> change) {
        String accountId = known.accountId();
        Optional<AccountSync> current = Optional.of(known);
        for (int attempt = 0; attempt < 10; attempt++) {
            if (current.isEmpty() || syncs.replaceAccount(change.apply(current.get())).isPresent()) {
                return;
            }
            current = syncs.account(accountId);
        }
        LOG.log(System.Logger.Level.WARNING, "the sync state of account " + accountId + " kept changing; the schedule looks again");
    }
}
