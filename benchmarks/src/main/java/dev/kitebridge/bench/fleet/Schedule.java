package dev.kitebridge.bench.fleet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What runs for an account, and how often: the passes the fleet benchmark simulates and prices. Each
 * entry names a kind of pass (measured once per account size) and its period; an account-month is
 * each entry's measured per-pass cost times the passes a month holds. Change-driven passes (an audit
 * poll, a light pass) are a new {@link Pass} that {@link FleetProbe} knows how to run, and an entry here.
 *
 * @param name how the benchmark's output names it
 */
public record Schedule(String name, List<Entry> entries) {

    /** Hours in a month, as AWS's pricing pages count them. */
    public static final double HOURS_PER_MONTH = 730;
    /** Events and runs are kept this long (their TTL): the storage a schedule holds grows with its passes over it. */
    public static final Duration RETENTION = Duration.ofDays(30);

    public enum Pass {
        /** The sync schedule's tick (SyncScheduleFunction) and the worker's invocations (SyncWorkerFunction) until the run ends. */
        FULL_SYNC("SyncScheduleFunction", "SyncWorkerFunction"),
        /** One webhook delivery tick (WebhookDeliveryFunction): every account's subscriptions looked at. */
        WEBHOOK_TICK("WebhookDeliveryFunction", null);

        /** The function the schedule invokes once for the whole fleet, and the one invoked per account (or null). */
        public final String tickFunction;
        public final String workerFunction;

        Pass(String tickFunction, String workerFunction) {
            this.tickFunction = tickFunction;
            this.workerFunction = workerFunction;
        }
    }

    /** @param every the period between two passes of this kind for one account */
    public record Entry(Pass pass, Duration every) {

        public double perMonth() {
            return HOURS_PER_MONTH * 3600 / every.toSeconds();
        }

        public double perHour() {
            return 3600.0 / every.toSeconds();
        }

        public double perRetention() {
            return (double) RETENTION.toSeconds() / every.toSeconds();
        }
    }

    /** Today's deployment, from template.yaml: SyncSchedule's default full run, and the webhook tick's rate. */
    public static Schedule deployed(DeployedTemplate template) {
        return new Schedule("deployed: full run " + every(template.schedule("SyncScheduleFunction")) + ", webhook tick "
                + every(template.schedule("WebhookDeliveryFunction")), List.of(
                new Entry(Pass.FULL_SYNC, template.schedule("SyncScheduleFunction")),
                new Entry(Pass.WEBHOOK_TICK, template.schedule("WebhookDeliveryFunction"))));
    }

    /** The same schedule with one kind of pass at another period (for example a full run daily instead of hourly). */
    public Schedule with(Pass pass, Duration every, String name) {
        List<Entry> changed = new ArrayList<>();
        for (Entry entry : entries) {
            changed.add(entry.pass() == pass ? new Entry(pass, every) : entry);
        }
        return new Schedule(name, changed);
    }

    static String every(Duration period) {
        if (period.toDays() > 0 && period.toHours() % 24 == 0) {
            return period.toDays() == 1 ? "daily" : "every " + period.toDays() + " days";
        }
        if (period.toHours() > 0 && period.toMinutes() % 60 == 0) {
            return period.toHours() == 1 ? "hourly" : "every " + period.toHours() + " hours";
        }
        return period.toMinutes() == 1 ? "every minute" : "every " + period.toMinutes() + " minutes";
    }
}
