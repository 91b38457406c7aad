package dev.kitebridge.sync;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A sync run as the API shows it (and as {@code sync_run.completed} and {@code sync_run.failed} carry it). */
public record SyncRunView(
        String id,
        String integratedAccountId,
        String status,
        String phase,
        String kind,
        int subjects,
        String trigger,
        boolean allowDeletions,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        SyncRun.Counts counts,
        @JsonInclude(JsonInclude.Include.NON_NULL) String error) {

    public static SyncRunView of(SyncRun run) {
        return new SyncRunView(run.id(), run.accountId(), lower(run.status()), lower(run.phase()),
                run.full() ? "full" : "changes", run.full() ? 0 : run.subjects().size(), run.trigger(), run.allowDeletions(), run.createdAt(),
                run.startedAt(), run.finishedAt(), run.counts(), run.status() == SyncRun.Status.FAILED ? run.error() : null);
    }

    private static String lower(Enum<?> value) {
        return value.name().toLowerCase(java.util.Locale.ROOT);
    }
}
