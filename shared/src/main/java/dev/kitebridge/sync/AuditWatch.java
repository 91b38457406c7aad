package dev.kitebridge.sync;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.access.IntegratedAccount;
import dev.kitebridge.access.Session;
import dev.kitebridge.buildkite.graphql.AuditEvent;
import dev.kitebridge.buildkite.graphql.AuditEventsQueries;
import dev.kitebridge.time.TimeSource;

/**
 * Reads each organization's audit events (Enterprise) since where the account's cursor stands, and
 * says what they changed: the members, teams and invitations to re-read (a pass of changes), or that
 * only a full run can tell (an SSO or organization setting changed, or a user event that does not
 * name its user; a membership event without its user reads the member list). An organization that
 * does not serve audit events to the token is remembered as such.
 * Buildkite's audit log is a hint of what to re-read, not the data: a daily full run stays.
 */
public final class AuditWatch {

    /**
     * A poll asks again from this long before the last poll (or the newest event seen, if later):
     * events may land in the log late. Not from before the newest event seen whenever: a quiet
     * organization's last events would be listed again, and paid for, every minute.
     */
    static final Duration OVERLAP = Duration.ofMinutes(2);

    private final BuildkiteAccess access;
    private final SnapshotStore snapshots;
    private final TimeSource time;

    public AuditWatch(BuildkiteAccess access, SnapshotStore snapshots, TimeSource time) {
        this.access = access;
        this.snapshots = snapshots;
        this.time = time;
    }

    /**
     * What a poll found: the subjects to re-read, whether a full run is needed, and the cursors to
     * keep once that is acted on; {@code watched} says whether every organization serves audit events.
     */
    public record Found(List<Subject> subjects, boolean fullRunNeeded, Map<String, AuditCursor> cursors, boolean watched) {
        public boolean changed() {
            return fullRunNeeded || !subjects.isEmpty();
        }
    }

    /**
     * Polls every organization of the account whose audit events are served (or not known not to
     * be; one not served is asked again after {@code recheck}), from its cursor or, the first time,
     * from {@code since} (when the data was last confirmed whole), whichever is later.
     */
    public Found poll(IntegratedAccount account, AccountSync state, Instant since, Duration recheck, Duration budget) {
        Session session = access.open(account, budget);
        Map<String, AuditCursor> cursors = new HashMap<>(state.audit());
        Set<Subject> subjects = new LinkedHashSet<>();
        boolean fullRunNeeded = false;
        boolean watched = true;
        for (IntegratedAccount.OrganizationRef org : account.organizations()) {
            AuditCursor cursor = state.audit(org.id());
            if (cursor.unavailableSince() != null && time.now().isBefore(cursor.unavailableSince().plus(recheck))) {
                watched = false;
                continue;
            }
            // From the newest event seen, or from when the data was last confirmed whole if that is later (a full run read it all).
            Instant start = cursor.checkpoint() != null && cursor.checkpoint().isAfter(since) ? cursor.checkpoint() : since;
            // Events before the last poll that was read and acted on had OVERLAP to land since (not so after a refusal).
            Instant lastRead = cursor.unavailableSince() == null ? cursor.polledAt() : null;
            Instant from = (lastRead != null && lastRead.isAfter(start) ? lastRead : start).minus(OVERLAP);
            AuditEventsQueries.Listing listing = access.call(session, () -> session.buildkite().graphql().auditEvents().since(org.slug(), from));
            if (listing instanceof AuditEventsQueries.NotAvailable) {
                cursors.put(org.id(), cursor.unavailable(time.now()));
                watched = false;
                continue;
            }
            List<AuditEvent> listed = ((AuditEventsQueries.Available) listing).events();
            for (AuditEvent event : listed) {
                if (!cursor.seen().contains(event.uuid())) {
                    fullRunNeeded |= !subjectsOf(state, org, event, subjects);
                }
            }
            cursors.put(org.id(), advanced(cursor, listed, start));
        }
        List<Subject> named = List.copyOf(subjects);
        subjects.removeIf(s -> s.readWith(named)); // a team read whole reads its roster too
        return new Found(List.copyOf(subjects), fullRunNeeded, cursors, watched);
    }

    /**
     * The cursor after a poll: the newest event listed, and the ids of the events listed from
     * {@code OVERLAP} before it on (the next poll lists them again, and skips them).
     */
    private AuditCursor advanced(AuditCursor cursor, List<AuditEvent> listed, Instant since) {
        Instant newest = listed.stream().map(AuditEvent::occurredAt).max(Comparator.naturalOrder()).orElse(since);
        List<String> seen = listed.stream().filter(e -> !e.occurredAt().isBefore(newest.minus(OVERLAP))).map(AuditEvent::uuid).toList();
        return new AuditCursor(newest, seen, time.now(), null);
    }

    /**
     * The subjects one event names, added to {@code into}; false when only a full run can tell what
     * it changed. Event types outside the directory (pipelines, agents, …) name nothing.
     */
    boolean subjectsOf(AccountSync state, IntegratedAccount.OrganizationRef org, AuditEvent event, Set<Subject> into) {
        String type = event.type() == null ? "" : event.type();
        Optional<String> user = text(event, "user_uuid");
        Optional<String> team = text(event, "team_uuid");
        if (type.startsWith("ORGANIZATION_MEMBER_") && user.isEmpty()) {
            // The event names a membership, not its user (UNVERIFIED shape): a join, leave or role change is what the member
            // list shows (its fields are REST's), so the list says whose; no full run.
            into.add(Subject.members(org.id()));
            return true;
        }
        if (type.startsWith("ORGANIZATION_MEMBER_") || type.startsWith("USER_")) {
            if (user.isEmpty()) {
                return false; // a user's own change (2FA, name, …) without the user: the member list does not show it; a full run
            }
            into.add(Subject.user(org.id(), user.get()));
            if (type.equals("ORGANIZATION_MEMBER_DELETED")) {
                // Gone with their teams (the member's read covers the memberships): each team's count is read again, not the team.
                teamsOf(state, org.id(), user.get()).forEach(t -> into.add(Subject.count(org.id(), t)));
            }
            return true;
        }
        if (type.startsWith("TEAM_MEMBER_")) {
            if (user.isEmpty() || team.isEmpty()) {
                return false;
            }
            // A membership added, removed or changed: the member (their memberships), and the team's count, not its roster's
            // pages nor its pipelines.
            into.add(Subject.user(org.id(), user.get()));
            into.add(Subject.count(org.id(), team.get()));
            return true;
        }
        if (type.startsWith("TEAM_PIPELINE_")) {
            if (team.isEmpty()) {
                return false;
            }
            into.add(Subject.group(org.id(), team.get()));
            return true;
        }
        if (type.startsWith("TEAM_")) {
            into.add(Subject.group(org.id(), team.orElse(event.subjectUuid())));
            return true;
        }
        if (type.startsWith("ORGANIZATION_INVITATION_")) {
            // The invitation alone (a few points) where the event names it; else every pending one (some 5 points each).
            boolean named = "ORGANIZATION_INVITATION".equals(event.subjectType()) && event.subjectUuid() != null
                    && !event.subjectUuid().isBlank();
            into.add(named ? Subject.invitation(org.id(), event.subjectUuid()) : Subject.invitations(org.id()));
            return true;
        }
        // SSO providers, the organization's settings, teams enabled or disabled: they change many records at once.
        return !(type.startsWith("SSO_PROVIDER_") || type.equals("ORGANIZATION_UPDATED") || type.startsWith("ORGANIZATION_TEAMS_"));
    }

    /** The teams a member is in, as the account's snapshot has them. */
    private List<String> teamsOf(AccountSync state, String orgId, String userUuid) {
        return snapshots.record(state.accountId(), state.currentGeneration(), SnapshotKeys.user(orgId, userUuid)).stream()
                .filter(i -> SnapshotKeys.partOf(i.key()).equals("t")).map(i -> SnapshotKeys.teamOf(i.key())).toList();
    }

    private static Optional<String> text(AuditEvent event, String field) {
        return Optional.ofNullable(event.data()).map(d -> d.path(field)).filter(n -> n.isTextual() && !n.asText().isBlank())
                .map(n -> n.asText());
    }
}
