package dev.kitebridge.sync;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * How often the schedule looks at an account, by what its token can read. Where every organization
 * it reaches serves audit events, they are polled every {@code auditPoll} and a full run (the safety
 * net) comes every {@code fullRun}; elsewhere Buildkite's counts are looked at every {@code lightLook}
 * (see {@link LightWatch}) and a full run comes every {@code fullRunWithoutAudit}. An organization
 * found without audit events is asked again after {@code auditRecheck} (a plan can change).
 */
public record SyncCadence(Duration auditPoll, Duration fullRun, Duration lightLook, Duration fullRunWithoutAudit,
                          Duration auditRecheck) {

    public static final SyncCadence DEFAULT = new SyncCadence(Duration.ofMinutes(1), Duration.ofDays(1), Duration.ofMinutes(10),
            Duration.ofDays(1), Duration.ofDays(1));

    public SyncCadence {
        for (Duration each : new Duration[] {auditPoll, fullRun, lightLook, fullRunWithoutAudit, auditRecheck}) {
            if (each == null || each.isNegative() || each.isZero()) {
                throw new IllegalArgumentException("a sync cadence is a positive duration, not " + each);
            }
        }
    }

    /**
     * From {@code KITEBRIDGE_SYNC_AUDIT_POLL}, {@code KITEBRIDGE_SYNC_FULL_RUN}, {@code KITEBRIDGE_SYNC_LIGHT_LOOK},
     * {@code KITEBRIDGE_SYNC_FULL_RUN_WITHOUT_AUDIT} and {@code KITEBRIDGE_SYNC_AUDIT_RECHECK}
     * (ISO-8601 durations such as {@code PT1M}, {@code P1D}); each absent one is the default's.
     */
    public static SyncCadence fromEnvironment(Map<String, String> env) {
        return new SyncCadence(duration(env, "KITEBRIDGE_SYNC_AUDIT_POLL", DEFAULT.auditPoll),
                duration(env, "KITEBRIDGE_SYNC_FULL_RUN", DEFAULT.fullRun),
                duration(env, "KITEBRIDGE_SYNC_LIGHT_LOOK", DEFAULT.lightLook),
                duration(env, "KITEBRIDGE_SYNC_FULL_RUN_WITHOUT_AUDIT", DEFAULT.fullRunWithoutAudit),
                duration(env, "KITEBRIDGE_SYNC_AUDIT_RECHECK", DEFAULT.auditRecheck));
    }

    private static Duration duration(Map<String, String> env, String name, Duration otherwise) {
        return Optional.ofNullable(env.get(name)).filter(v -> !v.isBlank()).map(value -> {
            try {
                return Duration.parse(value);
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException(name + " is an ISO-8601 duration such as PT1M or P1D, not " + value);
            }
        }).orElse(otherwise);
    }
}
