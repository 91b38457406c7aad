package dev.kitebridge.bench.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import dev.kitebridge.sync.SyncSchedule;

class FleetProbeTest {

    /** A look that mostly waits on DynamoDB and Buildkite shares the tick with the looks beside it. */
    @Test
    void aWaitingLookCountsItsRealTimeOverTheLooksSideBySide() {
        assertEquals(0.8 / SyncSchedule.AT_ONCE, FleetProbe.tickShare(0.8, 0.001, 1024), 1e-9);
    }

    /** A look's CPU cannot overlap beyond the function's share of a vCPU: at 1024 MB, 0.58 of one. */
    @Test
    void aBusyLookCountsItsCpuAtTheFunctionsShareOfAVcpu() {
        assertEquals(0.02 * 1769 / 1024, FleetProbe.tickShare(0.08, 0.02, 1024), 1e-9);
        assertEquals(0.02, FleetProbe.tickShare(0.08, 0.02, 1769), 1e-9);
    }
}
