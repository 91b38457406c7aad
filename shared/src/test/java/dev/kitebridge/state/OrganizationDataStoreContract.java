package dev.kitebridge.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

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

    /** A random change of the kinds passes and directory writes make. */
    protected static Consumer<OrganizationData> randomChange(Random random, int step) {
        int user = random.nextInt(60);
        String team = "team-" + random.nextInt(4);
        TeamRole role = random.nextBoolean() ? TeamRole.MAINTAINER : TeamRole.MEMBER;
        return switch (random.nextInt(7)) {
            case 0 -> d -> d.memberRemoved("user-" + user);
            case 1 -> d -> d.teamMemberSet(team, "user-" + user, role);
            case 2 -> d -> d.teamMemberRemoved(team, "user-" + user);
            case 3 -> d -> d.teamRenamed(team, "renamed-" + step, "Renamed " + step);
            case 4 -> d -> d.teamSaved(new TeamRoster("team-" + (10 + step), "new-" + step, "New " + step,
                    List.of(new TeamRoster.Member("user-" + user, TeamRole.MEMBER)),
                    List.of(new TeamRoster.PipelineAccess("pipe-" + step, "p-" + step, PipelineAccessLevel.READ_ONLY))));
            case 5 -> d -> d.teamDeleted(team, T0.plusSeconds(step));
            default -> d -> d.addProfile(new MemberProfile("user-" + (100 + step), "id-" + step, OrganizationRole.ADMIN, null, T0,
                    null, true, false, false, null, null));
        };
    }

    /** Complete data with four teams, their members among the first 60 profiles. */
    protected static OrganizationData withTeams(String account, int members) {
        OrganizationData.Snapshot s = data(account, members, true, true).snapshot();
        List<TeamRoster> teams = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            List<TeamRoster.Member> roster = new ArrayList<>();
            for (int u = t; u < 60; u += 3) {
                roster.add(new TeamRoster.Member("user-" + u, u % 2 == 0 ? TeamRole.MEMBER : TeamRole.MAINTAINER));
            }
            teams.add(new TeamRoster("team-" + t, "team-" + t, "Team " + t, roster,
                    List.of(new TeamRoster.PipelineAccess("pipe-" + t, "service-" + t, PipelineAccessLevel.BUILD_AND_READ))));
        }
        return OrganizationData.restore(new OrganizationData.Snapshot(s.accountId(), s.organizationSlug(), s.startedAt(), s.retryAt(),
                s.profiles(), s.profilesAfter(), s.profilesCompletedAt(), s.profilesNeedSso(), teams, teams, null, true, teams.size(),
                null, false, List.of(), List.of(), s.rostersCompletedAt(), s.stalledSince(), s.changedAt()));
    }

    /** Equal snapshots; where not, says which field differs (a snapshot of 80 members prints as pages). */
    protected static void assertSameData(OrganizationData.Snapshot expected, OrganizationData.Snapshot actual, String message) {
        for (var component : OrganizationData.Snapshot.class.getRecordComponents()) {
            try {
                Object want = component.getAccessor().invoke(expected);
                Object got = component.getAccessor().invoke(actual);
                assertEquals(want, got, message + ": " + component.getName());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    protected static OrganizationData.Snapshot changed(OrganizationData.Snapshot before, Consumer<OrganizationData> change) {
        OrganizationData copy = OrganizationData.restore(before);
        change.accept(copy);
        return copy.snapshot();
    }

    @Test
    void everyRevisionIsWhatEveryReaderSeesAfterIt() {
        store().save(withTeams("acct-10", 80));
        OrganizationData.Snapshot expected = withTeams("acct-10", 80).snapshot();
        Random random = new Random(12);
        for (int step = 0; step < 40; step++) {
            Consumer<OrganizationData> change = randomChange(random, step);
            expected = changed(expected, change);
            store().revise("acct-10", "acme", change);
            OrganizationData read = store().complete("acct-10", "acme", OrganizationData.Part.ROSTERS).orElseThrow();
            assertSameData(expected, read.snapshot(), "after step " + step);
            assertEquals(expected.profilesCompletedAt(), read.completedAt(OrganizationData.Part.PROFILES).orElseThrow(),
                    "a revision keeps the data's age");
        }
        assertTrue(store().building("acct-10", "acme").isEmpty(), "a revision of complete data starts no build");
    }

    @Test
    void aBuildInProgressIsRevisedWithTheCompleteData() {
        store().save(data("acct-11", 30, true, true));
        OrganizationData building = data("acct-11", 30, false, false);
        store().save(building);
        store().revise("acct-11", "acme", d -> d.memberRemoved("user-1"));
        for (OrganizationData read : List.of(store().complete("acct-11", "acme", OrganizationData.Part.PROFILES).orElseThrow(),
                store().building("acct-11", "acme").orElseThrow())) {
            assertTrue(read.profile("user-1").isEmpty());
            assertTrue(read.teamsOf("user-1").isEmpty());
            assertEquals(29, read.profileCount());
        }
        assertEquals("Mg==", store().building("acct-11", "acme").orElseThrow().snapshot().profilesAfter(), "the build goes on where it stood");
    }

    @Test
    void nothingKeptIsNothingToRevise() {
        AtomicBoolean called = new AtomicBoolean();
        store().revise("acct-12", "acme", d -> called.set(true));
        assertTrue(store().complete("acct-12", "acme", OrganizationData.Part.PROFILES).isEmpty());
        assertTrue(!called.get());
    }

    @Test
    void twoWritersAtOnceBothKeepTheirRevision() {
        store().save(withTeams("acct-13", 80));
        OrganizationDataStore other = store(); // another process, for an adapter that has processes
        AtomicBoolean first = new AtomicBoolean(true);
        store().revise("acct-13", "acme", d -> {
            if (first.getAndSet(false)) {
                // Another writer revises between this writer's read and its write.
                other.revise("acct-13", "acme", o -> o.teamMemberSet("team-1", "user-70", TeamRole.MAINTAINER));
            }
            d.memberRemoved("user-4");
        });
        OrganizationData read = store().complete("acct-13", "acme", OrganizationData.Part.ROSTERS).orElseThrow();
        assertTrue(read.profile("user-4").isEmpty(), "this writer's revision");
        assertEquals(TeamRole.MAINTAINER, read.teamsOf("user-70").get(0).role(), "the other writer's revision");
        assertEquals(changed(changed(withTeams("acct-13", 80).snapshot(),
                o -> o.teamMemberSet("team-1", "user-70", TeamRole.MAINTAINER)), d -> d.memberRemoved("user-4")), read.snapshot());
    }

    @Test
    void aSaveAfterRevisionsKeepsWhatItSaves() {
        store().save(withTeams("acct-14", 80));
        Random random = new Random(14);
        for (int step = 0; step < 5; step++) {
            store().revise("acct-14", "acme", randomChange(random, step));
        }
        OrganizationData revised = store().complete("acct-14", "acme", OrganizationData.Part.PROFILES).orElseThrow();
        OrganizationData.Snapshot expected = changed(revised.snapshot(), d -> d.memberRemoved("user-7"));
        store().save(OrganizationData.restore(expected));
        assertEquals(expected, store().complete("acct-14", "acme", OrganizationData.Part.PROFILES).orElseThrow().snapshot());
        store().revise("acct-14", "acme", d -> d.memberRemoved("user-8"));
        assertEquals(changed(expected, d -> d.memberRemoved("user-8")),
                store().complete("acct-14", "acme", OrganizationData.Part.ROSTERS).orElseThrow().snapshot());
    }

    /** Data a sync run confirmed at {@code at}: the records of {@code records}, complete as of then. */
    protected static OrganizationData confirmedAt(OrganizationData.Snapshot records, Instant at) {
        return OrganizationData.confirmed(records.accountId(), records.organizationSlug(), at, records.profiles(), records.rosters());
    }

    /**
     * Last seen confirmed apart from the profiles (a sync's members seen: see {@link OrganizationData}) is kept as it
     * is, and served laid over them: the later of the two, where it is of the profile's membership (after it joined).
     */
    @Test
    void lastSeenConfirmedApartIsKeptAndServedOverTheProfiles() {
        OrganizationData.Snapshot records = withTeams("acct-16", 80).snapshot();
        store().saveConfirmed(confirmedAt(records, T0.plusSeconds(86_400)));
        Instant visit = T0.plusSeconds(80_000);
        Map<String, Instant> seen = new java.util.TreeMap<>();
        for (int i = 0; i < 80; i += 2) {
            seen.put("user-" + i, visit);
        }
        seen.put("user-1", T0.minusSeconds(86_400)); // before they joined (T0): an earlier membership's
        seen.put("user-5", T0.plusSeconds(1)); // a second after they joined, later than their own
        OrganizationData confirmed = OrganizationData.confirmed("acct-16", "acme", T0.plusSeconds(2 * 86_400), records.profiles(),
                records.rosters(), seen);
        store().saveConfirmed(confirmed);
        OrganizationData read = store().complete("acct-16", "acme", OrganizationData.Part.PROFILES).orElseThrow();
        assertEquals(confirmed.snapshot(), read.snapshot(), "kept as confirmed: the profiles as read, last seen apart");
        assertEquals(records.profiles(), read.snapshot().profiles());
        for (MemberProfile profile : read.profiles()) {
            int i = Integer.parseInt(profile.userUuid().substring("user-".length()));
            Instant own = records.profiles().get(i).lastSeenAt();
            Instant expected = i % 2 == 0 ? visit : i == 5 ? T0.plusSeconds(1) : own;
            assertEquals(expected, profile.lastSeenAt(), profile.userUuid());
            assertEquals(expected, read.profile(profile.userUuid()).orElseThrow().lastSeenAt(), profile.userUuid());
        }
        // A revision (a pass) keeps it.
        store().revise("acct-16", "acme", d -> d.memberRoleChanged("user-2", OrganizationRole.ADMIN));
        OrganizationData revised = store().complete("acct-16", "acme", OrganizationData.Part.PROFILES).orElseThrow();
        assertEquals(visit, revised.profile("user-2").orElseThrow().lastSeenAt());
        assertEquals(OrganizationRole.ADMIN, revised.profile("user-2").orElseThrow().role());
        assertEquals(seen, revised.snapshot().lastSeen());
    }

    @Test
    void aConfirmationIsWhatEveryReaderSeesAfterItChangedOrNot() {
        store().save(withTeams("acct-15", 80));
        OrganizationData.Snapshot records = withTeams("acct-15", 80).snapshot();
        OrganizationData.Snapshot expected = confirmedAt(records, T0.plusSeconds(86_400)).snapshot();
        store().saveConfirmed(OrganizationData.restore(expected));
        assertEquals(expected, store().complete("acct-15", "acme", OrganizationData.Part.PROFILES).orElseThrow().snapshot(),
                "nothing changed but the dates");
        store().saveConfirmed(OrganizationData.restore(expected));
        assertEquals(expected, store().complete("acct-15", "acme", OrganizationData.Part.ROSTERS).orElseThrow().snapshot(), "again");

        records = changed(records, d -> {
            d.memberRemoved("user-7");
            d.teamMemberSet("team-2", "user-8", TeamRole.MAINTAINER);
        });
        expected = confirmedAt(records, T0.plusSeconds(2 * 86_400)).snapshot();
        store().saveConfirmed(OrganizationData.restore(expected));
        assertEquals(expected, store().complete("acct-15", "acme", OrganizationData.Part.PROFILES).orElseThrow().snapshot(), "changed");
        store().revise("acct-15", "acme", d -> d.memberRemoved("user-9"));
        assertEquals(changed(expected, d -> d.memberRemoved("user-9")),
                store().complete("acct-15", "acme", OrganizationData.Part.ROSTERS).orElseThrow().snapshot(), "revised after");

        store().save(data("acct-16", 30, true, false));
        OrganizationData.Snapshot overBuild = confirmedAt(withTeams("acct-16", 40).snapshot(), T0.plusSeconds(86_400)).snapshot();
        store().saveConfirmed(OrganizationData.restore(overBuild));
        assertEquals(overBuild, store().complete("acct-16", "acme", OrganizationData.Part.ROSTERS).orElseThrow().snapshot(),
                "over a build in progress");
    }
}
