package dev.kitebridge.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.VirtualTime;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.Population;
import dev.kitebridge.sandbox.model.Team;

/**
 * A team deleted in Buildkite after the organization's teams were listed, before its roster was read:
 * the build leaves it out and finishes, as a sync run does (both read through the same reader).
 */
class TeamGoneWhileReadTest {

    private final VirtualTime time = new VirtualTime();

    @Test
    void aTeamDeletedBeforeItsRosterIsReadIsLeftOut() {
        try (Sandbox sandbox = time.sandbox().population(Population.of(200, 20)).limits(RateLimits.BUILDKITE.withRest(10, 10)).start()) {
            DirectoryFixture directory = new DirectoryFixture(sandbox, time);
            assertEquals(429, directory.get("groups", null, Map.of()).status(), "20 rosters take more than one request's budget");
            Organization org = sandbox.world().organizations().get(0);
            List<Team> teams = sandbox.world().teams(org.uuid());
            Team gone = teams.get(teams.size() - 1); // listed last: its roster is not read yet
            sandbox.world().deleteTeam(org, sandbox.owner().uuid(), gone.uuid());

            List<JsonNode> groups = directory.walk("groups", Map.of());
            assertEquals(teams.size() - 1, groups.size());
            assertTrue(groups.stream().noneMatch(g -> g.get("id").asText().equals(gone.uuid())));
            for (JsonNode group : groups) {
                assertEquals(sandbox.world().teamMembers(org.uuid(), group.get("id").asText()).size(), group.get("members_count").asInt(),
                        group.get("name").asText());
            }
        }
    }
}
