package dev.kitebridge.functions.sync;

import java.time.Duration;
import java.util.Map;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;

import dev.kitebridge.functions.Dependencies;
import dev.kitebridge.sync.SyncSchedule;

/**
 * The schedule's tick (EventBridge): for each active integrated account with no run under way, a
 * full run when one is due, else a poll of its audit events and a pass of what they changed.
 */
public final class SyncScheduleHandler implements RequestHandler<ScheduledEvent, Map<String, Integer>> {

    /** A look at one account (a poll, then maybe a run queued) fits in this. */
    static final Duration LOOK_RESERVE = Duration.ofSeconds(30);

    private final SyncSchedule schedule;

    public SyncScheduleHandler() {
        this(Dependencies.application().syncSchedule());
    }

    public SyncScheduleHandler(SyncSchedule schedule) {
        this.schedule = schedule;
    }

    @Override
    public Map<String, Integer> handleRequest(ScheduledEvent event, Context context) {
        // Accounts not reached while the function has time are looked at by the next tick; a look in flight may use the reserve.
        Duration remaining = Duration.ofMillis(context == null ? 120_000 : context.getRemainingTimeInMillis());
        SyncSchedule.Tick tick = schedule.tickWithin(remaining.minus(LOOK_RESERVE));
        return Map.of("full_runs_started", tick.fullRuns(), "passes_started", tick.passes(), "accounts_polled", tick.polled(),
                "accounts_looked_at", tick.looked());
    }
}
