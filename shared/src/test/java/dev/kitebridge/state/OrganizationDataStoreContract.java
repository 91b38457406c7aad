package dev.kitebridge.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.kitebridge.buildkite.OrganizationRole;
import dev.kitebridge.buildkite.PageRequest;
import dev.kitebridge.buildkite.PipelineAccessLevel;
import dev.kitebridge.buildkite.TeamRole;
import dev.kitebridge.directory.orgdata.MemberProfile;
import dev.kitebridge.directory.orgdata.OrganizationData;
import dev.kitebridge.directory.orgdata.OrganizationDataStore;
import dev.kitebridge.directory.orgdata.TeamRoster;

/** What every OrganizationDataStore adapter must do; each adapter's test extends this. */
public abstract class OrganizationDataStoreContract {

    protected abstract OrganizationDataStore store();

    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");

    /** Data with {@code members} profiles, complete or not, and one team roster. */
    protected static OrganizationData data(String account, int members, boolean profilesDone, boolean rostersDone) {
        List<MemberProfile> profiles = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            profiles.add(new MemberProfile("user-" + i, "T3JnYW5pemF0aW9uTWVtYmVyLS0t" + i, OrganizationRole.MEMBER, null, T0,
                    i % 3 == 0 ? null : T0.minusSeconds(i), i % 2 == 0, false, i % 50 == 0, "https://avatars.example/" + i,
                    JsonNodeFactory.instance.objectNode().put("id", "node-" + i).put("note", "Zoë Núñez 山田")));
        }
        TeamRoster roster = new TeamRoster("team-1", "platform", "Platform", List.of(new TeamRoster.Member("user-1", TeamRole.MAINTAINER)),
                List.of(new TeamRoster.PipelineAccess("pipe-1", "service-1", PipelineAccessLevel.BUILD_AND_READ)));
        return OrganizationData.restore(new OrganizationData.Snapshot(account, "acme", T0, null, profiles,
                profilesDone ? null : "Mg==", profilesDone ? T0.plusSeconds(60) : null, false,
                List.of(roster), rostersDone ? List.of(roster) : List.of(), null, true, rostersDone ? 1 : 0,
                rostersDone ? null : new PageRequest(java.util.Map.of("page", "2", "per_page", "100")), false, List.of(), List.of(),
                rostersDone ? T0.plusSeconds(30) : null, profilesDone ? null : T0.plusSeconds(90), T0.plusSeconds(95)));
    }

    @Test
    void aBuildInProgressIsResumableAndItsCompletePartsServed() {
        store().save(data("acct-1", 30, true, false));
        OrganizationData building = store().building("acct-1", "acme").orElseThrow();
        assertEquals(30, building.profileCount());
        assertTrue(store().complete("acct-1", "acme", OrganizationData.Part.PROFILES).isPresent());
        assertTrue(store().complete("acct-1", "acme", OrganizationData.Part.ROSTERS).isEmpty());
        assertEquals(data("acct-1", 30, true, false).snapshot(), building.snapshot());
    }

    @Test
    void aCompleteBuildIsNoLongerInProgressAndEverythingRoundTrips() {
        OrganizationData complete = data("acct-2", 40, true, true);
        store().save(complete);
        assertTrue(store().building("acct-2", "acme").isEmpty());
        OrganizationData read = store().complete("acct-2", "acme", OrganizationData.Part.ROSTERS).orElseThrow();
        assertEquals(complete.snapshot(), read.snapshot());
        assertEquals(TeamRole.MAINTAINER, read.teamsOf("user-1").get(0).role(), "what is derived is derived again");
    }

    @Test
    void oneOrganizationCanBeForgotten() {
        OrganizationData acme = data("acct-7", 10, true, true);
        store().save(acme);
        OrganizationData.Snapshot other = data("acct-7", 5, true, true).snapshot();
        store().save(OrganizationData.restore(new OrganizationData.Snapshot(other.accountId(), "globex", other.startedAt(),
                other.retryAt(), other.profiles(), other.profilesAfter(), other.profilesCompletedAt(), other.profilesNeedSso(),
                other.teams(), other.rosters(), other.teamsNext(), other.teamsListed(), other.rosterIndex(), other.rosterNext(),
                other.rosterPipelinesPhase(), other.rosterMembers(), other.rosterPipelines(), other.rostersCompletedAt(),
                other.stalledSince(), other.changedAt())));
        store().forget("acct-7", "acme");
        assertTrue(store().complete("acct-7", "acme", OrganizationData.Part.PROFILES).isEmpty());
        assertEquals(5, store().complete("acct-7", "globex", OrganizationData.Part.PROFILES).orElseThrow().profileCount());
    }

    @Test
    void aLargeOrganizationFitsAndAccountsAreSeparate() {
        store().save(data("acct-3", 12_000, true, true));
        assertEquals(12_000, store().complete("acct-3", "acme", OrganizationData.Part.PROFILES).orElseThrow().profileCount());
        assertTrue(store().complete("acct-4", "acme", OrganizationData.Part.PROFILES).isEmpty());
        store().deleteAccount("acct-3");
        assertTrue(store().complete("acct-3", "acme", OrganizationData.Part.PROFILES).isEmpty());
    }
}
