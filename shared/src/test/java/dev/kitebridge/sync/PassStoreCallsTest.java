package dev.kitebridge.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import dev.kitebridge.VirtualTime;
import dev.kitebridge.access.AccountStore;
import dev.kitebridge.access.IntegratedAccount;
import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.events.EventFeed;
import dev.kitebridge.events.EventPositions;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.model.Member;
import dev.kitebridge.sandbox.model.Population;
import dev.kitebridge.state.memory.InMemoryDeadLetterStore;
import dev.kitebridge.state.memory.InMemorySyncStore;
import dev.kitebridge.state.memory.InMemoryWebhookStore;
import dev.kitebridge.webhooks.Webhook;
import dev.kitebridge.webhooks.WebhookDeliverer;
import dev.kitebridge.webhooks.WebhookRounds;
import dev.kitebridge.webhooks.WebhookTargets;

/**
 * What one pass of changes costs the account's and the sync state's items, from the tick whose
 * poll starts it to its worker's turn that completes it: each of them read and written only as
 * often as its fences need (see the counts' comments).
 */
class PassStoreCallsTest {

    private static final SyncCadence CADENCE = new SyncCadence(Duration.ofMinutes(1), Duration.ofDays(1), Duration.ofMinutes(10),
            Duration.ofDays(1), Duration.ofDays(1));

    @Test
    void aPassReadsTheAccountItsSyncStateAndItsRunOnlyAsOftenAsItsFencesNeed() {
        VirtualTime time = new VirtualTime();
        Map<String, Integer> calls = new ConcurrentHashMap<>();
        List<String> trace = new CopyOnWriteArrayList<>();
        try (Sandbox sandbox = time.sandbox().population(Population.of(40, 3).withEnterprise(1)).start();
             SyncFixture fixture = new SyncFixture(sandbox, time, counted(new InMemorySyncStore(), calls, trace),
                     accounts -> counted(accounts, calls, trace))) {
            fixture.syncs.createAccount(AccountSync.first(SyncFixture.ACCOUNT, SyncFixture.TENANT));
            SyncSchedule schedule = new SyncSchedule(fixture.engineAccounts, fixture.syncs, fixture.service,
                    new AuditWatch(fixture.access, fixture.snapshots, time), new LightWatch(fixture.access, fixture.directoryService),
                    CADENCE, time);
            // The worker function's wiring: a run that ends has its account's events delivered, here to a subscription of a
            // type the pass does not publish (its turn reads the events and skips them: nothing is sent).
            InMemoryWebhookStore webhooks = new InMemoryWebhookStore();
            Webhook webhook = Webhook.create(SyncFixture.TENANT, "https://receiver.example/hooks", List.of(ChangeEvent.ACCOUNT_NEEDS_REAUTH),
                    SyncFixture.ACCOUNT, time.now());
            webhooks.create(webhook);
            WebhookRounds rounds = new WebhookRounds(fixture.syncs, new WebhookDeliverer(webhooks,
                    new InMemoryDeadLetterStore(), new EventFeed(fixture.log, fixture.syncs), WebhookTargets.PUBLIC_ONLY, time,
                    WebhookDeliverer.Policy.DEFAULT));
            List<String> ended = new CopyOnWriteArrayList<>();
            List<WebhookDeliverer.Report> delivered = new CopyOnWriteArrayList<>();
            List<dev.kitebridge.events.Publication> publications = new CopyOnWriteArrayList<>();
            SyncWorker worker = new SyncWorker(fixture.runner, (tenantId, accountId, published, deadline) -> {
                ended.add(accountId);
                publications.add(published);
                delivered.addAll(rounds.afterRun(tenantId, accountId, published, deadline));
            }, (runId, delay) -> fixture.queued.add(runId), time, SyncWorker.BUSY_RETRY);
            schedule.tick();
            fixture.finish(fixture.queued.remove(0), Duration.ofMinutes(10));
            assertEquals(new SyncSchedule.Tick(0, 0, 1, 0), schedule.tick(), "the first poll places the cursor");
            var world = sandbox.world();
            Member promoted = world.members(fixture.org().uuid()).stream()
                    .filter(m -> m.role() == Member.Role.MEMBER && !m.userUuid().equals(fixture.actor())).findFirst().orElseThrow();
            world.updateMember(fixture.org(), fixture.actor(), promoted.userUuid(), Member.Role.ADMIN, null);
            time.advance(Duration.ofMinutes(1));

            calls.clear();
            trace.clear();
            assertEquals(new SyncSchedule.Tick(0, 1, 1, 0), schedule.tick(), "the poll starts a pass");
            String runId = fixture.queued.remove(0);
            worker.work(runId, "worker-1", time.now().plus(Duration.ofMinutes(10)));
            Map<String, Integer> pass = new TreeMap<>(calls);

            SyncRun done = fixture.syncs.run(runId).orElseThrow();
            assertEquals(SyncRun.Status.COMPLETED, done.status(), done.error());
            assertFalse(done.full());
            assertEquals(List.of(SyncFixture.ACCOUNT), ended, "ended in the worker's one turn, its account's events delivered");
            assertEquals(1, delivered.size());
            assertEquals(WebhookDeliverer.Status.CAUGHT_UP, delivered.get(0).status());
            // Through the mark the worker named: the delivery's cursor at the pass's end event (a mark short of the pass stops it before).
            assertEquals(EventPositions.of(done.ordinal(), EventPositions.RUN_ENDED, EventPositions.RUN_END_KEY),
                    webhooks.delivery(SyncFixture.TENANT, webhook.id(), SyncFixture.ACCOUNT).orElseThrow().position(),
                    "the pass's events read by the delivery (and skipped): " + delivered);
            assertEquals(List.of(new dev.kitebridge.events.Publication(done.ordinal(), fixture.log.list(SyncFixture.ACCOUNT,
                    EventPositions.firstOfRun(done.ordinal()), EventPositions.firstOfRun(done.ordinal() + 1), 1000))), publications,
                    "the pass's mark and its events handed to the delivery as its worker read and wrote them: not read again");
            // The tick: every account's sync state (the schedule's list), the account as stored a moment ago (its status; the
            // poll opens it; findRecent, half the price of find), the
            // account's last run (its organizations); the state written once, naming the run with the cursors polled; the run.
            // The worker's turn: the run (whose account?), the state (unlinked? leased?) and its lease, the run again under the
            // lease (a fence: the run as read before it may be behind), the account once for the turn's sessions and its kept
            // data; the run saved at the end of READ (which fixes what it read), then (DIFF's end, VERIFY's and the run's own,
            // deferred) before its first write into the snapshot, as having begun applying it, and at PUBLISH's end, which takes
            // it to DONE (its scratch is left to TTL, so it has nothing to clean); the state's published mark, which lets the
            // lease go with it.
            // The delivery after it reads none of them: the worker names the account whose run ended, the publication mark its
            // turn wrote, and the pass's events as it wrote them, which the delivery sends without reading them again.
            assertEquals(new TreeMap<>(Map.of(
                    "syncs.accounts", 1, "accounts.findRecent", 1, "accounts.find", 1, "syncs.runs", 1, "syncs.createRun", 1,
                    "syncs.run", 2, "syncs.account", 1, "syncs.replaceAccount", 1 + 2, "syncs.replaceRun", 3)), pass,
                    String.join("\n", trace));
        }
    }

    /**
     * The schedule starts a run from the sync state its tick read, without reading it again: a state
     * changed since fails the write that would name the run, and is read again. Another writer's
     * change stands beside what the tick saw; a run started meanwhile is the account's one run, and
     * what the tick saw is not kept.
     */
    @Test
    void aRunStartedFromAStateThatChangedSinceTheTickReadItIsStartedOverTheStoredOne() {
        try (SyncFixture fixture = new SyncFixture(20, 2)) {
            fixture.sync(Duration.ofMinutes(10));
            IntegratedAccount account = fixture.accounts.find(SyncFixture.TENANT, SyncFixture.ACCOUNT).orElseThrow();
            List<Subject> subjects = List.of(Subject.invitations(fixture.org().uuid()));
            Map<String, AuditCursor> polled = Map.of(fixture.org().uuid(), new AuditCursor(null, List.of("seen"), null, null));

            AccountSync read = fixture.syncs.account(SyncFixture.ACCOUNT).orElseThrow();
            CountsSeen looked = new CountsSeen(Instant.parse("2026-01-01T00:00:00Z"), Map.of(), java.util.Set.of(), java.util.Set.of(),
                    Map.of());
            fixture.syncs.replaceAccount(read.withCounts(looked)).orElseThrow(); // another writer, after the tick read
            SyncService.Started started = fixture.service.startScheduled(account, read, "audit_events", subjects, s -> s.withAudit(polled));
            assertTrue(started.created());
            AccountSync stored = fixture.syncs.account(SyncFixture.ACCOUNT).orElseThrow();
            assertEquals(started.run().id(), stored.activeRunId());
            assertEquals(read.nextOrdinal(), started.run().ordinal());
            assertEquals(polled, stored.audit(), "what the tick saw, kept with its run");
            assertEquals(looked, stored.counts(), "beside the other writer's change");

            SyncService.Started again = fixture.service.startScheduled(account, read, "audit_events", subjects,
                    s -> s.withAudit(Map.of()));
            assertFalse(again.created(), "one run at a time");
            assertEquals(started.run().id(), again.run().id());
            assertEquals(stored, fixture.syncs.account(SyncFixture.ACCOUNT).orElseThrow(), "nothing written");
        }
    }

    /**
     * A pass takes its organizations from the account's last run (see {@link SyncService}): where this
     * process started that run with them, or has read it since it started, the next pass reads neither
     * the account's runs nor the run again.
     */
    @Test
    void aPassAfterOneThisProcessStartedTakesItsOrganizationsWithoutReadingTheRuns() {
        VirtualTime time = new VirtualTime();
        Map<String, Integer> calls = new ConcurrentHashMap<>();
        List<String> trace = new CopyOnWriteArrayList<>();
        try (Sandbox sandbox = time.sandbox().population(Population.of(20, 2)).start();
             SyncFixture fixture = new SyncFixture(sandbox, time, counted(new InMemorySyncStore(), calls, trace), accounts -> accounts)) {
            fixture.sync(Duration.ofMinutes(10));
            List<Subject> subjects = List.of(Subject.invitations(fixture.org().uuid()));

            calls.clear();
            SyncRun first = fixture.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit", subjects).run();
            assertEquals(1, calls.getOrDefault("syncs.runs", 0), "the full run before it read once");
            assertFalse(first.organizations().isEmpty(), "taken from the full run");
            assertEquals(SyncRun.Status.COMPLETED, fixture.finish(first.id(), Duration.ofMinutes(10)).status());

            calls.clear();
            trace.clear();
            SyncRun second = fixture.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit", subjects).run();
            assertEquals(first.organizations(), second.organizations(), "the first pass's");
            assertEquals(0, calls.getOrDefault("syncs.runs", 0), String.join("\n", trace));
            assertEquals(SyncRun.Status.COMPLETED, fixture.finish(second.id(), Duration.ofMinutes(10)).status());
        }
    }

    /**
     * What this process remembers of the account's last run serves only the run right after it: a run
     * another process started in between is the account's last, and the next pass here reads it.
     */
    @Test
    void aPassAfterARunAnotherProcessStartedReadsTheRuns() {
        VirtualTime time = new VirtualTime();
        Map<String, Integer> calls = new ConcurrentHashMap<>();
        List<String> trace = new CopyOnWriteArrayList<>();
        try (Sandbox sandbox = time.sandbox().population(Population.of(20, 2)).start();
             SyncFixture fixture = new SyncFixture(sandbox, time, counted(new InMemorySyncStore(), calls, trace), accounts -> accounts)) {
            fixture.sync(Duration.ofMinutes(10));
            List<Subject> subjects = List.of(Subject.invitations(fixture.org().uuid()));
            SyncRun first = fixture.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit", subjects).run();
            assertEquals(SyncRun.Status.COMPLETED, fixture.finish(first.id(), Duration.ofMinutes(10)).status());

            SyncService other = new SyncService(fixture.engineAccounts, fixture.syncs, (runId, delay) -> { },
                    new EventFeed(fixture.log, fixture.syncs), new dev.kitebridge.state.memory.InMemoryCursorStore(), time);
            SyncRun between = other.start(SyncFixture.TENANT, SyncFixture.ACCOUNT, "api").run();
            assertEquals(SyncRun.Status.COMPLETED, fixture.finish(between.id(), Duration.ofMinutes(10)).status());

            calls.clear();
            trace.clear();
            SyncRun next = fixture.service.startChanges(SyncFixture.TENANT, SyncFixture.ACCOUNT, "audit", subjects).run();
            assertEquals(between.ordinal() + 1, next.ordinal());
            assertEquals(1, calls.getOrDefault("syncs.runs", 0), "the run in between read: " + String.join("\n", trace));
            assertEquals(fixture.syncs.run(between.id()).orElseThrow().organizations(), next.organizations(), "its organizations");
            assertEquals(SyncRun.Status.COMPLETED, fixture.finish(next.id(), Duration.ofMinutes(10)).status());
        }
    }

    /**
     * The schedule's quiet polls (nothing found, nothing written) read the account once in {@link
     * SyncSchedule#ACCOUNT_REREAD}, not every tick; what a poll finds is started from the account read
     * again, and not from one that changed since this instance read it (a new revision: rotated,
     * relabelled, marked as needing a new token alike): that tick calls Buildkite with the account as
     * it was and writes nothing, and the next polls again from the account as it is.
     */
    @Test
    void quietPollsReadTheAccountOnceInAWhileAndWhatOneFindsIsStartedFromTheAccountAsItIs() {
        VirtualTime time = new VirtualTime();
        Map<String, Integer> calls = new ConcurrentHashMap<>();
        List<String> trace = new CopyOnWriteArrayList<>();
        try (Sandbox sandbox = time.sandbox().population(Population.of(20, 2).withEnterprise(1)).start();
             SyncFixture fixture = new SyncFixture(sandbox, time, counted(new InMemorySyncStore(), calls, trace),
                     accounts -> counted(accounts, calls, trace))) {
            SyncSchedule schedule = polledOnce(fixture, time);

            calls.clear();
            int ticks = 10; // two ACCOUNT_REREAD
            for (int minute = 0; minute < ticks; minute++) {
                time.advance(Duration.ofMinutes(1));
                assertEquals(new SyncSchedule.Tick(0, 0, 1, 0), schedule.tick(), "a quiet poll");
            }
            assertTrue(calls.getOrDefault("accounts.findRecent", 0) <= 2, ticks + " quiet polls: " + String.join("\n", trace));

            // The account changes (a new revision, as a rotation makes), and so does the organization: the poll that finds it
            // does not start a pass from the account read before.
            IntegratedAccount stored = fixture.accounts.find(SyncFixture.TENANT, SyncFixture.ACCOUNT).orElseThrow();
            fixture.accounts.replace(stored.withLabel("relabelled")).orElseThrow();
            var world = sandbox.world();
            Member promoted = world.members(fixture.org().uuid()).stream()
                    .filter(m -> m.role() == Member.Role.MEMBER && !m.userUuid().equals(fixture.actor())).findFirst().orElseThrow();
            world.updateMember(fixture.org(), fixture.actor(), promoted.userUuid(), Member.Role.ADMIN, null);
            time.advance(Duration.ofMinutes(1));
            AccountSync before = fixture.syncs.account(SyncFixture.ACCOUNT).orElseThrow();
            calls.clear();
            sandbox.journal().clear();
            assertEquals(new SyncSchedule.Tick(0, 0, 1, 0), schedule.tick(), "found, not started from the account as it was");
            assertTrue(sandbox.journal().entries().size() > 0, "Buildkite polled with the account as this instance read it");
            assertEquals(Map.of("syncs.accounts", 1, "accounts.findRecent", 1), new TreeMap<>(calls),
                    "the account read again before a write, and nothing written: " + String.join("\n", trace));
            assertEquals(List.of(), fixture.queued);
            assertEquals(before, fixture.syncs.account(SyncFixture.ACCOUNT).orElseThrow(), "its cursors as they stood");
            time.advance(Duration.ofMinutes(1));
            assertEquals(new SyncSchedule.Tick(0, 1, 1, 0), schedule.tick(), "found again, and started from the account as it is");
            SyncRun pass = fixture.finish(fixture.queued.remove(0), Duration.ofMinutes(10));
            assertEquals(SyncRun.Status.COMPLETED, pass.status(), pass.error());
        }
    }

    /**
     * Within {@link SyncSchedule#ACCOUNT_REREAD}: an account whose token Buildkite refuses (another
     * instance marked it as needing a new one) costs this instance one poll's refusal, the tick goes on
     * (no failure out of it), and the next tick reads the account again and leaves it; an account unlinked
     * is polled with the account as read until the read is due again (nothing written), then left.
     */
    @Test
    void anAccountRefusedOrUnlinkedWithinTheRereadIsPolledAtMostUntilItIsReadAgainAndNothingIsWritten() {
        VirtualTime time = new VirtualTime();
        Map<String, Integer> calls = new ConcurrentHashMap<>();
        List<String> trace = new CopyOnWriteArrayList<>();
        try (Sandbox sandbox = time.sandbox().population(Population.of(20, 2).withEnterprise(1)).start();
             SyncFixture fixture = new SyncFixture(sandbox, time, counted(new InMemorySyncStore(), calls, trace),
                     accounts -> counted(accounts, calls, trace))) {
            SyncSchedule schedule = polledOnce(fixture, time);
            AccountSync before = fixture.syncs.account(SyncFixture.ACCOUNT).orElseThrow();

            // Unlinked (the account deleted, its sync state not yet: an unlink under way, or one that died there).
            IntegratedAccount linked = fixture.accounts.find(SyncFixture.TENANT, SyncFixture.ACCOUNT).orElseThrow();
            fixture.accounts.delete(SyncFixture.TENANT, SyncFixture.ACCOUNT);
            calls.clear();
            sandbox.journal().clear();
            time.advance(Duration.ofMinutes(1));
            assertEquals(new SyncSchedule.Tick(0, 0, 1, 0), schedule.tick(), "polled with the account as read");
            assertTrue(sandbox.journal().entries().size() > 0);
            assertEquals(Map.of("syncs.accounts", 1), new TreeMap<>(calls), "nothing written: " + String.join("\n", trace));
            time.advance(SyncSchedule.ACCOUNT_REREAD);
            calls.clear();
            sandbox.journal().clear();
            assertEquals(new SyncSchedule.Tick(0, 0, 0, 0), schedule.tick(), "read again: gone");
            assertEquals(0, sandbox.journal().entries().size(), "no call to Buildkite");
            assertEquals(Map.of("syncs.accounts", 1, "accounts.findRecent", 1), new TreeMap<>(calls));
            assertEquals(before, fixture.syncs.account(SyncFixture.ACCOUNT).orElseThrow());

            // Linked again and read; then its token refused, and the account marked by another instance meanwhile.
            fixture.accounts.create(linked);
            time.advance(Duration.ofMinutes(1));
            assertEquals(new SyncSchedule.Tick(0, 0, 1, 0), schedule.tick());
            sandbox.world().revokeToken(sandbox.world().tokenBySecret(sandbox.token()).orElseThrow());
            fixture.accounts.replace(linked.withStatus(IntegratedAccount.Status.NEEDS_REAUTH)).orElseThrow();
            calls.clear();
            sandbox.journal().clear();
            time.advance(Duration.ofMinutes(1));
            assertEquals(new SyncSchedule.Tick(0, 0, 1, 0), schedule.tick(), "the refusal stays within the account's look");
            assertEquals(1, sandbox.journal().status(401), "one refused call");
            assertEquals(Map.of("syncs.accounts", 1, "accounts.replace", 1), new TreeMap<>(calls),
                    "its mark tried over the revision read, which fails: " + String.join("\n", trace));
            assertEquals(IntegratedAccount.Status.NEEDS_REAUTH,
                    fixture.accounts.find(SyncFixture.TENANT, SyncFixture.ACCOUNT).orElseThrow().status());
            calls.clear();
            sandbox.journal().clear();
            time.advance(Duration.ofMinutes(1));
            assertEquals(new SyncSchedule.Tick(0, 0, 0, 0), schedule.tick(), "read again at once: it needs a new token");
            assertEquals(0, sandbox.journal().entries().size());
            assertEquals(Map.of("syncs.accounts", 1, "accounts.findRecent", 1), new TreeMap<>(calls));
        }
    }

    /** A schedule whose first tick started the account's first full run, finished, and whose second poll placed the cursor. */
    private static SyncSchedule polledOnce(SyncFixture fixture, VirtualTime time) {
        fixture.syncs.createAccount(AccountSync.first(SyncFixture.ACCOUNT, SyncFixture.TENANT));
        SyncSchedule schedule = new SyncSchedule(fixture.engineAccounts, fixture.syncs, fixture.service,
                new AuditWatch(fixture.access, fixture.snapshots, time), new LightWatch(fixture.access, fixture.directoryService),
                CADENCE, time);
        schedule.tick();
        fixture.finish(fixture.queued.remove(0), Duration.ofMinutes(10));
        assertEquals(new SyncSchedule.Tick(0, 0, 1, 0), schedule.tick(), "the first poll places the cursor");
        return schedule;
    }

    private static void count(Map<String, Integer> calls, List<String> trace, String call) {
        calls.merge(call, 1, Integer::sum);
        StackWalker.getInstance().walk(frames -> frames.skip(2).limit(1).findFirst())
                .ifPresent(f -> trace.add(call + " <- " + f.getClassName().replaceAll(".*\\.", "") + "." + f.getMethodName() + ":"
                        + f.getLineNumber()));
    }

    /** {@code store}, each call counted by its name. */
    private static SyncStore counted(SyncStore store, Map<String, Integer> calls, List<String> trace) {
        return new ForwardingSyncStore(store) {
            @Override
            public List<AccountSync> accounts() {
                count(calls, trace, "syncs.accounts");
                return store.accounts();
            }

            @Override
            public Optional<AccountSync> account(String accountId) {
                count(calls, trace, "syncs.account");
                return store.account(accountId);
            }

            @Override
            public boolean createAccount(AccountSync state) {
                count(calls, trace, "syncs.createAccount");
                return store.createAccount(state);
            }

            @Override
            public Optional<AccountSync> replaceAccount(AccountSync changed) {
                count(calls, trace, "syncs.replaceAccount");
                return store.replaceAccount(changed);
            }

            @Override
            public void deleteAccount(String accountId) {
                count(calls, trace, "syncs.deleteAccount");
                store.deleteAccount(accountId);
            }

            @Override
            public void createRun(SyncRun run) {
                count(calls, trace, "syncs.createRun");
                store.createRun(run);
            }

            @Override
            public Optional<SyncRun> run(String runId) {
                count(calls, trace, "syncs.run");
                return store.run(runId);
            }

            @Override
            public Optional<SyncRun> replaceRun(SyncRun changed) {
                count(calls, trace, "syncs.replaceRun");
                return store.replaceRun(changed);
            }

            @Override
            public List<SyncRun> runs(String accountId, long beforeOrdinal, int limit) {
                count(calls, trace, "syncs.runs");
                return store.runs(accountId, beforeOrdinal, limit);
            }
        };
    }

    /** {@code store}, each call counted by its name. */
    private static AccountStore counted(AccountStore store, Map<String, Integer> calls, List<String> trace) {
        return new AccountStore() {
            @Override
            public void create(IntegratedAccount account) {
                count(calls, trace, "accounts.create");
                store.create(account);
            }

            @Override
            public Optional<IntegratedAccount> replace(IntegratedAccount changed) {
                count(calls, trace, "accounts.replace");
                return store.replace(changed);
            }

            @Override
            public Optional<IntegratedAccount> find(String tenantId, String accountId) {
                count(calls, trace, "accounts.find");
                return store.find(tenantId, accountId);
            }

            @Override
            public Optional<IntegratedAccount> findRecent(String tenantId, String accountId) {
                count(calls, trace, "accounts.findRecent");
                return store.findRecent(tenantId, accountId);
            }

            @Override
            public List<IntegratedAccount> list(String tenantId) {
                count(calls, trace, "accounts.list");
                return store.list(tenantId);
            }

            @Override
            public void delete(String tenantId, String accountId) {
                count(calls, trace, "accounts.delete");
                store.delete(tenantId, accountId);
            }
        };
    }
}
