package dev.kitebridge.sync;

import java.time.Instant;
import java.util.List;

/**
 * Where polling one organization's audit events stands: the newest event seen, the events seen at
 * or just before it (a poll asks again from a little before, and skips them), when it was last
 * polled, and since when the organization has been found not to serve them to the token (null: it
 * does, or it is not known yet).
 */
public record AuditCursor(Instant checkpoint, List<String> seen, Instant polledAt, Instant unavailableSince) {

    public static final AuditCursor UNKNOWN = new AuditCursor(null, List.of(), null, null);

    public AuditCursor {
        seen = seen == null ? List.of() : List.copyOf(seen);
    }

    /**
     * Whether this cursor stands where the other does: the same newest event and unavailability, and
     * every event the other has seen seen here too (events the other no longer lists, having polled
     * past them, are ids acted on: keeping them skips nothing new); when each was polled aside. A poll
     * that moved nothing need not be written.
     */
    public boolean samePlace(AuditCursor other) {
        return java.util.Objects.equals(checkpoint, other.checkpoint) && seen.containsAll(other.seen)
                && java.util.Objects.equals(unavailableSince, other.unavailableSince);
    }

    public AuditCursor unavailable(Instant now) {
        return new AuditCursor(checkpoint, seen, now, now);
    }
}
