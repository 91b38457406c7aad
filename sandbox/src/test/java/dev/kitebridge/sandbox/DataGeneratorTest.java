package dev.kitebridge.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import dev.kitebridge.sandbox.model.DataGenerator;
import dev.kitebridge.sandbox.model.IdSource;
import dev.kitebridge.sandbox.model.Invitation;
import dev.kitebridge.sandbox.model.Member;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.Population;
import dev.kitebridge.sandbox.model.Team;
import dev.kitebridge.sandbox.model.UserAccount;
import dev.kitebridge.sandbox.model.World;

class DataGeneratorTest {

    private static final Population THREE_ORGS = Population.of(500, 30).withOrganizations(3, 1);

    private static World build(Population population) {
        World world = new World(new IdSource(population.seed()), java.time.Instant::now);
        DataGenerator.populate(world, population);
        return world;
    }

    @Test
    void oneSeedAlwaysBuildsTheSameWorld() {
        World first = build(THREE_ORGS);
        World second = build(THREE_ORGS);
        assertEquals(first.users(), second.users());
        for (Organization org : first.organizations()) {
            assertEquals(first.members(org.uuid()), second.members(org.uuid()));
            assertEquals(first.teams(org.uuid()), second.teams(org.uuid()));
            assertEquals(first.invitations(org.uuid()), second.invitations(org.uuid()));
        }
        World other = build(THREE_ORGS.withSeed(7));
        assertTrue(!first.users().equals(other.users()), "another seed builds another world");
    }

    @Test
    void everyOrganizationHasExactlyTheAskedSizeAndTheOwnerAsAdmin() {
        World world = build(THREE_ORGS);
        UserAccount owner = world.users().get(0);
        for (Organization org : world.organizations()) {
            assertEquals(500, world.members(org.uuid()).size());
            assertEquals(30, world.teams(org.uuid()).size());
            assertTrue(world.isAdmin(org.uuid(), owner.uuid()));
        }
    }

    @Test
    void theWorldHoldsTheCasesADirectoryMustHandle() {
        World world = build(THREE_ORGS);
        List<Organization> orgs = world.organizations();
        Organization first = orgs.get(0);
        List<UserAccount> people = world.members(first.uuid()).stream()
                .map(m -> world.requireUser(m.userUuid())).toList();

        assertTrue(people.stream().anyMatch(UserAccount::bot), "bots");
        assertTrue(people.stream().anyMatch(UserAccount::machineUser), "machine users");
        assertTrue(people.stream().anyMatch(u -> !u.name().chars().allMatch(c -> c < 128)), "non-ASCII names");
        assertTrue(people.stream().anyMatch(u -> !u.name().contains(" ")), "names that cannot be split");
        assertTrue(world.members(first.uuid()).stream().filter(m -> m.role() == Member.Role.ADMIN).count() > 1, "several admins");
        assertTrue(world.members(first.uuid()).stream().anyMatch(m -> m.lastSeenAt() == null), "members never seen");
        assertTrue(world.teams(first.uuid()).stream().anyMatch(t -> t.privacy() == Team.Privacy.SECRET), "secret teams");
        assertTrue(world.invitations(first.uuid()).stream().anyMatch(i -> i.state() == Invitation.State.PENDING), "pending invitations");
        assertTrue(world.invitations(first.uuid()).stream().anyMatch(i -> i.state() != Invitation.State.PENDING), "closed invitations");

        Set<String> inFirst = world.members(first.uuid()).stream().map(Member::userUuid).collect(Collectors.toSet());
        long shared = world.members(orgs.get(1).uuid()).stream().map(Member::userUuid).filter(inFirst::contains).count();
        assertTrue(shared > 50, "people in several organizations: " + shared);

        assertTrue(orgs.get(0).memberFields2026() && !orgs.get(2).memberFields2026(),
                "the last organization answers members without the 2026 fields");

        int memberships = world.teams(first.uuid()).stream().mapToInt(t -> world.teamMemberCount(first.uuid(), t.uuid())).sum();
        assertTrue(memberships > 500 * 2 && memberships < 500 * 4, "about three teams per member: " + memberships);
    }
}
