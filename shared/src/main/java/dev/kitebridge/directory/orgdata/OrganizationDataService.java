package dev.kitebridge.directory.orgdata;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.access.Session;
import dev.kitebridge.buildkite.ratelimit.RateLimitGovernor;
import dev.kitebridge.contract.ApiError;

/**
 * Serves per-organization data fresh enough for the caller. Data younger than
 * {@link #REFRESH_AFTER} is served as it is; older data is still served (up to
 * {@link #MAX_AGE}, or the caller's shorter {@code max_age}) while each request spends a slice of its time
 * on the next build. Without usable data, requests advance the build and answer 429 with
 * {@code Retry-After} until it is complete.
 */
public final class OrganizationDataService {

    public static final Duration REFRESH_AFTER = Duration.ofHours(1);
    public static final Duration MAX_AGE = Duration.ofHours(24);
    /** How much of a request's time goes to refreshing data that is still served. */
    static final Duration REFRESH_SLICE = Duration.ofSeconds(2);

    private final OrganizationDataStore store;
    private final OrganizationDataBuilder builder;
    private final BuildkiteAccess access;
    private static final System.Logger LOG = System.getLogger(OrganizationDataService.class.getName());

    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    public OrganizationDataService(OrganizationDataStore store, OrganizationDataBuilder builder, BuildkiteAccess access) {
        this.store = store;
        this.builder = builder;
        this.access = access;
    }

    /** The parts asked for, each from the newest complete build. */
    public record View(Map<OrganizationData.Part, OrganizationData> parts) {

        public OrganizationData profiles() {
            return parts.get(OrganizationData.Part.PROFILES);
        }

        public OrganizationData rosters() {
            return parts.get(OrganizationData.Part.ROSTERS);
        }

        /** The age of the oldest part, from when it was completely read. */
        public Duration age(Instant now) {
            return parts.entrySet().stream().map(e -> e.getValue().age(e.getKey(), now)).max(Duration::compareTo)
                    .orElse(Duration.ZERO);
        }
    }

    /**
     * Data for the organization with the given parts, no older than {@code maxAge} (null: the
     * default policy), spending Buildkite calls until {@code deadline} at most.
     *
     * @throws ApiError 429 while the data is being read
     */
    public View ensure(Session session, String organizationSlug, Set<OrganizationData.Part> parts, Duration maxAge,
                       Instant deadline) {
        String accountId = session.account().dataKey(); // the account with its current token
        Duration limit = limit(maxAge);
        Optional<View> ready = ready(accountId, organizationSlug, parts);
        if (ready.isPresent() && ready.get().age(session.now()).compareTo(limit) <= 0) {
            if (maxAge == null && ready.get().age(session.now()).compareTo(REFRESH_AFTER) > 0) {
                refresh(session, organizationSlug, parts, min(deadline, session.now().plus(REFRESH_SLICE)));
            }
            return ready.get();
        }
        ReentrantLock lock = lock(accountId, organizationSlug);
        if (!lock.tryLock()) {
            throw ApiError.rateLimited(Duration.ofSeconds(1), "another request is reading the directory data of "
                    + "organization " + organizationSlug + "; retry after the time given");
        }
        OrganizationData building;
        try {
            building = advance(session, organizationSlug, parts, deadline, limit);
        } finally {
            lock.unlock();
        }
        if (parts.stream().allMatch(building::isComplete)) {
            return ready(accountId, organizationSlug, parts).orElseThrow();
        }
        Duration stalled = building.stalledFor(session.now());
        if (stalled.compareTo(RateLimitGovernor.NO_PROGRESS_LIMIT) >= 0) {
            // Answering 429 again would have the caller wait for ever: say it is stuck, and where the budgets stand.
            throw ApiError.noProgress("reading the directory data of organization " + organizationSlug
                    + " got no Buildkite call through for " + stalled.toMinutes() + " minutes; budgets: "
                    + access.budgetStates(session, organizationSlug));
        }
        throw ApiError.rateLimited(retryAfter(building, session.now()), "reading the directory data of organization "
                + organizationSlug + " takes more than one request at Buildkite's rate limits (" + building.profileCount()
                + " member profiles read so far); retry after the time given");
    }

    /**
     * Whether what is kept for the organization may answer a request with this {@code max_age}
     * (null: the default policy, up to {@link #MAX_AGE}) without reading it again first.
     */
    public boolean usable(Session session, String organizationSlug, Set<OrganizationData.Part> parts, Duration maxAge) {
        Duration limit = limit(maxAge);
        return cached(session, organizationSlug, parts).filter(view -> view.age(session.now()).compareTo(limit) <= 0).isPresent();
    }

    /**
     * What is kept for the organization no older than {@link #MAX_AGE}, without reading Buildkite: for
     * answers that must not wait. The store keeps complete data for days (see {@link
     * OrganizationDataStore#saveConfirmed}): its age is its dates'.
     */
    public Optional<View> cached(Session session, String organizationSlug, Set<OrganizationData.Part> parts) {
        return ready(session.account().dataKey(), organizationSlug, parts).filter(view -> view.age(session.now()).compareTo(MAX_AGE) <= 0);
    }

    /** How old data may be served: the caller's {@code max_age} (null: the default policy), no older than {@link #MAX_AGE}. */
    private static Duration limit(Duration maxAge) {
        return maxAge != null && maxAge.compareTo(MAX_AGE) < 0 ? maxAge : MAX_AGE;
    }

    /**
     * Applies a write made on Buildkite to what is kept for the organization (the complete data and
     * the build in progress), so that the next read shows it: a revision of each (see {@link
     * OrganizationDataStore#revise}), which keeps a revision another process makes at once.
     *
     * <p>Within this process the organization's lock keeps a build from saving over the change; a
     * build in another Lambda instance at the same moment may, until its next refresh (noted in
     * the README).
     */
    public void changed(Session session, String organizationSlug, Consumer<OrganizationData> change) {
        try {
            apply(session.account().dataKey(), organizationSlug, change, session.now());
        } catch (RuntimeException e) {
            // The write is done on Buildkite whatever happens here: its answer must not turn into a failure.
            LOG.log(System.Logger.Level.WARNING, "could not apply a write to the kept data of " + organizationSlug
                    + "; it is read again instead", e);
            forget(session, organizationSlug);
        }
    }

    /**
     * A change another reader found and published (a sync's pass of changes), applied to the data
     * kept under {@code dataKey} as a write through the directory is (see {@link #changed}): the
     * data keeps its age, and where the change cannot be applied the data is dropped, to be read again.
     */
    public void revised(String dataKey, String organizationSlug, Consumer<OrganizationData> change, Instant now) {
        try {
            apply(dataKey, organizationSlug, change, now);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not apply a sync's changes to the kept data of " + organizationSlug
                    + "; it is read again instead", e);
            try {
                store.forget(dataKey, organizationSlug);
            } catch (RuntimeException alsoFailed) {
                LOG.log(System.Logger.Level.WARNING, "could not forget the kept data of " + organizationSlug, alsoFailed);
            }
        }
    }

    /** Drops what is kept for the organization (best effort), so that the next read reads it again. */
    public void forget(Session session, String organizationSlug) {
        try {
            store.forget(session.account().dataKey(), organizationSlug);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not forget the kept data of " + organizationSlug, e);
        }
    }

    private void apply(String accountId, String organizationSlug, Consumer<OrganizationData> change, Instant now) {
        ReentrantLock lock = lock(accountId, organizationSlug);
        if (!lockedInTime(lock)) {
            store.forget(accountId, organizationSlug); // cannot apply the change in time: read it all again instead
            return;
        }
        try {
            // A revision of what is kept, not a save of it: a patch of what changed (see OrganizationDataStore#revise).
            store.revise(accountId, organizationSlug, data -> {
                change.accept(data);
                data.changed(now); // a sync's data confirmed before the write does not replace it (see confirmed)
            });
        } finally {
            lock.unlock();
        }
    }

    /** Takes the organization's lock if a build in this process lets it go within what a write waits. */
    private static boolean lockedInTime(ReentrantLock lock) {
        try {
            return lock.tryLock(CHANGE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Keeps data another reader confirmed (a sync run that has published it: see {@link
     * OrganizationData#confirmed}) as the organization's complete data, so that the next read serves
     * it without reading Buildkite. Nothing is replaced that is as new or newer: where every part
     * kept was completed at or after the confirmation (this data kept already, or a build of the
     * directory's that ended later), or a write through the directory was applied at or after it
     * (the confirmed data does not have it), what is kept stays. A profile whose fields are what was
     * kept keeps GraphQL's raw answer (for {@code remote_data}); a changed one has none until the
     * directory reads the organization again. Repeating it changes nothing.
     *
     * @return whether the data was saved
     * @throws IllegalStateException if a build in this process held the organization for longer than a write waits
     */
    public boolean confirmed(OrganizationData confirmed) {
        Instant at = confirmed.completedAt(OrganizationData.Part.PROFILES).orElseThrow();
        ReentrantLock lock = lock(confirmed.accountId(), confirmed.organizationSlug());
        if (!lockedInTime(lock)) {
            throw new IllegalStateException("the kept data of " + confirmed.organizationSlug() + " is being built in this process");
        }
        try {
            if (!wouldKeep(confirmed.accountId(), confirmed.organizationSlug(), at)) {
                return false;
            }
            Optional<OrganizationData> kept = store.complete(confirmed.accountId(), confirmed.organizationSlug(),
                    OrganizationData.Part.PROFILES);
            if (kept.isPresent()) {
                confirmed = inOrderOf(confirmed, kept.get());
                // Compared as served: a profile the directory read carries its last seen in it, a confirmed
                // one beside it (see OrganizationData#snapshot); the one kept, with its raw answer, stays.
                Map<String, MemberProfile> was = new HashMap<>();
                kept.get().snapshot().profiles().forEach(p -> was.put(p.userUuid(), p));
                for (MemberProfile profile : confirmed.profiles()) {
                    MemberProfile k = was.get(profile.userUuid());
                    if (k != null && k.raw() != null && kept.get().profile(k.userUuid()).orElseThrow().withoutRaw().equals(profile.withoutRaw())) {
                        confirmed.replaceProfile(k, profile.lastSeenAt()); // (its last seen as served, wherever either side kept it)
                    }
                }
            }
            store.saveConfirmed(confirmed);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The confirmed data with its members and teams in the order kept, those new after them (in the
     * order confirmed), as a revision of the kept data leaves them (see {@link OrganizationDataPatch}):
     * the order is no part of what a run confirms (it reads its snapshot in key order), and so the
     * store keeps the confirmation as what changed, not as a new order (see {@link OrganizationDataStore#saveConfirmed}).
     */
    private static OrganizationData inOrderOf(OrganizationData confirmed, OrganizationData kept) {
        OrganizationData.Snapshot read = confirmed.snapshot();
        OrganizationData.Snapshot was = kept.snapshot();
        List<MemberProfile> profiles = inOrderOf(read.profiles(), was.profiles(), MemberProfile::userUuid);
        List<TeamRoster> teams = inOrderOf(read.teams(), was.teams(), TeamRoster::teamUuid);
        List<TeamRoster> rosters = inOrderOf(read.rosters(), was.rosters(), TeamRoster::teamUuid);
        if (profiles.equals(read.profiles()) && teams.equals(read.teams()) && rosters.equals(read.rosters())) {
            return confirmed;
        }
        return OrganizationData.restore(new OrganizationData.Snapshot(read.accountId(), read.organizationSlug(), read.startedAt(), read.retryAt(),
                profiles, read.profilesAfter(), read.profilesCompletedAt(), read.profilesNeedSso(), teams, rosters, read.teamsNext(),
                read.teamsListed(), read.rosterIndex(), read.rosterNext(), read.rosterPipelinesPhase(), read.rosterMembers(),
                read.rosterPipelines(), read.rostersCompletedAt(), read.stalledSince(), read.changedAt(), read.lastSeen()));
    }

    /** {@code items} in the order of those in {@code order}, by id, then the others in their own order. */
    private static <T> List<T> inOrderOf(List<T> items, List<T> order, Function<T, String> id) {
        Map<String, T> left = new LinkedHashMap<>();
        items.forEach(i -> left.put(id.apply(i), i));
        List<T> ordered = new ArrayList<>();
        order.forEach(o -> Optional.ofNullable(left.remove(id.apply(o))).ifPresent(ordered::add));
        ordered.addAll(left.values());
        return ordered;
    }

    /**
     * Whether data confirmed at {@code at} would be kept (see {@link #confirmed}): asked before the
     * data is gathered, so that a repeated keep costs a look at what is kept, not a read of it all.
     */
    public boolean wouldKeep(String accountId, String organizationSlug, Instant at) {
        Map<OrganizationData.Part, OrganizationData> kept = new EnumMap<>(OrganizationData.Part.class);
        for (OrganizationData.Part part : OrganizationData.Part.values()) {
            store.complete(accountId, organizationSlug, part).ifPresent(d -> kept.put(part, d));
        }
        boolean asNew = kept.size() == OrganizationData.Part.values().length && kept.entrySet().stream()
                .allMatch(e -> !e.getValue().completedAt(e.getKey()).orElseThrow().isBefore(at));
        List<OrganizationData> all = new ArrayList<>(kept.values());
        store.building(accountId, organizationSlug).ifPresent(all::add);
        boolean writtenSince = all.stream().anyMatch(d -> d.changedAt().filter(c -> !c.isBefore(at)).isPresent());
        return !asNew && !writtenSince;
    }

    /** How long a write waits for a build in this process to step aside before it drops the organization's data instead. */
    static final Duration CHANGE_WAIT = Duration.ofSeconds(2);

    /** Spends a slice of a request on reading newer data, unless another request is already at it. */
    private void refresh(Session session, String organizationSlug, Set<OrganizationData.Part> parts, Instant until) {
        ReentrantLock lock = lock(session.account().dataKey(), organizationSlug);
        if (!lock.tryLock()) {
            return;
        }
        try {
            advance(session, organizationSlug, parts, until, REFRESH_AFTER);
        } catch (ApiError refreshFailed) {
            // The data served is still good; the refresh goes on with a later request.
        } finally {
            lock.unlock();
        }
    }

    private static Duration retryAfter(OrganizationData building, Instant now) {
        Instant retryAt = building.retryAt();
        Duration wait = retryAt == null ? Duration.ZERO : Duration.between(now, retryAt);
        return wait.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : wait;
    }

    /**
     * Advances the build in progress, or starts one. A build in progress whose asked-for parts are
     * already complete but older than {@code staleAfter} is what is being replaced, so a new build
     * starts instead.
     */
    private OrganizationData advance(Session session, String organizationSlug, Set<OrganizationData.Part> parts,
                                     Instant deadline, Duration staleAfter) {
        String accountId = session.account().dataKey(); // the account with its current token
        Instant now = session.now();
        OrganizationData building = store.building(accountId, organizationSlug)
                .filter(b -> parts.stream().noneMatch(p -> b.isComplete(p) && b.age(p, now).compareTo(staleAfter) > 0))
                .orElseGet(() -> new OrganizationData(accountId, organizationSlug, now));
        try {
            // The reader answers Buildkite's errors in the contract's terms, call by call.
            OrganizationDataBuilder.Progress progress = builder.advance(building, session, parts, deadline);
            building.retryAt(progress.retryAt());
            building.advanced(progress.stepped(), now);
        } finally {
            store.save(building);
        }
        return building;
    }

    private ReentrantLock lock(String accountId, String organizationSlug) {
        return locks.computeIfAbsent(accountId + "/" + organizationSlug, k -> new ReentrantLock());
    }

    private Optional<View> ready(String accountId, String organizationSlug, Set<OrganizationData.Part> parts) {
        Map<OrganizationData.Part, OrganizationData> found = new EnumMap<>(OrganizationData.Part.class);
        for (OrganizationData.Part part : parts) {
            Optional<OrganizationData> complete = store.complete(accountId, organizationSlug, part);
            if (complete.isEmpty()) {
                return Optional.empty();
            }
            found.put(part, complete.get());
        }
        return Optional.of(new View(found));
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
