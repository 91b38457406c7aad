package dev.kitebridge.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.kitebridge.VirtualTime;
import dev.kitebridge.access.Session;
import dev.kitebridge.directory.orgdata.OrganizationData;
import dev.kitebridge.directory.orgdata.OrganizationDataBuilder;
import dev.kitebridge.directory.orgdata.OrganizationDataService;
import dev.kitebridge.directory.orgdata.OrganizationReader;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.model.Population;

/**
 * The directory's data a full run kept is served no older than a day, by its dates, whatever the
 * store keeps it for (a week where the daily confirmations patch it): where they stop, the answers
 * that must not wait (a write's answer, the light watch's comparison) go without it, as they did
 * when the store let it expire a day after its save.
 */
class KeptDataAgeTest {

    private static final Duration WORKER = Duration.ofMinutes(10);
    private static final Set<OrganizationData.Part> ALL = EnumSet.allOf(OrganizationData.Part.class);

    @Test
    void dataNoRunConfirmedForADayIsNotServedThoughItIsKept() {
        VirtualTime time = new VirtualTime();
        try (Sandbox sandbox = time.sandbox().population(Population.of(40, 3)).start();
             SyncFixture fixture = new SyncFixture(sandbox, time)) {
            assertEquals(SyncRun.Status.COMPLETED, fixture.sync(WORKER).status());
            String slug = fixture.org().slug();
            assertTrue(fixture.directoryService.cached(session(fixture), slug, ALL).isPresent(), "kept by the run");

            time.advance(OrganizationDataService.MAX_AGE.plusMinutes(1));
            Session session = session(fixture);
            assertTrue(fixture.directory.complete(SyncFixture.DATA_KEY, slug, OrganizationData.Part.PROFILES).isPresent(),
                    "(the store still has it)");
            assertTrue(fixture.directoryService.cached(session, slug, ALL).isEmpty(), "a day old: not served");
            assertFalse(fixture.directoryService.usable(session, slug, ALL, Duration.ofDays(7)),
                    "nor to a caller who would take it older: nothing older than a day is served");
            assertTrue(new LightWatch(fixture.access, fixture.directoryService).look(fixture.accounts.find(SyncFixture.TENANT,
                    SyncFixture.ACCOUNT).orElseThrow(), fixture.syncs.account(SyncFixture.ACCOUNT).orElseThrow(), o -> true,
                    Duration.ofSeconds(30)).fullRunNeeded(), "the light watch has nothing to compare with: a full run");

            // A caller who would take data a week old gets it read again all the same.
            java.util.concurrent.ExecutorService lanes = OrganizationReader.laneThreads();
            try {
                OrganizationDataService reading = new OrganizationDataService(fixture.directory, new OrganizationDataBuilder(
                        new OrganizationReader(fixture.access, lanes)), fixture.access);
                OrganizationDataService.View read = reading.ensure(session, slug, ALL, Duration.ofDays(7), time.now().plus(Duration.ofMinutes(1)));
                assertTrue(read.age(time.now()).compareTo(OrganizationDataService.MAX_AGE) < 0, "read again: " + read.age(time.now()));
            } finally {
                lanes.shutdownNow();
            }
        }
    }

    private static Session session(SyncFixture fixture) {
        return fixture.access.open(SyncFixture.TENANT, SyncFixture.ACCOUNT, Duration.ofSeconds(30));
    }
}
