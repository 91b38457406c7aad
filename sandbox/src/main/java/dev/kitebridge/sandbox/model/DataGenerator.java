package dev.kitebridge.sandbox.model;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Builds a deterministic world from a {@link Population}: organizations, people (admins, bots,
 * machine users, people in several organizations, non-ASCII and single-word names), teams with
 * skewed sizes (some secret), pipelines, and invitations in every state.
 *
 * <p>The first user is the token owner: an admin of every organization, holding a token with every
 * scope this sandbox knows.
 */
public final class DataGenerator {

    /** Every scope the sandbox checks; the ready token carries them all. */
    public static final Set<String> ALL_SCOPES = Set.of(
            "read_user", "read_organizations", "write_organizations", "read_teams", "write_teams",
            "read_pipelines", "read_organization_invitations", "write_organization_invitations", "graphql");

    /**
     * The REST audit log's scope. The ready token does not carry it (a directory's token would not
     * need to); a test that reads the audit log over REST issues a token with it.
     */
    public static final String READ_AUDIT_EVENTS = "read_audit_events";

    private static final Instant EPOCH = Instant.parse("2019-01-01T00:00:00Z");
    private static final Instant LAST_SEEN_HORIZON = Instant.parse("2026-11-01T00:00:00Z");

    private static final String[] FIRST = {"Ada", "Grace", "Linus", "Margaret", "Alan", "Barbara", "Ken",
            "Frances", "Dennis", "Radia", "Edsger", "Hedy", "Donald", "Katherine", "Tim", "Annie", "Guido",
            "Sophie", "Bjarne", "Lynn", "James", "Mary", "Niklaus", "Jean", "Leslie", "Shafi", "Yukihiro", "Ruth"};
    private static final String[] LAST = {"Lovelace", "Hopper", "Torvalds", "Hamilton", "Turing", "Liskov",
            "Thompson", "Allen", "Ritchie", "Perlman", "Dijkstra", "Lamarr", "Knuth", "Johnson", "Berners-Lee",
            "Easley", "van Rossum", "Wilson", "Stroustrup", "Conway", "Gosling", "Keller", "Wirth", "Sammet",
            "Lamport", "Goldwasser", "Matsumoto", "Teitelbaum"};
    private static final String[] FIRST_NON_ASCII = {"José", "Zoë", "Søren", "Siobhán", "Łukasz", "Ángel",
            "Chloé", "Dvořák", "Ηλίας", "Мария", "Göran", "Ñuño"};
    private static final String[] LAST_NON_ASCII = {"Núñez", "Ó Súilleabháin", "Kierkegaard-Østergaard",
            "Wałęsa", "Müller", "Çelik", "Παπαδόπουλος", "Иванова", "Öberg", "François"};
    /** Names that cannot be split into first and last. */
    private static final String[] SINGLE_NAMES = {"Björk", "Prince", "山田太郎", "Cher", "Teller"};
    private static final String[] TEAM_WORDS = {"Platform", "Payments", "Mobile", "Data", "Security",
            "Infrastructure", "Growth", "Search", "Identity", "Billing", "Frontend", "Reliability", "Équipe Données",
            "Developer Experience", "Release", "Observability", "Compliance", "Machine Learning"};

    private final Population population;
    private final Random random;
    private final IdSource ids;
    private final World world;
    private int personCounter;

    private DataGenerator(Population population, World world) {
        this.population = population;
        this.random = new Random(population.seed());
        this.ids = world.ids();
        this.world = world;
    }

    /** What the generator made that callers need by name. */
    public record Result(UserAccount owner, ApiToken ownerToken) {}

    public static Result populate(World world, Population population) {
        return new DataGenerator(population, world).run();
    }

    private Result run() {
        UserAccount owner = new UserAccount(ids.uuid(), "Kite Owner", "owner@kitebridge.example",
                avatar(), EPOCH, false, false, true, true);
        world.addUser(owner);

        List<UserAccount> firstOrgPeople = new ArrayList<>();
        Set<String> slugs = new LinkedHashSet<>();
        for (int o = 0; o < population.organizations(); o++) {
            boolean legacy = o >= population.organizations() - population.legacyOrganizations();
            Organization org = new Organization(ids.uuid(), o == 0 ? "acme" : "acme-" + (o + 1),
                    o == 0 ? "Acme Inc" : "Acme " + (o + 1), at(EPOCH, 30 * o), true, !legacy, o % 2 == 1,
                    o < population.enterpriseOrganizations());
            world.addOrganization(org);
            slugs.add(org.slug());
            List<UserAccount> people = populateMembers(org, owner, o == 0 ? null : firstOrgPeople);
            if (o == 0) {
                firstOrgPeople.addAll(people);
            }
            List<Team> teams = populateTeams(org, owner);
            populateTeamMemberships(org, teams, people);
            populatePipelines(org, teams, owner);
            populateInvitations(org, teams, owner);
        }

        ApiToken token = new ApiToken(ids.uuid(), ids.apiToken(), owner.uuid(), ALL_SCOPES, slugs,
                "Kitebridge sandbox", EPOCH, null);
        world.addToken(token);
        return new Result(owner, token);
    }

    /** Members in join order: the owner first, then people; returns everyone but the owner. */
    private List<UserAccount> populateMembers(Organization org, UserAccount owner, List<UserAccount> shareFrom) {
        world.addMember(new Member(ids.uuid(), org.uuid(), owner.uuid(), Member.Role.ADMIN, Member.SsoMode.OPTIONAL,
                org.createdAt(), at(LAST_SEEN_HORIZON, -1), false));
        int others = population.membersPerOrganization() - 1;
        int shared = shareFrom == null ? 0 : (int) Math.min(shareFrom.size(), Math.round(others * population.sharedMemberShare()));
        List<UserAccount> people = new ArrayList<>(others);
        for (int i = 0; i < others; i++) {
            UserAccount person;
            if (i < shared) {
                person = shareFrom.get(i);
            } else if (i < shared + population.botsPerOrganization()) {
                person = newPerson(Kind.BOT);
            } else if (i < shared + population.botsPerOrganization() + population.machineUsersPerOrganization()) {
                person = newPerson(Kind.MACHINE);
            } else {
                person = newPerson(Kind.PERSON);
            }
            people.add(person);
            boolean admin = person.machineUser() ? false : random.nextDouble() < population.adminShare();
            Instant joined = at(org.createdAt(), random.nextInt(2000));
            Instant lastSeen = random.nextDouble() < 0.1 ? null
                    : LAST_SEEN_HORIZON.minus(Duration.ofMinutes(random.nextInt(60 * 24 * 365)));
            world.addMember(new Member(ids.uuid(), org.uuid(), person.uuid(),
                    admin ? Member.Role.ADMIN : Member.Role.MEMBER,
                    random.nextDouble() < 0.7 ? Member.SsoMode.REQUIRED : Member.SsoMode.OPTIONAL,
                    joined, lastSeen, person.bot()));
        }
        return people;
    }

    private enum Kind { PERSON, BOT, MACHINE }

    private UserAccount newPerson(Kind kind) {
        int n = ++personCounter;
        String name;
        String email;
        switch (kind) {
            case BOT -> {
                name = "Buildkite Bot " + n;
                email = "bot-" + n + "@bots.buildkite.example";
            }
            case MACHINE -> {
                name = "deploy-robot-" + n;
                email = "machine-" + n + "@kitebridge.example";
            }
            default -> {
                double pick = random.nextDouble();
                if (pick < 0.02) {
                    name = SINGLE_NAMES[random.nextInt(SINGLE_NAMES.length)];
                } else if (pick < 0.02 + population.nonAsciiShare()) {
                    name = FIRST_NON_ASCII[random.nextInt(FIRST_NON_ASCII.length)] + " "
                            + LAST_NON_ASCII[random.nextInt(LAST_NON_ASCII.length)];
                } else {
                    name = FIRST[random.nextInt(FIRST.length)] + " " + LAST[random.nextInt(LAST.length)];
                }
                email = "person-" + n + "@kitebridge.example";
            }
        }
        UserAccount user = new UserAccount(ids.uuid(), name, email, avatar(), at(EPOCH, random.nextInt(2500)),
                kind == Kind.BOT, kind == Kind.MACHINE, kind == Kind.PERSON && random.nextDouble() < 0.6,
                kind != Kind.BOT);
        world.addUser(user);
        return user;
    }

    private List<Team> populateTeams(Organization org, UserAccount owner) {
        List<Team> teams = new ArrayList<>();
        for (int t = 0; t < population.teamsPerOrganization(); t++) {
            String word = TEAM_WORDS[t % TEAM_WORDS.length];
            String name = t < TEAM_WORDS.length ? word : word + " " + (t / TEAM_WORDS.length + 1);
            boolean secret = random.nextDouble() < population.secretTeamShare();
            Team team = new Team(ids.uuid(), org.uuid(), name, World.slugOf(name), "The " + name + " team",
                    secret ? Team.Privacy.SECRET : Team.Privacy.VISIBLE, t == 0,
                    random.nextDouble() < 0.1 ? TeamMember.Role.MAINTAINER : TeamMember.Role.MEMBER,
                    new Team.Permissions(random.nextBoolean(), true, true, false, random.nextDouble() < 0.1),
                    at(org.createdAt(), 1 + t), owner.uuid());
            world.addTeam(team);
            teams.add(team);
        }
        return teams;
    }

    /** Each person joins about {@code teamsPerMember} teams, drawn with a skew so that team sizes vary. */
    private void populateTeamMemberships(Organization org, List<Team> teams, List<UserAccount> people) {
        if (teams.isEmpty()) {
            return;
        }
        double[] cumulative = new double[teams.size()];
        double sum = 0;
        for (int t = 0; t < teams.size(); t++) {
            sum += 1.0 / Math.pow(t + 1, 0.6);
            cumulative[t] = sum;
        }
        int maxPerPerson = Math.min(teams.size(), (int) Math.ceil(population.teamsPerMember() * 2));
        for (UserAccount person : people) {
            int count = (int) Math.round(random.nextDouble() * maxPerPerson);
            Set<Integer> chosen = new LinkedHashSet<>();
            for (int attempt = 0; chosen.size() < count && attempt < count * 4; attempt++) {
                double x = random.nextDouble() * sum;
                int index = 0;
                while (cumulative[index] < x) {
                    index++;
                }
                chosen.add(index);
            }
            for (int index : chosen) {
                Team team = teams.get(index);
                TeamMember.Role role = random.nextDouble() < 0.1 ? TeamMember.Role.MAINTAINER : team.defaultMemberRole();
                world.addTeamMember(org.uuid(), new TeamMember(ids.uuid(), team.uuid(), person.uuid(), role,
                        at(team.createdAt(), 1 + random.nextInt(1000))));
            }
        }
    }

    private void populatePipelines(Organization org, List<Team> teams, UserAccount owner) {
        int count = Math.max(3, teams.size() * 2);
        List<Pipeline> pipelines = new ArrayList<>(count);
        for (int p = 0; p < count; p++) {
            String name = "service-" + (p + 1);
            Pipeline pipeline = new Pipeline(ids.uuid(), org.uuid(), name, name,
                    "git@github.com:" + org.slug() + "/" + name + ".git", "main", at(org.createdAt(), 2 + p),
                    owner.uuid());
            world.addPipeline(pipeline);
            pipelines.add(pipeline);
        }
        TeamPipeline.AccessLevel[] levels = TeamPipeline.AccessLevel.values();
        for (Team team : teams) {
            int reach = 1 + random.nextInt(4);
            Set<Integer> chosen = new LinkedHashSet<>();
            while (chosen.size() < reach) {
                chosen.add(random.nextInt(pipelines.size()));
            }
            for (int index : chosen) {
                world.addTeamPipeline(org.uuid(), new TeamPipeline(ids.uuid(), team.uuid(), pipelines.get(index).uuid(),
                        levels[random.nextInt(levels.length)], at(team.createdAt(), 1)));
            }
        }
    }

    private void populateInvitations(Organization org, List<Team> teams, UserAccount owner) {
        int pending = population.pendingInvitationsPerOrganization();
        for (int i = 0; i < pending + 2; i++) {
            List<Invitation.InvitedTeam> invitedTeams = teams.isEmpty() || random.nextBoolean() ? List.of()
                    : List.of(new Invitation.InvitedTeam(teams.get(random.nextInt(teams.size())).uuid(), TeamMember.Role.MEMBER));
            Instant created = at(LAST_SEEN_HORIZON, -(i + 1));
            Invitation invitation = new Invitation(ids.uuid(), org.uuid(),
                    "invitee-" + org.slug() + "-" + (i + 1) + "@newcomers.example", Invitation.State.PENDING,
                    random.nextDouble() < 0.1 ? Member.Role.ADMIN : Member.Role.MEMBER,
                    Member.SsoMode.REQUIRED, invitedTeams, created, owner.uuid(), null, null, null, null, null);
            // Two more than asked for: one revoked and one expired, which REST does not list.
            if (i == pending) {
                invitation = invitation.revoked(created.plus(Duration.ofHours(1)), owner.uuid());
            } else if (i == pending + 1) {
                invitation = new Invitation(invitation.uuid(), org.uuid(), invitation.email(), Invitation.State.EXPIRED,
                        invitation.role(), invitation.ssoMode(), invitedTeams, created, owner.uuid(),
                        null, null, null, null, created.plus(Duration.ofDays(30)));
            }
            world.addInvitation(invitation);
        }
    }

    private String avatar() {
        return "https://www.gravatar.com/avatar/" + ids.hex(32);
    }

    private static Instant at(Instant base, int days) {
        return base.plus(Duration.ofDays(days)).plusMillis(Math.floorMod(days * 7919L, 1000));
    }
}
