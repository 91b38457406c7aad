package dev.kitebridge.functions.sync;

import java.util.Map;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;

import dev.kitebridge.functions.Dependencies;
import dev.kitebridge.sync.SyncService;

/** The schedule's tick (EventBridge): a run queued for every active integrated account that has none under way. */
public final class SyncScheduleHandler implements RequestHandler<ScheduledEvent, Map<String, Integer>> {

    private final SyncService syncs;

    public SyncScheduleHandler() {
        this(Dependencies.application().syncService());
    }

    public SyncScheduleHandler(SyncService syncs) {
        this.syncs = syncs;
    }

    @Override
    public Map<String, Integer> handleRequest(ScheduledEvent event, Context context) {
        return Map.of("runs_started", syncs.startScheduled());
    }
}
