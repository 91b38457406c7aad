package dev.kitebridge.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kitebridge.access.IntegratedAccount;
import dev.kitebridge.buildkite.graphql.AuditEvent;
import dev.kitebridge.state.memory.InMemorySnapshotStore;

/** What one audit event names, where it does not name the user it is about. */
class AuditWatchSubjectsTest {

    private static final IntegratedAccount.OrganizationRef ORG = new IntegratedAccount.OrganizationRef("org-1", "acme", "Acme");
    private final AuditWatch watch = new AuditWatch(null, new InMemorySnapshotStore(), null);
    private final AccountSync state = AccountSync.first("acct-1", "tenant-1");

    private static AuditEvent event(String type, ObjectNode data) {
        return new AuditEvent("evt-1", type, Instant.parse("2026-12-06T12:00:00Z"), "USER", "ORGANIZATION_MEMBER", null, null, data);
    }

    @Test
    void aMembershipEventWithoutItsUserReadsTheMemberListNotAFullRun() {
        Set<Subject> into = new LinkedHashSet<>();
        assertTrue(watch.subjectsOf(state, ORG, event("ORGANIZATION_MEMBER_DELETED", JsonNodeFactory.instance.objectNode()), into));
        assertEquals(List.of(Subject.members("org-1")), List.copyOf(into));
    }

    @Test
    void aUserEventWithoutItsUserStillCallsAFullRun() {
        Set<Subject> into = new LinkedHashSet<>();
        assertFalse(watch.subjectsOf(state, ORG, event("USER_UPDATED", JsonNodeFactory.instance.objectNode()), into),
                "the member list does not show a user's own fields (2FA, …)");
        assertEquals(Set.of(), into);
    }

    @Test
    void aMembershipEventWithItsUserNamesThem() {
        Set<Subject> into = new LinkedHashSet<>();
        ObjectNode data = JsonNodeFactory.instance.objectNode().put("user_uuid", "user-1");
        assertTrue(watch.subjectsOf(state, ORG, event("ORGANIZATION_MEMBER_UPDATED", data), into));
        assertEquals(List.of(Subject.user("org-1", "user-1")), List.copyOf(into));
    }

    /** A membership's events name the member and the team's count alone; a team's own events, and its pipelines', the team whole. */
    @Test
    void aMembershipNamesTheTeamsCountAndATeamOrItsPipelinesTheTeamWhole() {
        ObjectNode membership = JsonNodeFactory.instance.objectNode().put("user_uuid", "user-1").put("team_uuid", "team-1");
        for (String type : List.of("TEAM_MEMBER_CREATED", "TEAM_MEMBER_UPDATED", "TEAM_MEMBER_DELETED")) {
            Set<Subject> into = new LinkedHashSet<>();
            assertTrue(watch.subjectsOf(state, ORG, event(type, membership), into));
            assertEquals(List.of(Subject.user("org-1", "user-1"), Subject.count("org-1", "team-1")), List.copyOf(into), type);
        }
        ObjectNode team = JsonNodeFactory.instance.objectNode().put("team_uuid", "team-1");
        for (String type : List.of("TEAM_CREATED", "TEAM_UPDATED", "TEAM_DELETED", "TEAM_PIPELINE_CREATED", "TEAM_PIPELINE_UPDATED",
                "TEAM_PIPELINE_DELETED")) {
            Set<Subject> into = new LinkedHashSet<>();
            assertTrue(watch.subjectsOf(state, ORG, event(type, team), into));
            assertEquals(List.of(Subject.group("org-1", "team-1")), List.copyOf(into), type);
        }
    }
}
