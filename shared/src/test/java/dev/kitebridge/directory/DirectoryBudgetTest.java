package dev.kitebridge.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.kitebridge.VirtualTime;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.faults.FaultPlan;
import dev.kitebridge.sandbox.journal.JournalEntry;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Population;

/**
 * Under Buildkite's real budgets (on a virtual clock), a walk of an organization whose
 * data takes more than one request to read: pages answer 429 with Retry-After while it is read,
 * Buildkite never answers 429, and a second walk costs only the live pages.
 */
class DirectoryBudgetTest {

    /** The directory's and the sandbox's clock: it moves only when a lane or the walk waits. */
    private final VirtualTime time = new VirtualTime();

    @Test
    void aColdWalkWaitsOnKitebridgeNotOnBuildkiteAndAWarmWalkCostsOnlyItsPages() {
        try (Sandbox sandbox = time.sandbox().population(Population.of(1_500, 20).withPendingInvitations(5))
                .limits(RateLimits.BUILDKITE).start()) {
            DirectoryFixture directory = new DirectoryFixture(sandbox, time);
            int[] refused = {0};
            directory.walkListener = answer -> refused[0] += answer.status() == 429 ? 1 : 0;

            assertEquals(1_505, directory.walk("users", Map.of("limit", "100")).size());
            assertTrue(refused[0] > 0, "1,500 profiles at 4 points are more than one 5,000-point window: the first page waits");
            assertEquals(0, sandbox.journal().rateLimited(), "Buildkite never had to refuse");

            sandbox.journal().clear();
            refused[0] = 0;
            assertEquals(1_505, directory.walk("users", Map.of("limit", "100")).size());
            assertEquals(0, refused[0]);
            assertEquals(15, sandbox.journal().calls("GET /v2/organizations/{org}/members"), "one REST request per page of members");
            assertEquals(0, sandbox.journal().calls("GET /v2/organizations"), "the organizations were read minutes ago");
            assertEquals(1, sandbox.journal().count(JournalEntry::isGraphql), "the pending invitations, in one query");
            assertEquals(16, sandbox.journal().entries().size(), "nothing else");
        }
    }

    @Test
    void aFilterThatMatchesNobodyStillWalksToTheEnd() {
        try (Sandbox sandbox = time.sandbox().population(Population.of(3_000, 10))
                .limits(RateLimits.BUILDKITE.withRest(200, 20)).start()) {
            DirectoryFixture directory = new DirectoryFixture(sandbox, time);
            assertEquals(0, directory.walk("users", Map.of("email", "nobody@nowhere.example")).size());
            assertEquals(0, sandbox.journal().rateLimited());
            // Each member page is read once: pages that found nobody still moved the cursor on.
            assertEquals(30, sandbox.journal().calls("GET /v2/organizations/{org}/members") - 1, "30 pages and the probe");
        }
    }

    @Test
    void aFailingLaneLeavesTheOtherLanesDataWhole() {
        try (Sandbox sandbox = time.sandbox().population(Population.of(600, 40))
                .limits(RateLimits.BUILDKITE.withRest(100_000, 100_000).withGraphql(1_000_000, 1_000_000)).start()) {
            DirectoryFixture directory = new DirectoryFixture(sandbox, time);
            sandbox.faults().set("POST /graphql", FaultPlan.serverErrors(1));
            for (int i = 0; i < 4; i++) {
                assertEquals(502, directory.get("users", null, Map.of()).status(), "GraphQL keeps failing");
            }
            sandbox.faults().clear();
            for (com.fasterxml.jackson.databind.JsonNode group : directory.walk("groups", Map.of())) {
                String org = group.get("organization").asText();
                assertEquals(sandbox.world().teamMembers(org, group.get("id").asText()).size(), group.get("members_count").asInt(),
                        group.get("name").asText());
            }
        }
    }

    @Test
    void maxAgeZeroReadsTheDataAgain() {
        try (Sandbox sandbox = time.sandbox().population(Population.of(200, 8))
                .limits(RateLimits.BUILDKITE.withRest(100_000, 100_000)).start()) {
            DirectoryFixture directory = new DirectoryFixture(sandbox, time);
            directory.walk("groups", Map.of());
            sandbox.journal().clear();
            directory.walk("groups", Map.of());
            assertEquals(0, sandbox.journal().calls("GET /v2/organizations/{org}/teams/{team}/members"), "fresh: served as it is");
            time.advance(java.time.Duration.ofSeconds(1)); // the data is a second old: older than max_age=0 allows
            directory.walk("groups", Map.of("max_age", "0"));
            String acme = sandbox.world().organizations().get(0).uuid();
            long pages = sandbox.world().teams(acme).stream()
                    .mapToLong(t -> Math.max(1, (sandbox.world().teamMembers(acme, t.uuid()).size() + 99) / 100)).sum();
            assertEquals(pages, sandbox.journal().calls("GET /v2/organizations/{org}/teams/{team}/members"), "max_age=0: read again");
        }
    }
}
