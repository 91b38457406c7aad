package dev.kitebridge.bench.freshness;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.access.IntegratedAccount;
import dev.kitebridge.bench.fleet.CapacityMeter;
import dev.kitebridge.bench.fleet.DeployedTemplate;
import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.directory.orgdata.OrganizationDataBuilder;
import dev.kitebridge.directory.orgdata.OrganizationDataService;
import dev.kitebridge.directory.orgdata.OrganizationReader;
import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.events.EventFeed;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.journal.JournalEntry;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Invitation;
import dev.kitebridge.sandbox.model.Member;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.Population;
import dev.kitebridge.sandbox.model.Team;
import dev.kitebridge.sandbox.model.TeamFields;
import dev.kitebridge.sandbox.model.TeamMember;
import dev.kitebridge.sandbox.model.World;
import dev.kitebridge.state.aws.AwsConfig;
import dev.kitebridge.state.aws.Dynalite;
import dev.kitebridge.state.aws.DynamoDbEventLog;
import dev.kitebridge.state.aws.DynamoDbOrganizationDataStore;
import dev.kitebridge.state.aws.DynamoDbSnapshotStore;
import dev.kitebridge.state.aws.DynamoDbSyncStore;
import dev.kitebridge.state.memory.InMemoryAccountStore;
import dev.kitebridge.state.memory.InMemoryCursorStore;
import dev.kitebridge.state.memory.InMemoryTokenVault;
import dev.kitebridge.sync.AccountSync;
import dev.kitebridge.sync.AuditWatch;
import dev.kitebridge.sync.LightWatch;
import dev.kitebridge.sync.SyncCadence;
import dev.kitebridge.sync.SyncRun;
import dev.kitebridge.sync.SyncRunner;
import dev.kitebridge.sync.SyncSchedule;
import dev.kitebridge.sync.SyncService;
import dev.kitebridge.sync.SyncWorker;

/**
 * How fresh the directory stays, and at what cost: an organization under Buildkite's per-user
 * budgets, linked and synced once, then random changes made in Buildkite (as people make them in
 * its web UI) over two hours of Buildkite time while the deployed loop runs on Buildkite's clock —
 * a schedule tick every minute ({@link SyncSchedule} with {@link SyncCadence#DEFAULT}), a worker
 * taking each queued run for a turn of the worker function's timeout less {@link SyncWorker#RESERVE},
 * runs sent back until their budget refills. Once for an Enterprise organization (audit events) and
 * once for one without. The clock moves only when Kitebridge waits ({@link BuildkiteTime}), so the
 * figures are Buildkite time whatever the machine's speed; Buildkite's real latency is not in them.
 */
public final class FreshnessBenchmark {

    static final String TENANT = "bench";
    static final String ACCOUNT = "bench-account";
    static final Instant START = Instant.parse("2026-06-01T00:00:00Z");
    private static final int REST_PER_MINUTE = RateLimits.BUILDKITE.restPerUser();
    private static final int GRAPHQL_PER_WINDOW = RateLimits.BUILDKITE.graphqlPointsPerUser();
    private static final Duration GRAPHQL_WINDOW = RateLimits.BUILDKITE.graphqlWindow();

    /** An organization's size, and the changes made in it over how long. */
    public record Size(int members, int teams, int changes, Duration over, Duration drain) {
        public static final Size FULL = new Size(10_000, 250, 60, Duration.ofHours(2), Duration.ofHours(2));
        public static final Size SMALL = new Size(1_000, 25, 20, Duration.ofMinutes(40), Duration.ofHours(2));
    }

    enum Kind {
        JOIN("join"), LEAVE("leave"), PROMOTION("promotion"), TEAM_MOVE("team move"), TEAM_RENAME("team rename"),
        INVITATION("invitation"), TWO_FACTOR("2FA on");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /** One change made in Buildkite, what published events must show it, and when each first showed. */
    static final class Change {
        final Kind kind;
        Instant at;
        String what;
        String failure;
        final List<Predicate<ChangeEvent>> expected = new ArrayList<>();
        final Map<Integer, Instant> seen = new TreeMap<>();

        Change(Kind kind) {
            this.kind = kind;
        }

        boolean applied() {
            return at != null && failure == null;
        }

        boolean published() {
            return applied() && seen.size() == expected.size();
        }

        Duration lag() {
            return published() ? Duration.between(at, Collections.max(seen.values())) : null;
        }
    }

    /** What one case measured. */
    record Result(String label, boolean audit, Map<Kind, List<Duration>> lags, Map<Kind, Integer> unpublished, double restShare,
                  double graphqlShare, long rateLimited, boolean reconciled, long untouched) {}

    /** The EMF metric lines every run and turn writes to stdout: not this benchmark's output (held, as loggers are weakly kept). */
    private static final java.util.logging.Logger METRICS = java.util.logging.Logger.getLogger(dev.kitebridge.metrics.Metrics.LOGGER);

    private final PrintStream out;
    private final Duration turn;

    public FreshnessBenchmark(PrintStream out, Path template) {
        this.out = out;
        METRICS.setLevel(java.util.logging.Level.OFF);
        int timeout = 300;
        if (Files.isRegularFile(template)) {
            try {
                timeout = DeployedTemplate.read(template).timeoutSeconds("SyncWorkerFunction");
            } catch (java.io.IOException | RuntimeException e) {
                out.println("(template " + template + " unreadable: a worker turn of 300 s less the reserve)");
            }
        }
        this.turn = Duration.ofSeconds(timeout).minus(SyncWorker.RESERVE);
    }

    public void run(Size size) {
        out.printf(Locale.ROOT, "== freshness: %,d members, %d teams, %d random changes over %d min of Buildkite time ==%n",
                size.members(), size.teams(), size.changes(), size.over().toMinutes());
        out.printf(Locale.ROOT, "Buildkite's per-user budgets (REST %d a minute, GraphQL %,d points per %d s), Buildkite's clock driven by"
                        + " Kitebridge's waits; schedule tick every minute (SyncCadence.DEFAULT: audit poll %s, full run %s with audit"
                        + " events, %s without); worker turns of %d s; state on dynalite%n",
                REST_PER_MINUTE, GRAPHQL_PER_WINDOW, GRAPHQL_WINDOW.toSeconds(), SyncCadence.DEFAULT.auditPoll(),
                SyncCadence.DEFAULT.fullRun(), SyncCadence.DEFAULT.fullRunWithoutAudit(), turn.toSeconds());
        Result with = new Case(size, true).run();
        Result without = new Case(size, false).run();
        out.println();
        out.println("GOALS");
        goal(every(with, l -> under(l, Duration.ofMinutes(2)), Kind.values()),
                "with audit events: every kind's p95 lag under 2 min, nothing unpublished");
        goal(with.restShare < 0.05 && with.graphqlShare < 0.05, String.format(Locale.ROOT,
                "with audit events: under 5%% of each budget (REST %.1f%%, GraphQL %.1f%%)", with.restShare * 100, with.graphqlShare * 100));
        goal(every(without, l -> under(l, Duration.ofMinutes(15)), Kind.JOIN, Kind.LEAVE, Kind.PROMOTION),
                "without audit events: joins, leaves and roles p95 under 15 min");
        goal(without.restShare < 0.30 && without.graphqlShare < 0.30, String.format(Locale.ROOT,
                "without audit events: under 30%% of each budget (REST %.1f%%, GraphQL %.1f%%)", without.restShare * 100,
                without.graphqlShare * 100));
        goal(with.rateLimited == 0 && without.rateLimited == 0, String.format(Locale.ROOT,
                "0 answers of 429 from Buildkite (with %d, without %d)", with.rateLimited, without.rateLimited));
        goal(with.reconciled && without.reconciled, "final full reconciliation publishes nothing (nothing lost, nothing invented), both");
    }

    private static boolean under(Duration lag, Duration limit) {
        return lag != null && lag.compareTo(limit) < 0;
    }

    private static boolean every(Result result, Predicate<Duration> p95Ok, Kind... kinds) {
        for (Kind kind : kinds) {
            List<Duration> lags = result.lags.getOrDefault(kind, List.of());
            if (result.unpublished.getOrDefault(kind, 0) > 0 || (!lags.isEmpty() && !p95Ok.test(Lags.percentile(lags, 95)))) {
                return false;
            }
        }
        return true;
    }

    private void goal(boolean met, String what) {
        out.println((met ? "PASS " : "MISS ") + what);
    }

    /** One organization, its account, the deployed loop on Buildkite's clock, and the changes. */
    private final class Case {

        private final Size size;
        private final boolean audit;
        private final BuildkiteTime time = new BuildkiteTime(START);
        private final Map<String, Instant> queue = new LinkedHashMap<>();
        private final List<Change> changes = new ArrayList<>();
        private final Set<String> touched = new HashSet<>();
        private final List<ChangeEvent> published = new ArrayList<>();
        private final List<Instant> publishedAt = new ArrayList<>();
        private final Random random = new Random(42);
        private Instant nextTick = START;
        private String feedCursor;
        private int turns;
        private String lastRunId;
        private int workerFailures;
        private final int[] ticks = new int[4]; // ticks, full runs, passes, polls

        private SyncService service;
        private SyncSchedule schedule;
        private SyncWorker worker;
        private DynamoDbSyncStore syncs;

        Case(Size size, boolean audit) {
            this.size = size;
            this.audit = audit;
        }

        Result run() {
            String label = audit ? "with audit events (Enterprise)" : "without audit events (not Enterprise)";
            out.printf(Locale.ROOT, "%n-- %s --%n", label);
            Population population = Population.of(size.members(), size.teams());
            if (audit) {
                population = population.withEnterprise(1);
            }
            try (Sandbox sandbox = Sandbox.builder().clock(time::now).population(population).limits(RateLimits.BUILDKITE).start()) {
                Dynalite.Table table = Dynalite.get().newTable();
                CapacityMeter meter = new CapacityMeter();
                DynamoDbClient dynamo = metered(table.config(), meter);
                wire(sandbox, dynamo, table.name());
                World world = sandbox.world();
                Organization org = world.organizations().get(0);

                // Linked: the schedule's first tick starts the first full run.
                loop(START.plus(Duration.ofHours(6)), this::idle);
                Instant t0 = time.now();
                out.printf(Locale.ROOT, "first full sync (not counted): %s in %d s of Buildkite time, %d worker turns; %d events%n",
                        lastRunStatus(), Duration.between(START, t0).toSeconds(), turns, published.size());
                poll(); // the first run's events are not the changes'
                int firstEvents = published.size();
                int[] ticksBefore = ticks.clone();
                int turnsBefore = turns;
                double writes0 = meter.writeUnits();
                double reads0 = meter.readUnits();
                double computed0 = meter.computedUnits();
                schedule(world, org, sandbox.owner().uuid(), t0);

                Map<String, Long> calls0 = meter.calls();
                // The changes' time, then on until every change shows (or the drain's limit): the steady state.
                loop(t0.plus(size.over()), () -> false);
                loop(time.now().plus(size.drain()), () -> changes.stream().filter(Change::applied).allMatch(Change::published));
                Instant tEnd = time.now();
                double writes = meter.writeUnits() - writes0;
                double reads = meter.readUnits() - reads0;
                double computed = meter.computedUnits() - computed0;
                Map<String, Long> calls = new TreeMap<>();
                meter.calls().forEach((op, n) -> calls.put(op.replace("DynamoDb.", ""), n - calls0.getOrDefault(op, 0L)));
                int[] steady = {ticks[0] - ticksBefore[0], ticks[1] - ticksBefore[1], ticks[2] - ticksBefore[2], ticks[3] - ticksBefore[3]};
                int steadyTurns = turns - turnsBefore;
                // Then a full run with nothing else under way.
                loop(tEnd.plus(Duration.ofHours(2)), this::idle);
                int beforeFinal = published.size();
                String finalRun = service.start(TENANT, ACCOUNT, "benchmark").run().id();
                loop(time.now().plus(Duration.ofHours(3)), () -> syncs.run(finalRun).map(SyncRun::finished).orElse(false));
                poll();
                SyncRun reconciliation = syncs.run(finalRun).orElseThrow();
                List<ChangeEvent> diff = published.subList(beforeFinal, published.size()).stream()
                        .filter(e -> !e.event().startsWith("sync_run.")).toList();

                double hours = Duration.between(t0, tEnd).toSeconds() / 3600.0;
                out.printf(Locale.ROOT, "steady state: %.1f min of Buildkite time from the first sync's end (the changes' %d min, then until the last"
                                + " change showed); %d ticks: %d full runs, %d audit polls,"
                                + " %d passes of changes started; %d worker turns%s%n",
                        hours * 60, size.over().toMinutes(), steady[0], steady[1], steady[3], steady[2], steadyTurns,
                        workerFailures > 0 ? "; " + workerFailures + " turns failed" : "");
                printChanges();
                Map<Kind, List<Duration>> lags = new EnumMap<>(Kind.class);
                Map<Kind, Integer> unpublished = new EnumMap<>(Kind.class);
                printLags(lags, unpublished);

                List<JournalEntry> entries = sandbox.journal().entries();
                long rateLimited = entries.stream().filter(e -> e.status() == 429).count();
                double[] shares = printBudgets(entries, t0, tEnd);
                out.printf(Locale.ROOT, "429 answers from Buildkite (the whole case, first sync included): %d%n", rateLimited);
                out.printf(Locale.ROOT, "DynamoDB (dynalite, CapacityMeter): %,.0f write units, %,.0f read units over the steady state"
                        + " (%.0f computed from item sizes): %,.0f WCU and %,.0f RCU an hour%n", writes, reads, computed, writes / hours,
                        reads / hours);
                out.println("  DynamoDB calls over the steady state: " + calls);

                long untouched = published.subList(firstEvents, beforeFinal).stream()
                        .filter(e -> !e.event().startsWith("sync_run.") && !e.event().startsWith("integrated_account."))
                        .filter(e -> !touches(e)).count();
                out.printf(Locale.ROOT, "events for records no change touched (steady state and drain): %d%n", untouched);
                published.subList(firstEvents, beforeFinal).stream()
                        .filter(e -> !e.event().startsWith("sync_run.") && !e.event().startsWith("integrated_account.") && !touches(e))
                        .limit(5).forEach(e -> out.println("  " + e.event() + " " + e.data() + " " + e.previousAttributes()));
                out.printf(Locale.ROOT, "final full reconciliation: %s (%s), %d record events published (expected none)%n",
                        reconciliation.status(), reconciliation.full() ? "a full run" : "a pass", diff.size());
                diff.stream().limit(20).forEach(e -> out.println("  " + e.event() + " " + e.data() + " " + e.previousAttributes()));
                boolean reconciled = reconciliation.status() == SyncRun.Status.COMPLETED && diff.isEmpty();
                return new Result(label, audit, lags, unpublished, shares[0], shares[1], rateLimited, reconciled, untouched);
            }
        }

        private DynamoDbClient metered(AwsConfig config, CapacityMeter meter) {
            return DynamoDbClient.builder().region(Region.of(config.region()))
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("kitebridge-local", "kitebridge-local")))
                    .endpointOverride(config.dynamoDbEndpoint())
                    .overrideConfiguration(o -> o.addExecutionInterceptor(meter)).build();
        }

        /** As the deployed functions: the schedule, the worker, the runner; state in DynamoDB, the account and its token in memory. */
        private void wire(Sandbox sandbox, DynamoDbClient dynamo, String table) {
            InMemoryAccountStore accounts = new InMemoryAccountStore();
            InMemoryTokenVault tokens = new InMemoryTokenVault();
            List<IntegratedAccount.OrganizationRef> reached = sandbox.world().organizations().stream()
                    .map(o -> new IntegratedAccount.OrganizationRef(o.uuid(), o.slug(), o.name())).toList();
            accounts.create(new IntegratedAccount(ACCOUNT, TENANT, "sandbox", IntegratedAccount.Status.ACTIVE, List.of(), reached, null,
                    START, "user:bench", null, 0));
            tokens.put(ACCOUNT, BuildkiteToken.of(sandbox.token()));
            BuildkiteAccess access = new BuildkiteAccess(accounts, tokens, time.governor(),
                    new BuildkiteAccess.Endpoints(URI.create(sandbox.restUrl()), URI.create(sandbox.graphqlUrl())), time);
            syncs = new DynamoDbSyncStore(dynamo, table);
            DynamoDbSnapshotStore snapshots = new DynamoDbSnapshotStore(dynamo, table, time);
            DynamoDbEventLog log = new DynamoDbEventLog(dynamo, table);
            OrganizationReader reader = new OrganizationReader(access, OrganizationReader.laneThreads());
            OrganizationDataService directory = new OrganizationDataService(new DynamoDbOrganizationDataStore(dynamo, table, time),
                    new OrganizationDataBuilder(reader), access);
            SyncRunner runner = new SyncRunner(access, reader, directory, syncs, snapshots, log, time, 0.2);
            service = new SyncService(accounts, syncs, (runId, delay) -> enqueue(runId, delay), new EventFeed(log, syncs),
                    new InMemoryCursorStore(), time);
            syncs.createAccount(AccountSync.first(ACCOUNT, TENANT));
            schedule = new SyncSchedule(accounts, syncs, service, new AuditWatch(access, snapshots, time),
                    new LightWatch(access, directory), SyncCadence.DEFAULT, time);
            worker = new SyncWorker(runner, (tenantId, accountId, published, deadline) -> { }, this::enqueue, time, SyncWorker.BUSY_RETRY);
        }

        private void enqueue(String runId, Duration delay) {
            Instant visible = time.now().plus(delay.isNegative() ? Duration.ZERO : delay);
            queue.merge(runId, visible, (a, b) -> a.isBefore(b) ? a : b);
        }

        /** No run under way or queued, and at least one run completed. */
        private boolean idle() {
            AccountSync state = syncs.account(ACCOUNT).orElseThrow();
            return queue.isEmpty() && state.currentGeneration() > 0
                    && (state.activeRunId() == null || syncs.run(state.activeRunId()).map(SyncRun::finished).orElse(true));
        }

        private String lastRunStatus() {
            return lastRunId == null ? "no run" : syncs.run(lastRunId).map(r -> r.status().name()).orElse("?");
        }

        /** The deployed loop until {@code until} or {@code done}: ticks at each minute, a worker for each run due, the feed read after each. */
        private void loop(Instant until, BooleanSupplier done) {
            while (time.now().isBefore(until) && !done.getAsBoolean()) {
                Instant now = time.now();
                Optional<Map.Entry<String, Instant>> due = queue.entrySet().stream().filter(e -> !e.getValue().isAfter(now))
                        .min(Map.Entry.comparingByValue());
                if (due.isPresent()) {
                    String runId = due.get().getKey();
                    queue.remove(runId);
                    lastRunId = runId;
                    turns++;
                    try {
                        worker.work(runId, "worker-" + turns, now.plus(turn));
                    } catch (RuntimeException e) {
                        // As SQS would: the message comes back after its visibility timeout.
                        workerFailures++;
                        out.println("  a worker turn failed: " + e);
                        enqueue(runId, Duration.ofMinutes(5));
                    }
                    poll();
                    if (nextTick.isBefore(time.now())) {
                        nextTick = time.now().truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1));
                    }
                    continue;
                }
                if (!now.isBefore(nextTick)) {
                    SyncSchedule.Tick tick = schedule.tick();
                    ticks[0]++;
                    ticks[1] += tick.fullRuns();
                    ticks[2] += tick.passes();
                    ticks[3] += tick.polled();
                    nextTick = nextTick.plus(Duration.ofMinutes(1));
                    poll();
                    continue;
                }
                Instant target = nextTick;
                for (Instant visible : queue.values()) {
                    target = visible.isBefore(target) ? visible : target;
                }
                time.advanceTo(target.isAfter(until) ? until : target);
            }
        }

        /** Reads the account's feed on from where it stands; each new event is noted with the Buildkite time it became visible. */
        private void poll() {
            while (true) {
                SyncService.EventPage page = service.events(TENANT, ACCOUNT, feedCursor, 500);
                if (page.events().isEmpty()) {
                    return;
                }
                Instant now = time.now();
                for (ChangeEvent event : page.events()) {
                    published.add(event);
                    publishedAt.add(now);
                    for (Change change : changes) {
                        if (!change.applied() || now.isBefore(change.at)) {
                            continue;
                        }
                        for (int i = 0; i < change.expected.size(); i++) {
                            if (!change.seen.containsKey(i) && change.expected.get(i).test(event)) {
                                change.seen.put(i, now);
                            }
                        }
                    }
                }
                feedCursor = page.nextCursor();
            }
        }

        private boolean touches(ChangeEvent event) {
            JsonNode data = event.data();
            if (event.event().startsWith("group.user_")) {
                return touched.contains(data.path("user_id").asText()) || touched.contains(data.path("group_id").asText());
            }
            return touched.contains(data.path("id").asText());
        }

        // ------------------------------------------------------------------ the changes

        /** {@code size.changes()} changes, the kinds in turn and shuffled, at random Buildkite times over {@code size.over()} from {@code t0}. */
        private void schedule(World world, Organization org, String actor, Instant t0) {
            List<Kind> kinds = new ArrayList<>();
            for (int i = 0; i < size.changes(); i++) {
                kinds.add(Kind.values()[i % Kind.values().length]);
            }
            Collections.shuffle(kinds, random);
            touched.add(actor);
            for (int i = 0; i < kinds.size(); i++) {
                Change change = new Change(kinds.get(i));
                changes.add(change);
                int n = i;
                Instant at = t0.plusSeconds(1 + random.nextInt((int) size.over().toSeconds() - 1));
                time.at(at, () -> apply(world, org, actor, change, n));
            }
        }

        private void apply(World world, Organization org, String actor, Change change, int n) {
            try {
                change.at = time.now();
                switch (change.kind) {
                    case JOIN -> {
                        String email = "joiner-" + n + "@freshness.example.com";
                        Invitation invitation = world.invite(org, actor, List.of(email), Member.Role.MEMBER, sso(org), List.of()).get(0);
                        Member member = world.acceptInvitation(org.uuid(), invitation.uuid(), "Joiner " + n);
                        touched.add(invitation.uuid());
                        touched.add(member.userUuid());
                        change.what = member.userUuid();
                        change.expected.add(e -> e.event().equals(ChangeEvent.USER_CREATED) && id(e).equals(member.userUuid()));
                    }
                    case LEAVE -> {
                        Member member = untouchedMember(world, org, m -> true);
                        world.teamMembershipsOf(org.uuid(), member.userUuid()).forEach(t -> touched.add(t.teamUuid()));
                        world.leaveOrganization(org.uuid(), member.userUuid());
                        change.what = member.userUuid();
                        change.expected.add(e -> e.event().equals(ChangeEvent.USER_DELETED) && id(e).equals(member.userUuid()));
                    }
                    case PROMOTION -> {
                        Member member = untouchedMember(world, org, m -> true);
                        world.updateMember(org, actor, member.userUuid(), Member.Role.ADMIN, null);
                        change.what = member.userUuid();
                        change.expected.add(e -> e.event().equals(ChangeEvent.USER_UPDATED) && id(e).equals(member.userUuid())
                                && e.previousAttributes() != null && e.previousAttributes().has("roles"));
                    }
                    case TEAM_MOVE -> {
                        List<Team> teams = world.teams(org.uuid());
                        Member member = untouchedMember(world, org, m -> !world.teamMembershipsOf(org.uuid(), m.userUuid()).isEmpty());
                        List<TeamMember> in = world.teamMembershipsOf(org.uuid(), member.userUuid());
                        String from = in.get(random.nextInt(in.size())).teamUuid();
                        List<Team> others = teams.stream().filter(t -> world.teamMember(org.uuid(), t.uuid(), member.userUuid()).isEmpty()).toList();
                        String to = others.get(random.nextInt(others.size())).uuid();
                        world.moveTeamMember(org, actor, from, to, member.userUuid(), TeamMember.Role.MEMBER);
                        touched.add(from);
                        touched.add(to);
                        change.what = member.userUuid() + " " + from + " -> " + to;
                        change.expected.add(e -> e.event().equals(ChangeEvent.GROUP_USER_REMOVED)
                                && e.data().path("user_id").asText().equals(member.userUuid()) && e.data().path("group_id").asText().equals(from));
                        change.expected.add(e -> e.event().equals(ChangeEvent.GROUP_USER_ADDED)
                                && e.data().path("user_id").asText().equals(member.userUuid()) && e.data().path("group_id").asText().equals(to));
                    }
                    case TEAM_RENAME -> {
                        List<Team> teams = world.teams(org.uuid()).stream().filter(t -> !touched.contains(t.uuid())).toList();
                        Team team = teams.get(random.nextInt(teams.size()));
                        String name = "Renamed " + n + " " + team.name();
                        world.teamMembers(org.uuid(), team.uuid()).forEach(m -> touched.add(m.userUuid()));
                        // Pending invitations to the team name it too (their groups).
                        world.invitations(org.uuid()).stream().filter(i -> i.teams().stream().anyMatch(t -> t.teamUuid().equals(team.uuid())))
                                .forEach(i -> touched.add(i.uuid()));
                        world.updateTeam(org, actor, team.uuid(), new TeamFields(name, null, null, null, null, null, null, null, null, null));
                        touched.add(team.uuid());
                        change.what = team.uuid();
                        change.expected.add(e -> e.event().equals(ChangeEvent.GROUP_UPDATED) && id(e).equals(team.uuid())
                                && e.data().path("name").asText().equals(name));
                    }
                    case INVITATION -> {
                        String email = "invitee-" + n + "@freshness.example.com";
                        Invitation invitation = world.invite(org, actor, List.of(email), Member.Role.MEMBER, sso(org), List.of()).get(0);
                        touched.add(invitation.uuid());
                        change.what = invitation.uuid();
                        change.expected.add(e -> e.event().equals(ChangeEvent.USER_CREATED) && id(e).equals(invitation.uuid()));
                    }
                    case TWO_FACTOR -> {
                        Member member = untouchedMember(world, org, m -> !world.requireUser(m.userUuid()).twoFactorEnabled());
                        world.setTwoFactor(member.userUuid(), true);
                        change.what = member.userUuid();
                        change.expected.add(e -> e.event().equals(ChangeEvent.USER_UPDATED) && id(e).equals(member.userUuid())
                                && e.data().path("is_2fa_enabled").asBoolean(false));
                    }
                }
            } catch (RuntimeException e) {
                change.failure = e.toString();
            }
        }

        private Member untouchedMember(World world, Organization org, Predicate<Member> also) {
            List<Member> candidates = world.members(org.uuid()).stream()
                    .filter(m -> m.role() == Member.Role.MEMBER && !touched.contains(m.userUuid()) && also.test(m)).toList();
            Member member = candidates.get(random.nextInt(candidates.size()));
            touched.add(member.userUuid());
            return member;
        }

        private static Member.SsoMode sso(Organization org) {
            return org.ssoEnabled() ? Member.SsoMode.OPTIONAL : null;
        }

        private static String id(ChangeEvent event) {
            return event.data().path("id").asText();
        }

        // ------------------------------------------------------------------ printing

        private void printChanges() {
            long failed = changes.stream().filter(c -> c.failure != null).count();
            if (failed > 0) {
                out.printf(Locale.ROOT, "%d changes could not be made in the sandbox:%n", failed);
                changes.stream().filter(c -> c.failure != null).forEach(c -> out.println("  " + c.kind.label + ": " + c.failure));
            }
        }

        private void printLags(Map<Kind, List<Duration>> lags, Map<Kind, Integer> unpublished) {
            out.println("lag from the change in Buildkite to its event in the account's feed (Buildkite time, m:ss):");
            out.printf(Locale.ROOT, "  %-12s %3s %7s %7s %7s  %s%n", "change", "n", "p50", "p95", "max", "never published");
            List<Duration> all = new ArrayList<>();
            int allMissing = 0;
            for (Kind kind : Kind.values()) {
                List<Change> of = changes.stream().filter(c -> c.kind == kind && c.applied()).toList();
                List<Duration> kindLags = of.stream().filter(Change::published).map(Change::lag).toList();
                int missing = (int) of.stream().filter(c -> !c.published()).count();
                lags.put(kind, kindLags);
                unpublished.put(kind, missing);
                all.addAll(kindLags);
                allMissing += missing;
                line(kind.label, of.size(), kindLags, missing);
                of.stream().filter(c -> !c.published()).forEach(c -> out.println("      never published: " + c.what + " at " + c.at));
            }
            line("all", all.size() + allMissing, all, allMissing);
        }

        private void line(String label, int n, List<Duration> lags, int missing) {
            out.printf(Locale.ROOT, "  %-12s %3d %7s %7s %7s  %d%n", label, n, Lags.text(Lags.percentile(lags, 50)),
                    Lags.text(lags.isEmpty() ? null : Lags.percentile(lags, 95)), Lags.text(lags.isEmpty() ? null : Collections.max(lags)),
                    missing);
        }

        /**
         * Where the steady state's budget went: GraphQL points and queries by document (the
         * operation's name: the audit poll, a member's re-read, a team's roster, the invitations…)
         * with when each was first sent, from the steady state's start; REST requests by route, most first.
         */
        private void printWhere(List<JournalEntry> steady, Instant from) {
            Map<String, long[]> graphql = new TreeMap<>();
            Map<String, Instant> first = new TreeMap<>();
            Map<String, Long> rest = new TreeMap<>();
            for (JournalEntry e : steady) {
                if (e.isGraphql()) {
                    long[] sum = graphql.computeIfAbsent(String.valueOf(e.operation()), k -> new long[2]);
                    sum[0] += e.actualComplexity();
                    sum[1]++;
                    first.putIfAbsent(String.valueOf(e.operation()), e.at());
                } else {
                    rest.merge(e.method() + " " + e.route().substring(e.route().indexOf(' ') + 1), 1L, Long::sum);
                }
            }
            out.println("  GraphQL by document (points in queries): " + graphql.entrySet().stream()
                    .sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]))
                    .map(e -> String.format(Locale.ROOT, "%s %,d in %d (first at %s)", e.getKey(), e.getValue()[0], e.getValue()[1],
                            Lags.text(Duration.between(from, first.get(e.getKey())))))
                    .collect(java.util.stream.Collectors.joining(", ")));
            out.println("  REST by route (requests): " + rest.entrySet().stream()
                    .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                    .map(e -> e.getKey() + " " + e.getValue()).collect(java.util.stream.Collectors.joining(", ")));
        }

        /** Each budget's share over [from, to): what Buildkite's journal counted against what the budget allows; the busiest window. */
        private double[] printBudgets(List<JournalEntry> entries, Instant from, Instant to) {
            List<JournalEntry> steady = entries.stream().filter(e -> !e.at().isBefore(from) && e.at().isBefore(to)).toList();
            double minutes = Duration.between(from, to).toSeconds() / 60.0;
            long rest = steady.stream().filter(e -> !e.isGraphql()).count();
            long points = steady.stream().filter(JournalEntry::isGraphql).mapToLong(JournalEntry::actualComplexity).sum();
            long graphqlQueries = steady.stream().filter(JournalEntry::isGraphql).count();
            double restAllowed = minutes * REST_PER_MINUTE;
            double pointsAllowed = minutes * 60 / GRAPHQL_WINDOW.toSeconds() * GRAPHQL_PER_WINDOW;
            Map<Long, Long> restByMinute = new TreeMap<>();
            Map<Long, Long> pointsByWindow = new TreeMap<>();
            for (JournalEntry e : steady) {
                long seconds = Duration.between(from, e.at()).toSeconds();
                if (e.isGraphql()) {
                    pointsByWindow.merge(seconds / GRAPHQL_WINDOW.toSeconds(), e.actualComplexity(), Long::sum);
                } else {
                    restByMinute.merge(seconds / 60, 1L, Long::sum);
                }
            }
            out.printf(Locale.ROOT, "budget share over the steady state (%.1f min): REST %,d of %,.0f requests (%.1f%%), busiest minute %d of %d;"
                            + " GraphQL %,d points in %,d queries of %,.0f (%.1f%%), busiest %d s %,d of %,d%n",
                    minutes, rest, restAllowed, 100.0 * rest / restAllowed,
                    restByMinute.values().stream().mapToLong(Long::longValue).max().orElse(0), REST_PER_MINUTE,
                    points, graphqlQueries, pointsAllowed, 100.0 * points / pointsAllowed, GRAPHQL_WINDOW.toSeconds(),
                    pointsByWindow.values().stream().mapToLong(Long::longValue).max().orElse(0), GRAPHQL_PER_WINDOW);
            printWhere(steady, from);
            return new double[] {rest / restAllowed, points / pointsAllowed};
        }
    }
}
