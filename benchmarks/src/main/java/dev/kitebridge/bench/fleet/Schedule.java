package dev.kitebridge.bench.fleet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What runs for an account, and how often: the passes the fleet benchmark simulates and prices. Each
 * entry names a kind of pass (measured once per account size) and its period; an account-month is
 * each entry's measured per-pass cost times the passes a month holds. A new kind of pass (a light pass
 * for accounts without audit events, say) is a new {@link Pass} the benchmark knows how to measure, and an entry here.
 *
 * @param name how the benchmark's output names it
 */
public record Schedule(String name, List<Entry> entries) {

    /** Hours in a month, as AWS's pricing pages count them. */
    public static final double HOURS_PER_MONTH = 730;
    /** Events and runs are kept this long (their TTL): the storage a schedule holds grows with its passes over it. */
    public static final Duration RETENTION = Duration.ofDays(30);

    public enum Pass {
        /** One full run (started as a due tick starts it) and the worker's invocations (SyncWorkerFunction) until it ends. */
        FULL_SYNC(null, "SyncWorkerFunction"),
        /**
         * An hour of the schedule where audit events are served: a tick a minute (SyncScheduleFunction), each an
         * audit-event poll, with a quiet hour's changes in Buildkite and the passes of changes they start (SyncWorkerFunction).
         */
        AUDIT_HOUR("SyncScheduleFunction", "SyncWorkerFunction"),
        /** A tick that finds the account's organization not serving audit events (then remembered for a day). */
        NO_AUDIT_POLL("SyncScheduleFunction", null),
        /**
         * An hour of the schedule without audit events: a tick a minute (SyncScheduleFunction), a light look at Buildkite's
         * counts every SyncLightLook, with a quiet hour's changes and the passes of changes the looks start (SyncWorkerFunction).
         */
        LOOK_HOUR("SyncScheduleFunction", "SyncWorkerFunction"),
        /** One webhook delivery tick (WebhookDeliveryFunction): every account's subscriptions looked at. */
        WEBHOOK_TICK("WebhookDeliveryFunction", null);

        /** The function the schedule invokes once for the whole fleet (or null), and the one invoked per account (or null). */
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

    /**
     * The deployed schedule (template.yaml's defaults: {@code SyncSchedule}, {@code SyncFullRun}, the webhook
     * tick's rate) for an account whose organizations serve audit events: an hour of minute ticks, each a
     * poll, and the passes of changes they start, every hour; a full run every {@code SyncFullRun}.
     */
    public static Schedule withAudit(DeployedTemplate template) {
        Duration fullRun = template.parameterDuration("SyncFullRun");
        return new Schedule("with audit events: minute polls + passes, full run " + every(fullRun), List.of(
                new Entry(Pass.AUDIT_HOUR, Duration.ofHours(1)),
                new Entry(Pass.FULL_SYNC, fullRun),
                new Entry(Pass.WEBHOOK_TICK, template.schedule("WebhookDeliveryFunction"))));
    }

    /**
     * The deployed schedule for an account without audit events: a full run every
     * {@code SyncFullRunWithoutAudit}, an hour of ticks (light looks and the passes they start) every hour,
     * the poll that finds no audit events once every {@code recheck} (a day: {@code SyncCadence}'s).
     */
    public static Schedule withoutAudit(DeployedTemplate template, Duration recheck) {
        Duration fullRun = template.parameterDuration("SyncFullRunWithoutAudit");
        return new Schedule("without audit events: light looks + passes, full run " + every(fullRun), List.of(
                new Entry(Pass.FULL_SYNC, fullRun),
                new Entry(Pass.LOOK_HOUR, Duration.ofHours(1)),
                new Entry(Pass.NO_AUDIT_POLL, recheck),
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
