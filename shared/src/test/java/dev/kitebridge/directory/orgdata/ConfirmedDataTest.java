package dev.kitebridge.directory.orgdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.kitebridge.buildkite.OrganizationRole;
import dev.kitebridge.buildkite.SsoMode;
import dev.kitebridge.buildkite.TeamRole;
import dev.kitebridge.state.memory.InMemoryOrganizationDataStore;

/**
 * Data a sync run confirmed is kept for the directory only where it is newer than what is kept, and
 * never over a write the directory applied after it: repeating it changes nothing.
 */
class ConfirmedDataTest {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private final InMemoryOrganizationDataStore store = new InMemoryOrganizationDataStore();
    private final OrganizationDataService service = new OrganizationDataService(store, null, null);

    private static MemberProfile profile(String user, OrganizationRole role, boolean withRaw) {
        return new MemberProfile(user, "node-" + user, role, SsoMode.OPTIONAL, T0.minusSeconds(86_400), null, true, false, false,
                "https://avatars.example/" + user, withRaw ? JsonNodeFactory.instance.objectNode().put("id", "node-" + user) : null);
    }

    private static OrganizationData data(Instant at, OrganizationRole role, String teamName, boolean withRaw) {
        return OrganizationData.confirmed("acct", "acme", at, List.of(profile("u1", role, withRaw), profile("u2", role, withRaw)),
                List.of(new TeamRoster("t1", "platform", teamName, List.of(new TeamRoster.Member("u1", TeamRole.MAINTAINER)), List.of())));
    }

    private OrganizationData kept(OrganizationData.Part part) {
        return store.complete("acct", "acme", part).orElseThrow();
    }

    @Test
    void newerDataReplacesWhatIsKeptAndKeepsTheRawAnswersOfProfilesThatDidNotChange() {
        store.save(data(T0, OrganizationRole.MEMBER, "Platform", true));
        OrganizationData newer = data(T0.plusSeconds(60), OrganizationRole.MEMBER, "Platform Team", false);
        newer.addProfile(profile("u2", OrganizationRole.ADMIN, false)); // u2 was promoted meanwhile
        assertTrue(service.confirmed(newer));
        assertSame(newer, kept(OrganizationData.Part.PROFILES));
        assertSame(newer, kept(OrganizationData.Part.ROSTERS));
        assertEquals("Platform Team", kept(OrganizationData.Part.ROSTERS).teamsOf("u1").get(0).teamName());
        assertEquals("node-u1", kept(OrganizationData.Part.PROFILES).profile("u1").orElseThrow().raw().get("id").asText(), "unchanged");
        assertNull(kept(OrganizationData.Part.PROFILES).profile("u2").orElseThrow().raw(), "changed: no stale raw answer");
        assertEquals(T0.plusSeconds(60), kept(OrganizationData.Part.PROFILES).completedAt(OrganizationData.Part.PROFILES).orElseThrow());
    }

    /**
     * A profile the directory read carries its last seen in it; a sync's confirmation keeps it beside
     * the profile: the same profile served, its raw answer stays.
     */
    @Test
    void aProfileServedAlikeKeepsItsRawAnswerWhereItsLastSeenIsKeptBesideIt() {
        Instant visit = T0.minusSeconds(600);
        OrganizationData read = OrganizationData.confirmed("acct", "acme", T0, List.of(profile("u1", OrganizationRole.MEMBER, true)
                .withLastSeen(visit), profile("u2", OrganizationRole.MEMBER, true)), List.of());
        store.save(read);
        OrganizationData confirmed = OrganizationData.confirmed("acct", "acme", T0.plusSeconds(60),
                List.of(profile("u1", OrganizationRole.MEMBER, false).withLastSeen(visit.minusSeconds(86_400)),
                        profile("u2", OrganizationRole.MEMBER, false)), List.of(), java.util.Map.of("u1", visit));
        assertTrue(service.confirmed(confirmed));
        MemberProfile u1 = kept(OrganizationData.Part.PROFILES).profile("u1").orElseThrow();
        assertEquals("node-u1", u1.raw().get("id").asText(), "the same profile served");
        assertEquals(visit, u1.lastSeenAt());
    }

    /** The profile kept for its raw answer is served with the confirmed last seen, wherever either side kept it. */
    @Test
    void aProfileKeptForItsRawAnswerIsServedWithTheLastSeenConfirmed() {
        Instant visit = T0.minusSeconds(600);
        OrganizationData read = OrganizationData.confirmed("acct", "acme", T0, List.of(profile("u1", OrganizationRole.MEMBER, true)
                .withLastSeen(visit.minusSeconds(86_400)), profile("u2", OrganizationRole.MEMBER, true)), List.of(), java.util.Map.of("u1", visit));
        store.save(read);
        OrganizationData confirmed = OrganizationData.confirmed("acct", "acme", T0.plusSeconds(60),
                List.of(profile("u1", OrganizationRole.MEMBER, false).withLastSeen(visit), profile("u2", OrganizationRole.MEMBER, false)),
                List.of());
        assertTrue(service.confirmed(confirmed));
        MemberProfile u1 = kept(OrganizationData.Part.PROFILES).profile("u1").orElseThrow();
        assertEquals("node-u1", u1.raw().get("id").asText(), "the same profile served");
        assertEquals(visit, u1.lastSeenAt());
    }

    @Test
    void repeatingItOrOlderDataChangesNothing() {
        OrganizationData confirmed = data(T0, OrganizationRole.MEMBER, "Platform", false);
        assertTrue(service.confirmed(confirmed));
        assertFalse(service.wouldKeep("acct", "acme", T0), "kept already");
        assertFalse(service.confirmed(data(T0, OrganizationRole.ADMIN, "Other", false)));
        assertFalse(service.confirmed(data(T0.minusSeconds(1), OrganizationRole.ADMIN, "Other", false)));
        assertSame(confirmed, kept(OrganizationData.Part.PROFILES));
    }

    @Test
    void aWriteAppliedAfterTheConfirmationIsNotUndone() {
        OrganizationData read = data(T0, OrganizationRole.MEMBER, "Platform", false);
        read.teamRenamed("t1", "platform", "Renamed by a write");
        read.changed(T0.plusSeconds(30));
        store.save(read);
        assertFalse(service.confirmed(data(T0.plusSeconds(10), OrganizationRole.MEMBER, "Platform", false)));
        assertEquals("Renamed by a write", kept(OrganizationData.Part.ROSTERS).roster("t1").orElseThrow().name());
        assertTrue(service.confirmed(data(T0.plusSeconds(40), OrganizationRole.MEMBER, "Platform", false)), "a later confirmation has it");
    }

    @Test
    void confirmedDataIsCompleteAndRoundTripsThroughItsSnapshot() {
        OrganizationData confirmed = data(T0, OrganizationRole.MEMBER, "Platform", false);
        assertTrue(confirmed.isComplete(OrganizationData.Part.PROFILES) && confirmed.isComplete(OrganizationData.Part.ROSTERS));
        assertEquals(OrganizationReader.RestLane.Stage.DONE, confirmed.position().rest().stage());
        assertEquals(confirmed.snapshot(), OrganizationData.restore(confirmed.snapshot()).snapshot());
    }

    /** The order is no part of what a run confirms: what is kept keeps its order, what is new comes after it. */
    @Test
    void aConfirmationKeepsTheOrderKeptWithWhatIsNewAfterIt() {
        TeamRoster t1 = new TeamRoster("t1", "platform", "Platform", List.of(new TeamRoster.Member("u1", TeamRole.MAINTAINER)), List.of());
        TeamRoster t2 = new TeamRoster("t2", "infra", "Infra", List.of(), List.of());
        TeamRoster t3 = new TeamRoster("t3", "apps", "Apps", List.of(), List.of());
        store.save(OrganizationData.confirmed("acct", "acme", T0, List.of(profile("u3", OrganizationRole.MEMBER, true),
                profile("u1", OrganizationRole.MEMBER, true), profile("u2", OrganizationRole.MEMBER, true)), List.of(t2, t1)));
        assertTrue(service.confirmed(OrganizationData.confirmed("acct", "acme", T0.plusSeconds(60), List.of(profile("u1", OrganizationRole.MEMBER,
                false), profile("u2", OrganizationRole.ADMIN, false), profile("u4", OrganizationRole.MEMBER, false)), List.of(t1, t2, t3))));
        OrganizationData kept = kept(OrganizationData.Part.PROFILES);
        assertEquals(List.of("u1", "u2", "u4"), kept.snapshot().profiles().stream().map(MemberProfile::userUuid).toList());
        assertEquals(OrganizationRole.ADMIN, kept.profile("u2").orElseThrow().role());
        assertEquals(List.of("t2", "t1", "t3"), kept.snapshot().teams().stream().map(TeamRoster::teamUuid).toList());
        assertEquals(List.of("t2", "t1", "t3"), kept.snapshot().rosters().stream().map(TeamRoster::teamUuid).toList());
        assertEquals("Platform", kept.teamsOf("u1").get(0).teamName());
        assertEquals(T0.plusSeconds(60), kept.completedAt(OrganizationData.Part.ROSTERS).orElseThrow());
    }

    /**
     * The rosters are put in the order of the rosters kept, not of the teams: a patch keeps each list's own order
     * (see {@link OrganizationDataPatch#between}). Kept data has them in one order (rosters are read down the team
     * list); this holds whatever order the kept rosters have.
     */
    @Test
    void aConfirmationKeepsTheRostersInTheOrderOfTheRostersKept() {
        TeamRoster t1 = new TeamRoster("t1", "platform", "Platform", List.of(new TeamRoster.Member("u1", TeamRole.MAINTAINER)), List.of());
        TeamRoster t2 = new TeamRoster("t2", "infra", "Infra", List.of(), List.of());
        OrganizationData.Snapshot s = OrganizationData.confirmed("acct", "acme", T0, List.of(profile("u1", OrganizationRole.MEMBER, true)),
                List.of(t1, t2)).snapshot();
        store.save(OrganizationData.restore(new OrganizationData.Snapshot(s.accountId(), s.organizationSlug(), s.startedAt(), s.retryAt(),
                s.profiles(), s.profilesAfter(), s.profilesCompletedAt(), s.profilesNeedSso(), List.of(t2, t1), List.of(t1, t2), s.teamsNext(),
                s.teamsListed(), s.rosterIndex(), s.rosterNext(), s.rosterPipelinesPhase(), s.rosterMembers(), s.rosterPipelines(),
                s.rostersCompletedAt(), s.stalledSince(), s.changedAt())));
        assertTrue(service.confirmed(OrganizationData.confirmed("acct", "acme", T0.plusSeconds(60),
                List.of(profile("u1", OrganizationRole.MEMBER, false)), List.of(t1, t2))));
        OrganizationData kept = kept(OrganizationData.Part.ROSTERS);
        assertEquals(List.of("t2", "t1"), kept.snapshot().teams().stream().map(TeamRoster::teamUuid).toList());
        assertEquals(List.of("t1", "t2"), kept.snapshot().rosters().stream().map(TeamRoster::teamUuid).toList());
    }
}
