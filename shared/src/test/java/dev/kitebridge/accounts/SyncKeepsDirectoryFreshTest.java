package dev.kitebridge.accounts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.kitebridge.contract.ApiJson;
import dev.kitebridge.sync.SyncCadence;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.journal.JournalEntry;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Member;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.Population;
import dev.kitebridge.sandbox.model.Team;
import dev.kitebridge.sandbox.model.TeamFields;
import dev.kitebridge.sandbox.model.TeamMember;

/**
 * Issue 12, point 2 (first slice): once a sync run has published, {@code /users} and {@code /groups}
 * show its changes at once, from the data the run kept for the directory, not from Buildkite read
 * again; and every record they answer is the {@code data} of its last published event. Here on one
 * scripted sequence: the directory reads, a first run, then changes made on Buildkite's side (a
 * member moved between teams, a team renamed, a role changed, a member gone) and a second run.
 */
class SyncKeepsDirectoryFreshTest {

    /** Routes a read may still call after a run kept its data: the live pages (members, teams) and invitations (GraphQL, live). */
    private static final Set<String> LIVE_ROUTES = Set.of("GET /v2/organizations/{org}/members", "GET /v2/organizations/{org}/teams",
            "POST /graphql", "GET /v2/organizations");

    @Test
    void afterARunPublishesEveryReadShowsItsChangesAsItsEventsSayThem() throws Exception {
        try (AppFixture fixture = AppFixture.inMemory(sandbox())) {
            check(fixture);
        }
    }

    /** The same on DynamoDB, where the kept data is written in chunks behind pointers. */
    @Test
    void theSameOnAws() throws Exception {
        try (AppFixture fixture = AppFixture.onAws(sandbox())) {
            check(fixture);
        }
    }

    private static Sandbox sandbox() {
        return Sandbox.builder().population(Population.of(40, 4).withOrganizations(1, 0))
                .limits(RateLimits.BUILDKITE.withRest(10_000, 10_000)).start();
    }

    private static void check(AppFixture fixture) throws Exception {
        Sandbox sandbox = fixture.sandbox;
        Organization org = sandbox.world().organizations().get(0);
        String account = fixture.link("tenant-a", sandbox.token());

        // The directory reads the organization once, and keeps it; a first run publishes everything.
        List<JsonNode> before = list(fixture, account, "users");
        assertFalse(before.isEmpty());
        list(fixture, account, "groups");
        List<String> first = fixture.sync("tenant-a", account);

        // Changes made on Buildkite's side, which the directory's kept data does not know of.
        String actor = sandbox.owner().uuid();
        List<Team> teams = sandbox.world().teams(org.uuid());
        Team from = teams.get(0);
        Team to = teams.get(1);
        Team renamed = teams.get(2);
        TeamMember moving = sandbox.world().teamMembers(org.uuid(), from.uuid()).stream()
                .filter(m -> !m.userUuid().equals(actor) && sandbox.world().teamMember(org.uuid(), to.uuid(), m.userUuid()).isEmpty())
                .findFirst().orElseThrow();
        sandbox.world().removeTeamMember(org, actor, from.uuid(), moving.userUuid());
        sandbox.world().addTeamMember(org, actor, to.uuid(), moving.userUuid(), TeamMember.Role.MAINTAINER);
        sandbox.world().updateTeam(org, actor, renamed.uuid(),
                new TeamFields("Renamed " + renamed.name(), null, null, null, null, null, null, null, null, null));
        List<Member> others = sandbox.world().members(org.uuid()).stream()
                .filter(m -> !m.userUuid().equals(actor) && !m.userUuid().equals(moving.userUuid())).toList();
        Member promoted = others.stream().filter(m -> m.role() == Member.Role.MEMBER).findFirst().orElseThrow();
        sandbox.world().updateMember(org, actor, promoted.userUuid(), Member.Role.ADMIN, null);
        Member leaving = others.stream().filter(m -> m.role() == Member.Role.MEMBER && !m.userUuid().equals(promoted.userUuid())
                && !sandbox.world().teamMembershipsOf(org.uuid(), m.userUuid()).isEmpty()).findFirst().orElseThrow();
        sandbox.world().removeMember(org, actor, leaving.userUuid());
        // Buildkite saw a member who changed nothing else: the one field no event is published for.
        Member visitor = others.stream().filter(m -> !m.userUuid().equals(promoted.userUuid()) && !m.userUuid().equals(leaving.userUuid())
                && sandbox.world().teamMembershipsOf(org.uuid(), m.userUuid()).stream().noneMatch(t -> t.teamUuid().equals(renamed.uuid())))
                .findFirst().orElseThrow();
        java.time.Instant visited = java.time.Instant.parse("2031-05-06T07:08:09Z");
        sandbox.world().memberSeen(org, visitor.userUuid(), visited);

        List<String> answers = fixture.sync("tenant-a", account);
        assertEquals("completed", ApiJson.MAPPER.readTree(answers.get(1)).get("status").asText(), answers.get(1));
        Map<String, JsonNode> published = lastPublished(answers);

        long seen = sandbox.journal().entries().size();
        List<JsonNode> users = list(fixture, account, "users");
        List<JsonNode> groups = list(fixture, account, "groups");
        List<JournalEntry> calls = sandbox.journal().entries().subList((int) seen, sandbox.journal().entries().size());
        Set<String> routes = new TreeSet<>();
        calls.forEach(c -> routes.add(c.route()));
        assertTrue(LIVE_ROUTES.containsAll(routes), "only live pages are read, nothing the run kept: " + routes);
        assertTrue(calls.stream().filter(JournalEntry::isGraphql).count() <= 1, "GraphQL only for the invitations page");

        // The changes show at once, users' team names with the groups'.
        JsonNode movedUser = byId(users, moving.userUuid());
        Set<String> movedGroups = new TreeSet<>();
        movedUser.get("groups").forEach(g -> movedGroups.add(g.get("id").asText()));
        assertTrue(movedGroups.contains(to.uuid()) && !movedGroups.contains(from.uuid()), movedUser.toString());
        assertEquals("Renamed " + renamed.name(), byId(groups, renamed.uuid()).get("name").asText());
        for (JsonNode user : users) {
            user.get("groups").forEach(g -> {
                if (g.get("id").asText().equals(renamed.uuid())) {
                    assertEquals("Renamed " + renamed.name(), g.get("name").asText(), "a user's group named as /groups names it");
                }
            });
        }
        assertTrue(byId(users, promoted.userUuid()).toString().contains("organization:admin"));
        assertTrue(users.stream().noneMatch(u -> u.get("id").asText().equals(leaving.userUuid())));
        assertEquals(sandbox.world().teamMembers(org.uuid(), to.uuid()).size(), byId(groups, to.uuid()).get("members_count").asInt());

        // last_active_at, not compared: the directory serves it as the run read it, while the visitor's last event is older.
        assertEquals(visited, java.time.Instant.parse(byId(users, visitor.userUuid()).get("last_active_at").asText()));
        assertNotEquals(visited.toString(), published.get(visitor.userUuid()).path("last_active_at").asText());
        assertEquals(eventsAbout(first, visitor.userUuid()), eventsAbout(answers, visitor.userUuid()), "no event for a last seen alone");

        assertDirectoryIsWhatWasPublished(users, groups, published);
        assertNotEquals(before.size(), users.size(), "a member left");
    }

    /**
     * Members seen between two full runs (the second in place, which keeps last seen beside the
     * profiles rather than rewrite them) show their visit through {@code /users}, and the dormant
     * filter ({@code last_active_before}, how access reviews find dormant accounts) leaves them out.
     */
    @Test
    void membersSeenBetweenTwoRunsShowThroughUsersAndTheDormantFilter() throws Exception {
        try (AppFixture fixture = AppFixture.inMemory(sandbox())) {
            seenBetweenRuns(fixture);
        }
    }

    /** The same on DynamoDB: the packed last seen as binary attributes. */
    @Test
    void membersSeenBetweenTwoRunsShowThroughUsersAndTheDormantFilterOnAws() throws Exception {
        try (AppFixture fixture = AppFixture.onAws(sandbox())) {
            seenBetweenRuns(fixture);
        }
    }

    private static void seenBetweenRuns(AppFixture fixture) throws Exception {
        Sandbox sandbox = fixture.sandbox;
        Organization org = sandbox.world().organizations().get(0);
        String account = fixture.link("tenant-a", sandbox.token());
        fixture.sync("tenant-a", account);
        java.time.Instant visited = java.time.Instant.parse("2031-05-06T07:08:09.123Z");
        List<Member> members = sandbox.world().members(org.uuid());
        Set<String> visitors = new TreeSet<>();
        for (int i = 0; i < members.size(); i += 2) {
            sandbox.world().memberSeen(org, members.get(i).userUuid(), visited);
            visitors.add(members.get(i).userUuid());
        }
        List<String> answers = fixture.sync("tenant-a", account);
        assertEquals("completed", ApiJson.MAPPER.readTree(answers.get(1)).get("status").asText(), answers.get(1));

        int answered = 0;
        for (JsonNode user : list(fixture, account, "users")) {
            String id = user.get("id").asText();
            Member member = sandbox.world().member(org.uuid(), id).orElse(null);
            if (member == null) {
                continue; // an invitation
            }
            answered++;
            String expected = member.lastSeenAt() == null ? "null"
                    : member.lastSeenAt().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString();
            assertEquals(expected, user.get("last_active_at").isNull() ? "null"
                    : java.time.Instant.parse(user.get("last_active_at").asText()).toString(), "user " + id);
        }
        assertEquals(members.size(), answered);
        java.time.Instant cutoff = visited.minus(Duration.ofDays(1));
        Set<String> dormant = new TreeSet<>();
        list(fixture, account, "users", Map.of("last_active_before", cutoff.toString())).stream()
                .filter(u -> sandbox.world().member(org.uuid(), u.get("id").asText()).isPresent()).forEach(u -> dormant.add(u.get("id").asText()));
        Set<String> expected = new TreeSet<>();
        sandbox.world().members(org.uuid()).stream().filter(m -> m.lastSeenAt() == null || m.lastSeenAt().isBefore(cutoff))
                .forEach(m -> expected.add(m.userUuid()));
        assertEquals(expected, dormant);
        assertTrue(dormant.stream().noneMatch(visitors::contains) && !dormant.isEmpty(), dormant.toString());
    }

    /**
     * Every record answered is the data of its last published event, field by field (the issue's
     * property): a team's members_count and users' team names included, with no allowance.
     */
    private static void assertDirectoryIsWhatWasPublished(List<JsonNode> users, List<JsonNode> groups, Map<String, JsonNode> published) {
        List<JsonNode> records = new ArrayList<>(users);
        records.addAll(groups);
        Map<String, JsonNode> answered = new TreeMap<>();
        for (JsonNode record : records) {
            answered.put(record.get("id").asText(), comparable(record));
        }
        Map<String, JsonNode> expected = new TreeMap<>();
        published.forEach((id, data) -> {
            if (data != null) {
                expected.put(id, comparable(data));
            }
        });
        assertEquals(expected.keySet(), answered.keySet(), "the records answered are those published, no more, no fewer");
        for (String id : answered.keySet()) {
            assertEquals(expected.get(id), answered.get(id), "record " + id);
        }
    }

    /**
     * The property over random sequences: rounds of random changes on Buildkite's side (team moves,
     * joins and leaves of teams, team roles, renames, promotions and demotions, members leaving),
     * each followed by a run; after each run's publication, the directory answers what was published.
     */
    @Test
    void afterEveryRunOfARandomSequenceTheDirectoryIsWhatWasPublished() throws Exception {
        for (long seed : new long[] {1, 2, 3}) {
            try (AppFixture fixture = AppFixture.inMemory(sandbox())) {
                Sandbox sandbox = fixture.sandbox;
                Organization org = sandbox.world().organizations().get(0);
                String account = fixture.link("tenant-a", sandbox.token());
                list(fixture, account, "users");
                list(fixture, account, "groups");
                java.util.Random random = new java.util.Random(seed);
                List<String> log = new ArrayList<>();
                for (int round = 0; round < 4; round++) {
                    for (int change = random.nextInt(5); change > 0; change--) {
                        log.add(randomChange(sandbox, org, random));
                    }
                    List<String> answers = fixture.sync("tenant-a", account);
                    assertEquals("completed", ApiJson.MAPPER.readTree(answers.get(1)).get("status").asText(), answers.get(1));
                    try {
                        assertDirectoryIsWhatWasPublished(list(fixture, account, "users"), list(fixture, account, "groups"),
                                lastPublished(answers));
                    } catch (AssertionError e) {
                        throw new AssertionError("seed " + seed + ", round " + round + ", after " + log + ": " + e.getMessage(), e);
                    }
                }
            }
        }
    }

    /**
     * The same property where the schedule drives the syncs: after a first full run, each round's
     * random changes are found by the next poll of audit events (Enterprise: several changes a
     * round) or by the next look at Buildkite's counts (without audit events: one change a round,
     * for counts cannot tell a promotion and a demotion in one interval apart), and published by a
     * pass of changes; after every pass, the directory is what was published.
     */
    @Test
    void afterEveryPassTheScheduleStartsTheDirectoryIsWhatWasPublished() throws Exception {
        SyncCadence eager = new SyncCadence(Duration.ofNanos(1), Duration.ofDays(1), Duration.ofNanos(1), Duration.ofDays(1),
                Duration.ofDays(1));
        for (boolean audit : new boolean[] {true, false}) {
            for (long seed : new long[] {1, 2}) {
                Population population = Population.of(40, 4).withOrganizations(1, 0);
                Sandbox sandbox = Sandbox.builder().population(audit ? population.withEnterprise(1) : population)
                        .limits(RateLimits.BUILDKITE.withRest(10_000, 10_000)).start();
                try (AppFixture fixture = AppFixture.inMemory(sandbox, eager)) {
                    Organization org = sandbox.world().organizations().get(0);
                    String account = fixture.link("tenant-a", sandbox.token());
                    list(fixture, account, "users");
                    List<String> answers = fixture.tick("tenant-a", account);
                    assertEquals("completed", ApiJson.MAPPER.readTree(answers.get(1)).get("status").asText(), "the first run");
                    java.util.Random random = new java.util.Random(seed);
                    List<String> log = new ArrayList<>();
                    int passes = 0;
                    for (int round = 0; round < 5; round++) {
                        for (int change = audit ? 1 + random.nextInt(3) : 1; change > 0; change--) {
                            log.add(randomChange(sandbox, org, random));
                        }
                        // A poll (the first finds no audit events without Enterprise), then what it or a look starts.
                        for (int tick = 0; tick < 3; tick++) {
                            List<String> ran = fixture.tick("tenant-a", account);
                            if (!ran.isEmpty()) {
                                assertEquals("completed", ApiJson.MAPPER.readTree(ran.get(1)).get("status").asText(), ran.get(1));
                                passes += ApiJson.MAPPER.readTree(ran.get(1)).get("kind").asText().equals("changes") ? 1 : 0;
                                answers = ran;
                            }
                        }
                        try {
                            assertDirectoryIsWhatWasPublished(list(fixture, account, "users"), list(fixture, account, "groups"),
                                    lastPublished(answers));
                        } catch (AssertionError e) {
                            throw new AssertionError((audit ? "audit events" : "counts") + ", seed " + seed + ", round " + round
                                    + ", after " + log + ": " + e.getMessage(), e);
                        }
                    }
                    assertTrue(passes > 0, "the changes were published by passes of changes");
                }
            }
        }
    }

    /** One random change made on Buildkite's side, as someone in its UI would; what it was, for the failure message. */
    private static String randomChange(Sandbox sandbox, Organization org, java.util.Random random) {
        var world = sandbox.world();
        String actor = sandbox.owner().uuid();
        List<Member> members = world.members(org.uuid()).stream().filter(m -> !m.userUuid().equals(actor)).toList();
        List<Team> teams = world.teams(org.uuid());
        Member member = members.get(random.nextInt(members.size()));
        Team team = teams.get(random.nextInt(teams.size()));
        boolean inTeam = world.teamMember(org.uuid(), team.uuid(), member.userUuid()).isPresent();
        switch (random.nextInt(6)) {
            case 0 -> {
                if (inTeam) {
                    world.removeTeamMember(org, actor, team.uuid(), member.userUuid());
                    return "left team " + team.name();
                }
                world.addTeamMember(org, actor, team.uuid(), member.userUuid(), TeamMember.Role.MEMBER);
                return "joined team " + team.name();
            }
            case 1 -> {
                if (!inTeam) {
                    return "nothing";
                }
                TeamMember.Role role = world.teamMember(org.uuid(), team.uuid(), member.userUuid()).orElseThrow().role();
                world.updateTeamMember(org, actor, team.uuid(), member.userUuid(),
                        role == TeamMember.Role.MEMBER ? TeamMember.Role.MAINTAINER : TeamMember.Role.MEMBER);
                return "team role changed in " + team.name();
            }
            case 2 -> {
                String name = team.name() + " " + random.nextInt(1000);
                world.updateTeam(org, actor, team.uuid(), new TeamFields(name, null, null, null, null, null, null, null, null, null));
                return "team renamed " + name;
            }
            case 3 -> {
                world.updateMember(org, actor, member.userUuid(),
                        member.role() == Member.Role.MEMBER ? Member.Role.ADMIN : Member.Role.MEMBER, null);
                return "role changed";
            }
            case 4 -> {
                if (members.size() < 10) {
                    return "nothing";
                }
                world.removeMember(org, actor, member.userUuid());
                return "member left";
            }
            default -> {
                List<Team> others = teams.stream().filter(t -> !t.uuid().equals(team.uuid())
                        && world.teamMember(org.uuid(), t.uuid(), member.userUuid()).isEmpty()).toList();
                if (!inTeam || others.isEmpty()) {
                    return "nothing";
                }
                Team to = others.get(random.nextInt(others.size()));
                world.removeTeamMember(org, actor, team.uuid(), member.userUuid());
                world.addTeamMember(org, actor, to.uuid(), member.userUuid(), TeamMember.Role.MAINTAINER);
                return "moved from " + team.name() + " to " + to.name();
            }
        }
    }

    /** Every page of a list, without remote data. */
    private static List<JsonNode> list(AppFixture fixture, String account, String resource) {
        return list(fixture, account, resource, Map.of());
    }

    /** Every page of a list, without remote data, with these filters. */
    private static List<JsonNode> list(AppFixture fixture, String account, String resource, Map<String, String> filters) {
        List<JsonNode> records = new ArrayList<>();
        String cursor = null;
        do {
            Map<String, String> query = new HashMap<>(Map.of("integrated_account_id", account, "limit", "500",
                    "include_remote_data", "false"));
            query.putAll(filters);
            if (cursor != null) {
                query.put("next_cursor", cursor);
            }
            AppFixture.Answer page = fixture.directory("tenant-a", resource, null, query);
            assertEquals(200, page.status(), page.raw());
            page.body().get("result").forEach(records::add);
            cursor = page.body().path("next_cursor").asText(null);
        } while (cursor != null);
        return records;
    }

    /** Each record's last published event's data by record id (null for a record deleted last), over every run's events. */
    private static Map<String, JsonNode> lastPublished(List<String> answers) throws Exception {
        Map<String, JsonNode> last = new HashMap<>();
        for (String answer : answers) {
            JsonNode events = ApiJson.MAPPER.readTree(answer).get("result");
            if (events == null || !events.isArray()) {
                continue;
            }
            for (JsonNode event : events) {
                String type = event.get("event").asText();
                if (!type.startsWith("user.") && !type.startsWith("group.") || type.startsWith("group.user_")) {
                    continue;
                }
                JsonNode data = event.get("data");
                assertNotNull(data.get("id"), event.toString());
                last.put(data.get("id").asText(), type.endsWith(".deleted") ? null : data);
            }
        }
        return last;
    }

    /** The events of these answers about the user (by record id or membership), by id. */
    private static List<String> eventsAbout(List<String> answers, String userId) throws Exception {
        List<String> about = new ArrayList<>();
        for (String answer : answers.subList(2, answers.size())) {
            for (JsonNode event : ApiJson.MAPPER.readTree(answer).get("result")) {
                if (event.get("data").path("id").asText().equals(userId) || event.get("data").path("user_id").asText().equals(userId)) {
                    about.add(event.get("id").asText());
                }
            }
        }
        return about;
    }

    private static JsonNode byId(List<JsonNode> records, String id) {
        return records.stream().filter(r -> r.get("id").asText().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no record " + id));
    }

    /**
     * A record without its remote data (events carry none) and without {@code last_active_at}, the one
     * field the README names as not compared: Buildkite's last seen moves with every visit, and a run
     * publishes no event for it alone, while the directory serves it as last read.
     */
    private static JsonNode comparable(JsonNode record) {
        ObjectNode copy = record.deepCopy();
        copy.remove("remote_data");
        copy.remove("last_active_at");
        return copy;
    }
}
