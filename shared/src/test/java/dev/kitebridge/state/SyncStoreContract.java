package dev.kitebridge.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

import org.junit.jupiter.api.Test;

import dev.kitebridge.buildkite.PageRequest;
import dev.kitebridge.buildkite.graphql.SignalsQueries;
import dev.kitebridge.directory.orgdata.OrganizationReader;
import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.sync.AccountSync;
import dev.kitebridge.sync.AuditCursor;
import dev.kitebridge.sync.Confirmed;
import dev.kitebridge.sync.CountsSeen;
import dev.kitebridge.sync.Subject;
import dev.kitebridge.sync.SyncRun;
import dev.kitebridge.sync.SyncStore;

/** What every SyncStore adapter must do; each adapter's test extends this. */
public abstract class SyncStoreContract {

    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00.123456789Z");

    protected abstract SyncStore store();

    /** A run with every field set, none at its default. */
    private static SyncRun everyFieldSet(String id) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("per_page", "100");
        query.put("page", "3");
        query.put("user_id", "user 1/é");
        SyncRun.Read read = new SyncRun.Read(1, new OrganizationReader.GraphqlLane(null, true, "Y3Vyc29yOjI=", false, null),
                new OrganizationReader.RestLane(OrganizationReader.RestLane.Stage.ROSTERS, new PageRequest(query), "team-7", true, 42));
        SyncRun.Counts counts = new SyncRun.Counts(120, 3, 6, 240, 57, 2, Map.of(ChangeEvent.USER_CREATED, 120L, ChangeEvent.GROUP_USER_ADDED, 240L), 4);
        return new SyncRun(id, "tenant-1", "acct-1", 7, "schedule", List.of(Subject.user("org-1", "user-1"), Subject.invitations("org-1"), Subject.members("org-1")), true, SyncRun.Status.FAILED, SyncRun.Phase.HOLD, T0, T0.plusSeconds(1),
                T0.plusSeconds(90).plusNanos(5), 6, 7, true,
                List.of(new SyncRun.Organization("org-1", "acme", "Acme Inc"), new SyncRun.Organization("org-2", "zeta", "Zëta 山田")),
                read, new SyncRun.Diff("o/acme/u/user-9", 300, 12, "000000000007/90/o/acme/u/user-3"), counts, "Buildkite answered 401",
                3, T0.plusSeconds(40), SyncRun.Applying.BEGUN, 11);
    }

    private static AccountSync leased(String accountId) {
        return AccountSync.first(accountId, "tenant-1").withActiveRun("run-" + accountId, 4).leasedTo("worker-1", T0.plusSeconds(300));
    }

    @Test
    void everyFieldOfARunRoundTrips() {
        SyncRun run = everyFieldSet("run-full");
        store().createRun(run);
        assertEquals(run, store().run("run-full").orElseThrow());

        SyncRun queued = SyncRun.queued("run-queued", "tenant-1", "acct-1", 1, "link", false, T0, 0);
        store().createRun(queued);
        assertEquals(queued, store().run("run-queued").orElseThrow(), "a run with nulls and empty lists comes back as it went");
        assertTrue(store().run("run-none").isEmpty());
    }

    @Test
    void everyFieldOfAnAccountsStateRoundTrips() {
        AccountSync state = new AccountSync("acct-1", "tenant-1", 8, 6, 5, "run-7", "worker-1", T0,
                new Confirmed(T0.minusSeconds(60), T0.minusSeconds(3600).plusNanos(7), null, T0.minusSeconds(60)),
                Map.of("org-1", new AuditCursor(T0.minusSeconds(5), List.of("evt-a", "evt-b"), T0.minusSeconds(2), null),
                        "org-2", AuditCursor.UNKNOWN.unavailable(T0)),
                new CountsSeen(T0.minusSeconds(30), Map.of("org-2", new SignalsQueries.Signals(120, 3, 80, 2,
                        Map.of("team-1", new SignalsQueries.TeamSignal("Platform", 40)))), Set.of("org-2"), Set.of("org-3"),
                        Map.of("org-2", Map.of("team-1", 25L))), 3);
        assertTrue(store().createAccount(state));
        assertEquals(state, store().account("acct-1").orElseThrow());
        AccountSync first = AccountSync.first("acct-2", "tenant-1");
        assertTrue(store().createAccount(first));
        assertEquals(first, store().account("acct-2").orElseThrow());
        assertTrue(store().account("acct-3").isEmpty());
    }

    @Test
    void anAccountsRunsAreListedNewestFirstAPageAtATime() {
        for (int ordinal = 2; ordinal <= 26; ordinal++) {
            store().createRun(SyncRun.queued("run-a" + ordinal, "tenant-1", "acct-1", ordinal, "schedule", false, T0.plusSeconds(ordinal), 0));
            if (ordinal % 3 == 0) {
                store().createRun(SyncRun.queued("run-b" + ordinal, "tenant-2", "acct-2", ordinal, "api", false, T0, 0));
            }
        }
        SyncRun latest = store().run("run-a26").orElseThrow();
        SyncRun started = store().replaceRun(latest.started(T0.plusSeconds(30), List.of())).orElseThrow();

        List<SyncRun> first = store().runs("acct-1", Long.MAX_VALUE, 10);
        assertEquals(java.util.stream.LongStream.rangeClosed(17, 26).map(o -> 43 - o).boxed().toList(),
                first.stream().map(SyncRun::ordinal).toList(), "the newest ten, newest first");
        assertEquals(started, first.get(0), "each run as it stands, not as it was created");
        List<SyncRun> next = store().runs("acct-1", first.get(first.size() - 1).ordinal(), 10);
        assertEquals(java.util.stream.LongStream.rangeClosed(7, 16).map(o -> 23 - o).boxed().toList(),
                next.stream().map(SyncRun::ordinal).toList());
        List<SyncRun> last = store().runs("acct-1", next.get(next.size() - 1).ordinal(), 10);
        assertEquals(List.of(6L, 5L, 4L, 3L, 2L), last.stream().map(SyncRun::ordinal).toList(), "the last page is short");
        assertEquals(List.of(), store().runs("acct-1", 2, 10));
        assertEquals(List.of("run-b24", "run-b21"), store().runs("acct-2", Long.MAX_VALUE, 2).stream().map(SyncRun::id).toList(),
                "an account's runs only");
        assertEquals(List.of(), store().runs("acct-none", Long.MAX_VALUE, 10));
    }

    @Test
    void anAccountsStateIsCreatedOnce() {
        assertTrue(store().createAccount(AccountSync.first("acct-1", "tenant-1")));
        assertFalse(store().createAccount(leased("acct-1")));
        assertEquals(AccountSync.first("acct-1", "tenant-1"), store().account("acct-1").orElseThrow());
    }

    @Test
    void aRunIsCreatedOnce() {
        store().createRun(SyncRun.queued("run-1", "tenant-1", "acct-1", 1, "link", false, T0, 0));
        assertThrows(IllegalStateException.class, () -> store().createRun(everyFieldSet("run-1")));
        assertEquals(SyncRun.Status.QUEUED, store().run("run-1").orElseThrow().status());
    }

    @Test
    void everyAccountIsListedForTheSchedule() {
        List<String> ids = new ArrayList<>();
        for (int i = 30; i > 0; i--) {
            ids.add(0, "acct-" + String.format("%02d", i));
            assertTrue(store().createAccount(leased("acct-" + String.format("%02d", i))));
        }
        assertEquals(ids, store().accounts().stream().map(AccountSync::accountId).toList(), "every account, by id");
        assertEquals(leased("acct-07"), store().accounts().get(6));

        store().deleteAccount("acct-07");
        store().deleteAccount("acct-none");
        assertEquals(29, store().accounts().size());
        assertTrue(store().account("acct-07").isEmpty());
    }

    @Test
    void anAccountsStateIsReplacedOnlyOverTheRevisionItWasMadeFrom() {
        AccountSync read = AccountSync.first("acct-1", "tenant-1");
        store().createAccount(read);

        AccountSync taken = store().replaceAccount(read.withActiveRun("run-1", read.nextOrdinal())).orElseThrow();
        assertEquals(1, taken.revision());
        assertEquals("run-1", taken.activeRunId());
        assertEquals(taken, store().account("acct-1").orElseThrow());

        assertTrue(store().replaceAccount(read.withActiveRun("run-2", read.nextOrdinal())).isEmpty(),
                "a change made from the older revision does not undo the newer one");
        assertEquals(taken, store().account("acct-1").orElseThrow());

        AccountSync published = store().replaceAccount(taken.published(1, 1)).orElseThrow();
        assertEquals(2, published.revision());
        assertEquals(published, store().account("acct-1").orElseThrow());

        store().deleteAccount("acct-1");
        assertTrue(store().replaceAccount(published).isEmpty(), "a replace does not bring back a deleted state");
        assertTrue(store().account("acct-1").isEmpty());
        assertTrue(store().replaceAccount(AccountSync.first("acct-9", "tenant-1")).isEmpty(), "nor create one");
        assertTrue(store().account("acct-9").isEmpty());
    }

    @Test
    void aRunIsReplacedOnlyOverTheRevisionItWasMadeFrom() {
        SyncRun queued = SyncRun.queued("run-1", "tenant-1", "acct-1", 1, "link", false, T0, 0);
        store().createRun(queued);

        SyncRun started = store().replaceRun(queued.started(T0.plusSeconds(1), List.of(new SyncRun.Organization("org-1", "acme", "Acme"))))
                .orElseThrow();
        assertEquals(1, started.revision());
        assertEquals(started, store().run("run-1").orElseThrow());

        assertTrue(store().replaceRun(queued.ended(SyncRun.Status.FAILED, T0, "stale", SyncRun.Counts.ZERO)).isEmpty());
        assertEquals(started, store().run("run-1").orElseThrow());

        SyncRun reading = store().replaceRun(started.reading(SyncRun.Read.start(1), SyncRun.Counts.ZERO.read(100, 1, 2, 3))).orElseThrow();
        assertEquals(2, reading.revision());
        assertEquals(reading, store().run("run-1").orElseThrow());
        assertTrue(store().replaceRun(SyncRun.queued("run-9", "tenant-1", "acct-1", 1, "link", false, T0, 0)).isEmpty(),
                "a replace does not create a run");
        assertTrue(store().run("run-9").isEmpty());
    }

    @Test
    void ofWorkersRacingToTakeAnAccountExactlyOneWins() throws Exception {
        AccountSync read = AccountSync.first("acct-1", "tenant-1");
        store().createAccount(read);
        List<Optional<AccountSync>> outcomes = race(8, i -> () -> store().replaceAccount(read.withActiveRun("run-" + i, 1)));
        List<AccountSync> won = outcomes.stream().flatMap(Optional::stream).toList();
        assertEquals(1, won.size(), outcomes.toString());
        assertEquals(won.get(0), store().account("acct-1").orElseThrow());
    }

    @Test
    void ofWorkersRacingToCheckpointARunExactlyOneWins() throws Exception {
        SyncRun queued = SyncRun.queued("run-1", "tenant-1", "acct-1", 1, "link", false, T0, 0);
        store().createRun(queued);
        List<Optional<SyncRun>> outcomes = race(8, i -> () -> store().replaceRun(queued.started(T0.plusSeconds(i), List.of())));
        List<SyncRun> won = outcomes.stream().flatMap(Optional::stream).toList();
        assertEquals(1, won.size(), outcomes.toString());
        assertEquals(won.get(0), store().run("run-1").orElseThrow());
    }

    private static <T> List<T> race(int racers, IntFunction<Callable<T>> racer) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                Callable<T> task = racer.apply(i);
                futures.add(pool.submit(() -> {
                    start.await();
                    return task.call();
                }));
            }
            start.countDown();
            List<T> outcomes = new ArrayList<>();
            for (Future<T> future : futures) {
                outcomes.add(future.get());
            }
            return outcomes;
        } finally {
            pool.shutdownNow();
        }
    }
}
