package dev.kitebridge.sync;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.kitebridge.VirtualTime;
import dev.kitebridge.access.AccountStore;
import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.access.IntegratedAccount;
import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.buildkite.ratelimit.InMemoryRateLimitGovernor;
import dev.kitebridge.buildkite.ratelimit.RateLimitGovernor;
import dev.kitebridge.directory.orgdata.OrganizationData;
import dev.kitebridge.directory.orgdata.OrganizationDataService;
import dev.kitebridge.directory.orgdata.OrganizationDataStore;
import dev.kitebridge.directory.orgdata.OrganizationReader;
import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.events.EventFeed;
import dev.kitebridge.events.EventLog;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.Population;
import dev.kitebridge.state.memory.InMemoryAccountStore;
import dev.kitebridge.state.memory.InMemoryEventLog;
import dev.kitebridge.state.memory.InMemoryOrganizationDataStore;
import dev.kitebridge.state.memory.InMemorySnapshotStore;
import dev.kitebridge.state.memory.InMemorySyncStore;
import dev.kitebridge.state.memory.InMemoryTokenVault;
import dev.kitebridge.time.TimeSource;

/** A sandbox organization, one integrated account linked to it, and the sync engine on in-memory state. */
final class SyncFixture implements AutoCloseable {

    static final String TENANT = "tenant-1";
    static final String ACCOUNT = "acct-1";

    final Sandbox sandbox;
    final InMemoryAccountStore accounts = new InMemoryAccountStore();
    /** The accounts as the engine reads them: {@link #accounts}, or a store over it of the caller's. */
    final AccountStore engineAccounts;
    final SyncStore syncs;
    final SnapshotStore snapshots;
    final EventLog log;
    final TimeSource time;
    final SyncRunner runner;
    /** The directory's kept data, which completed runs keep as they published it (under {@link #DATA_KEY}). */
    final OrganizationDataStore directory;
    final SyncService service;
    final BuildkiteAccess access;
    /** The directory's kept data as the directory serves it (over {@link #directory}). */
    final OrganizationDataService directoryService;
    final List<String> queued = new CopyOnWriteArrayList<>();

    private final boolean ownsSandbox;

    SyncFixture(int members, int teams) {
        this(sandbox(members, teams), new InMemorySnapshotStore(), new InMemorySyncStore(), new InMemoryEventLog(), true);
    }

    /** Another state (same account id) over a sandbox that another fixture owns: two runs of the same world compare. */
    SyncFixture(Sandbox shared, SnapshotStore snapshots) {
        this(shared, snapshots, new InMemorySyncStore(), new InMemoryEventLog(), false);
    }

    /** Over a shared sandbox, with stores of the caller's (wrapped to kill, say). */
    SyncFixture(Sandbox shared, SnapshotStore snapshots, SyncStore syncs, EventLog log) {
        this(shared, snapshots, syncs, log, false);
    }

    /** Over a sandbox that the caller owns, on its virtual clock {@code time}. */
    SyncFixture(Sandbox sandbox, VirtualTime time) {
        this(sandbox, new InMemorySnapshotStore(time), new InMemorySyncStore(), new InMemoryEventLog(), false, time, time.governor());
    }

    /**
     * Over a sandbox that the caller owns, on its virtual clock, with the caller's sync store, and the
     * accounts as the engine sees them through {@code seenThrough} (counted, say).
     */
    SyncFixture(Sandbox sandbox, VirtualTime time, SyncStore syncs, java.util.function.UnaryOperator<AccountStore> seenThrough) {
        this(sandbox, new InMemorySnapshotStore(time), syncs, new InMemoryEventLog(), false, time, time.governor(),
                new InMemoryOrganizationDataStore(), seenThrough);
    }

    /** Over a sandbox that the caller owns, on its virtual clock, with the caller's snapshots (on that clock too). */
    SyncFixture(Sandbox sandbox, VirtualTime time, SnapshotStore snapshots) {
        this(sandbox, snapshots, new InMemorySyncStore(), new InMemoryEventLog(), false, time, time.governor());
    }

    /** Over a sandbox that the caller owns, on its virtual clock, with the directory's data in the caller's store. */
    SyncFixture(Sandbox sandbox, VirtualTime time, OrganizationDataStore directory) {
        this(sandbox, new InMemorySnapshotStore(time), new InMemorySyncStore(), new InMemoryEventLog(), false, time, time.governor(), directory);
    }

    /** Over a shared sandbox, with stores of the caller's, the directory's data among them. */
    SyncFixture(Sandbox shared, SnapshotStore snapshots, SyncStore syncs, EventLog log, OrganizationDataStore directory) {
        this(shared, snapshots, syncs, log, false, TimeSource.scaled(shared.clock().scale()), new InMemoryRateLimitGovernor(), directory);
    }

    private SyncFixture(Sandbox sandbox, SnapshotStore snapshots, SyncStore syncs, EventLog log, boolean ownsSandbox) {
        this(sandbox, snapshots, syncs, log, ownsSandbox, TimeSource.scaled(sandbox.clock().scale()), new InMemoryRateLimitGovernor());
    }

    private SyncFixture(Sandbox sandbox, SnapshotStore snapshots, SyncStore syncs, EventLog log, boolean ownsSandbox, TimeSource time,
                        RateLimitGovernor governor) {
        this(sandbox, snapshots, syncs, log, ownsSandbox, time, governor, new InMemoryOrganizationDataStore());
    }

    private SyncFixture(Sandbox sandbox, SnapshotStore snapshots, SyncStore syncs, EventLog log, boolean ownsSandbox, TimeSource time,
                        RateLimitGovernor governor, OrganizationDataStore directory) {
        this(sandbox, snapshots, syncs, log, ownsSandbox, time, governor, directory, java.util.function.UnaryOperator.identity());
    }

    private SyncFixture(Sandbox sandbox, SnapshotStore snapshots, SyncStore syncs, EventLog log, boolean ownsSandbox, TimeSource time,
                        RateLimitGovernor governor, OrganizationDataStore directory,
                        java.util.function.UnaryOperator<AccountStore> seenThrough) {
        this.sandbox = sandbox;
        this.ownsSandbox = ownsSandbox;
        this.snapshots = snapshots;
        this.syncs = syncs;
        this.log = log;
        this.time = time;
        this.directory = directory;
        InMemoryTokenVault tokens = new InMemoryTokenVault();
        List<IntegratedAccount.OrganizationRef> reached = sandbox.world().organizations().stream()
                .map(o -> new IntegratedAccount.OrganizationRef(o.uuid(), o.slug(), o.name())).toList();
        accounts.create(new IntegratedAccount(ACCOUNT, TENANT, "sandbox", IntegratedAccount.Status.ACTIVE, List.of(), reached, null,
                Instant.now(), "user:local", null, 0));
        tokens.put(ACCOUNT, BuildkiteToken.of(sandbox.token()));
        engineAccounts = seenThrough.apply(accounts);
        access = new BuildkiteAccess(engineAccounts, tokens, governor,
                new BuildkiteAccess.Endpoints(URI.create(sandbox.restUrl()), URI.create(sandbox.graphqlUrl())), time);
        directoryService = new OrganizationDataService(directory, null, access);
        runner = new SyncRunner(access, new OrganizationReader(access, OrganizationReader.laneThreads()), directoryService, syncs,
                snapshots, log, time, 0.2);
        service = new SyncService(engineAccounts, syncs, (runId, delay) -> queued.add(runId), new EventFeed(log, syncs),
                new dev.kitebridge.state.memory.InMemoryCursorStore(), time);
    }

    static Sandbox sandbox(int members, int teams) {
        return Sandbox.builder().population(Population.of(members, teams))
                .limits(RateLimits.BUILDKITE.withRest(100_000, 100_000).withGraphql(10_000_000, 10_000_000)).timeScale(60).start();
    }

    Organization org() {
        return sandbox.world().organizations().get(0);
    }

    String actor() {
        return sandbox.owner().uuid();
    }

    /** Starts a run and works on it until it is done, as workers with {@code slice} of time each would. */
    SyncRun sync(Duration slice) {
        SyncRun run = service.start(TENANT, ACCOUNT, "api").run();
        return finish(run.id(), slice);
    }

    SyncRun finish(String runId, Duration slice) {
        for (int worker = 0; worker < 10_000; worker++) {
            SyncRunner.Outcome outcome = runner.work(runId, "worker-" + worker, time.now().plus(slice));
            if (outcome.kind() == SyncRunner.Outcome.Kind.DONE) {
                return syncs.run(runId).orElseThrow();
            }
            if (outcome.kind() == SyncRunner.Outcome.Kind.LATER && outcome.at().isAfter(time.now())) {
                sleepUntil(outcome.at());
            }
        }
        throw new AssertionError("run " + runId + " did not end");
    }

    void sleepUntil(Instant at) {
        try {
            time.sleep(Duration.between(time.now(), at));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Every published event of the account, in order. */
    List<ChangeEvent> events() {
        List<ChangeEvent> all = new ArrayList<>();
        String after = null;
        while (true) {
            SyncService.EventPage page = service.events(TENANT, ACCOUNT, after, 500);
            if (page.events().isEmpty()) {
                return all;
            }
            all.addAll(page.events());
            after = page.nextCursor();
        }
    }

    /** The account's current snapshot, item by item. */
    /** The account's data key in the directory's store (it has no token id). */
    static final String DATA_KEY = ACCOUNT;

    /** What the directory keeps of the organization, without when it was confirmed: its profiles and rosters, or null. */
    String kept() {
        return directory.complete(DATA_KEY, org().slug(), OrganizationData.Part.ROSTERS)
                .map(d -> new TreeMap<>(Map.of("profiles", d.profiles().stream().map(Object::toString).sorted().toList(),
                        "rosters", d.rosters().stream().map(SyncFixture::inOrder).map(Object::toString).sorted().toList())).toString())
                .orElse(null);
    }

    /** A roster with its members in one order: who is in a team matters, not in which order they were kept. */
    private static dev.kitebridge.directory.orgdata.TeamRoster inOrder(dev.kitebridge.directory.orgdata.TeamRoster roster) {
        return new dev.kitebridge.directory.orgdata.TeamRoster(roster.teamUuid(), roster.slug(), roster.name(),
                roster.members().stream().sorted(java.util.Comparator.comparing(dev.kitebridge.directory.orgdata.TeamRoster.Member::userUuid))
                        .toList(), roster.pipelines());
    }

    Map<String, String> snapshot() {
        long generation = syncs.account(ACCOUNT).orElseThrow().currentGeneration();
        Map<String, String> items = new TreeMap<>();
        String after = null;
        while (true) {
            List<SnapshotStore.Item> page = snapshots.list(ACCOUNT, generation, after, 500);
            page.forEach(item -> items.put(item.key(), item.data().toString()));
            if (page.size() < 500) {
                return items;
            }
            after = page.get(page.size() - 1).key();
        }
    }

    @Override
    public void close() {
        if (ownsSandbox) {
            sandbox.close();
        }
    }
}
