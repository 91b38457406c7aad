package dev.kitebridge.directory.orgdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.kitebridge.buildkite.PageRequest;
import dev.kitebridge.buildkite.TeamRole;

/** Writes applied to data part-way through a build: the build still finishes, and finishes right. */
class OrganizationDataWritesTest {

    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");

    private static TeamRoster team(String uuid) {
        return new TeamRoster(uuid, uuid, "Team " + uuid, List.of(), List.of());
    }

    private static OrganizationData listed(String... teams) {
        OrganizationData data = new OrganizationData("acct", "acme", T0);
        data.addTeams(java.util.Arrays.stream(teams).map(OrganizationDataWritesTest::team).toList(), null);
        return data;
    }

    @Test
    void deletingTheLastUnreadTeamCompletesTheRosters() {
        OrganizationData data = listed("t1", "t2");
        data.addRosterMembers(List.of(), null);
        data.addRosterPipelines(List.of(), null, T0);
        assertFalse(data.isComplete(OrganizationData.Part.ROSTERS));
        data.teamDeleted("t2", T0.plusSeconds(1));
        assertTrue(data.isComplete(OrganizationData.Part.ROSTERS), "no roster is left to read");

        OrganizationData only = listed("t9");
        only.teamDeleted("t9", T0);
        assertTrue(only.isComplete(OrganizationData.Part.ROSTERS));
    }

    @Test
    void membershipsWrittenWhileARosterIsReadEndUpInIt() {
        OrganizationData data = listed("t1");
        data.addRosterMembers(List.of(new TeamRoster.Member("u1", TeamRole.MEMBER), new TeamRoster.Member("u2", TeamRole.MEMBER)),
                new PageRequest(java.util.Map.of("page", "2", "per_page", "2")));
        data.teamMemberRemoved("t1", "u1");
        data.teamMemberSet("t1", "u3", TeamRole.MAINTAINER);
        data.memberRemoved("u2");
        // The last page, read after the writes, lists u3 too: Buildkite's answer wins, once.
        data.addRosterMembers(List.of(new TeamRoster.Member("u3", TeamRole.MAINTAINER)), null);
        data.addRosterPipelines(List.of(), null, T0);
        assertEquals(List.of(new TeamRoster.Member("u3", TeamRole.MAINTAINER)), data.roster("t1").orElseThrow().members());
        assertEquals(1, data.teamsOf("u3").size());
        assertTrue(data.teamsOf("u1").isEmpty());
    }

    @Test
    void aRenameKeepsTheRosterAndATeamIsNotListedTwice() {
        OrganizationData data = listed("t1");
        data.addRosterMembers(List.of(new TeamRoster.Member("u1", TeamRole.MEMBER)), null);
        data.addRosterPipelines(List.of(), null, T0);
        data.teamRenamed("t1", "platform", "Platform");
        assertEquals("Platform", data.roster("t1").orElseThrow().name());
        assertEquals("Platform", data.teamsOf("u1").get(0).teamName());

        OrganizationData paging = new OrganizationData("acct", "acme", T0);
        paging.addTeams(List.of(team("t1"), team("t2")), new PageRequest(java.util.Map.of("page", "2", "per_page", "2")));
        paging.addTeams(List.of(team("t2"), team("t3")), null); // a team deleted meanwhile shifted t2 onto page 2
        assertEquals(3, paging.snapshot().teams().size());
    }
}
