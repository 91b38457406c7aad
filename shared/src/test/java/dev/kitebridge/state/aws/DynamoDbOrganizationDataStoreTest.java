package dev.kitebridge.state.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

import dev.kitebridge.buildkite.TeamRole;
import dev.kitebridge.directory.orgdata.OrganizationData;
import dev.kitebridge.directory.orgdata.OrganizationDataStore;
import dev.kitebridge.state.OrganizationDataStoreContract;
import dev.kitebridge.time.TimeSource;

class DynamoDbOrganizationDataStoreTest extends OrganizationDataStoreContract {

    private final Dynalite.Table table = Dynalite.get().newTable();

    /** A fresh store per read, so that every read goes to DynamoDB rather than the process's cache. */
    @Override
    protected OrganizationDataStore store() {
        return new DynamoDbOrganizationDataStore(table.client(), table.name(), TimeSource.SYSTEM);
    }

    private List<Map<String, AttributeValue>> items() {
        return table.client().scan(b -> b.tableName(table.name())).items();
    }

    @Test
    void writesNoPointerReadsAnyMoreAreDeleted() {
        store().save(data("acct-5", 30, true, false));
        store().save(data("acct-5", 40, true, false));
        store().save(data("acct-5", 50, true, true));
        store().save(data("acct-5", 60, true, true));
        long writes = items().stream().map(i -> i.get("sk").s()).filter(sk -> sk.startsWith("WRITE#"))
                .map(sk -> sk.substring(0, sk.lastIndexOf('#'))).distinct().count();
        assertEquals(1, writes, "only the newest complete write is left: " + items());
        assertEquals(60, store().complete("acct-5", "acme", OrganizationData.Part.PROFILES).orElseThrow().profileCount());
    }

    /**
     * A superseded write that expires within {@link DynamoDbOrganizationDataStore#LEFT_TO_EXPIRE} (one near
     * the end of its lifetime) is left to TTL; a younger one is deleted.
     */
    @Test
    void aSupersededWriteThatExpiresSoonIsLeftToTimeToLiveAndAYoungerOneIsDeleted() {
        dev.kitebridge.VirtualTime clock = new dev.kitebridge.VirtualTime();
        DynamoDbOrganizationDataStore daily = new DynamoDbOrganizationDataStore(table.client(), table.name(), clock);
        daily.save(data("acct-7", 30, true, true));
        String first = writeIds().get(0);
        clock.advance(DynamoDbOrganizationDataStore.CHUNK_LIFETIME.minus(DynamoDbOrganizationDataStore.LEFT_TO_EXPIRE));
        daily.save(data("acct-7", 40, true, true));
        assertEquals(2, writeIds().size(), "the superseded write, expiring within the bound, is left to TTL: " + writeIds());
        assertTrue(writeIds().contains(first));
        assertEquals(40, new DynamoDbOrganizationDataStore(table.client(), table.name(), clock)
                .complete("acct-7", "acme", OrganizationData.Part.PROFILES).orElseThrow().profileCount());

        clock.advance(Duration.ofMinutes(1));
        daily.save(data("acct-7", 50, true, true));
        assertEquals(2, writeIds().size(), "a write superseded a minute after its save is deleted: " + writeIds());
        assertTrue(writeIds().contains(first), "(the first still waits for TTL)");
        assertEquals(50, new DynamoDbOrganizationDataStore(table.client(), table.name(), clock)
                .complete("acct-7", "acme", OrganizationData.Part.ROSTERS).orElseThrow().profileCount());
    }

    /**
     * The daily run's confirmation of data that did not change is a patch of its dates (one small item), not the data
     * again, while the write lives on for more than {@link DynamoDbOrganizationDataStore#CONFIRM_AHEAD}; then it is saved
     * whole, and the write it supersedes is left to TTL.
     */
    @Test
    void aDailyConfirmationOfTheDataKeptIsAPatchOfItsDatesUntilTheWriteIsDueToExpire() {
        dev.kitebridge.VirtualTime clock = new dev.kitebridge.VirtualTime();
        DynamoDbOrganizationDataStore daily = new DynamoDbOrganizationDataStore(table.client(), table.name(), clock);
        OrganizationData.Snapshot records = withTeams("acct-25", 3_000).snapshot();
        daily.saveConfirmed(confirmedAt(records, clock.now()));
        // Each chunk by its key and when it expires: written again, it would expire later.
        List<String> chunks = items().stream().filter(i -> i.get("sk").s().startsWith("WRITE#"))
                .map(i -> i.get("sk").s() + " " + i.get(KitebridgeTable.EXPIRES_AT).n()).sorted().toList();
        String first = writeIds().get(0);
        OrganizationData.Snapshot expected = null;
        for (int day = 1; day <= 5; day++) {
            clock.advance(Duration.ofDays(1));
            expected = confirmedAt(records, clock.now()).snapshot();
            daily.saveConfirmed(OrganizationData.restore(expected));
            assertEquals(expected, new DynamoDbOrganizationDataStore(table.client(), table.name(), clock)
                    .complete("acct-25", "acme", OrganizationData.Part.PROFILES).orElseThrow().snapshot(), "day " + day);
        }
        assertEquals(chunks, items().stream().filter(i -> i.get("sk").s().startsWith("WRITE#"))
                .map(i -> i.get("sk").s() + " " + i.get(KitebridgeTable.EXPIRES_AT).n()).sorted().toList(), "the data is not written again");
        List<Map<String, AttributeValue>> patches = items().stream().filter(i -> i.get("sk").s().startsWith("PATCH#")).toList();
        assertEquals(5, patches.size(), "a patch a day: " + patches);
        assertTrue(patches.stream().allMatch(p -> p.get("data").b().asByteArray().length < 1024), "each one write unit");

        clock.advance(Duration.ofDays(1)); // the write has less than CONFIRM_AHEAD to live
        expected = confirmedAt(records, clock.now()).snapshot();
        daily.saveConfirmed(OrganizationData.restore(expected));
        assertEquals(2, writeIds().size(), "saved whole, the superseded write left to TTL: " + writeIds());
        assertTrue(writeIds().contains(first));
        assertEquals(expected, new DynamoDbOrganizationDataStore(table.client(), table.name(), clock)
                .complete("acct-25", "acme", OrganizationData.Part.ROSTERS).orElseThrow().snapshot());
    }

    /**
     * A day's confirmation of data a member joined and another left, after a pass added a member (at the end of what
     * is kept, where the run's confirmation has it in key order), is a patch all the same: the service confirms in the
     * order kept.
     */
    @Test
    void aConfirmationOfADaysChangesIsAPatchOfThem() {
        dev.kitebridge.VirtualTime clock = new dev.kitebridge.VirtualTime();
        DynamoDbOrganizationDataStore daily = new DynamoDbOrganizationDataStore(table.client(), table.name(), clock);
        var service = new dev.kitebridge.directory.orgdata.OrganizationDataService(daily, null, null);
        OrganizationData.Snapshot records = withTeams("acct-28", 300).snapshot();
        assertTrue(service.confirmed(confirmedAt(records, clock.now())));
        List<String> chunks = writeIds();
        clock.advance(Duration.ofHours(3));
        OrganizationData.Snapshot joined = withTeams("acct-28", 301).snapshot();
        var newcomer = joined.profiles().get(300);
        daily.revise("acct-28", "acme", d -> d.addProfile(newcomer)); // a pass: at the end

        clock.advance(Duration.ofDays(1));
        List<dev.kitebridge.directory.orgdata.MemberProfile> byKey = new java.util.ArrayList<>(joined.profiles());
        byKey.removeIf(p -> p.userUuid().equals("user-7"));
        byKey.add(new dev.kitebridge.directory.orgdata.MemberProfile("user-1000", "node-1000", dev.kitebridge.buildkite.OrganizationRole.MEMBER,
                null, clock.now(), null, false, false, false, "https://avatars.example/1000", null));
        byKey.sort(java.util.Comparator.comparing(dev.kitebridge.directory.orgdata.MemberProfile::userUuid)); // as a run reads its snapshot
        assertTrue(service.confirmed(OrganizationData.confirmed("acct-28", "acme", clock.now(), byKey, records.rosters())));
        assertEquals(chunks, writeIds(), "no new write");
        assertEquals(2, count("PATCH#"), "the pass's and the day's");
        OrganizationData read = new DynamoDbOrganizationDataStore(table.client(), table.name(), clock)
                .complete("acct-28", "acme", OrganizationData.Part.PROFILES).orElseThrow();
        assertEquals(301, read.profileCount());
        assertTrue(read.profile("user-7").isEmpty());
        assertTrue(read.profile("user-1000").isPresent());
        assertEquals(clock.now(), read.completedAt(OrganizationData.Part.PROFILES).orElseThrow());
    }

    /**
     * A day's confirmation whose news is thousands of members seen (a sync keeps last seen apart from the profiles) is
     * a patch all the same: the profiles unchanged, their last seen in an item of its own beside it, which a reader
     * with the data cached reads once; the data is not saved whole.
     */
    @Test
    void aConfirmationOfMembersSeenIsAPatchWithTheirLastSeenApart() {
        dev.kitebridge.VirtualTime clock = new dev.kitebridge.VirtualTime();
        DynamoDbOrganizationDataStore daily = new DynamoDbOrganizationDataStore(table.client(), table.name(), clock);
        DynamoDbOrganizationDataStore reader = new DynamoDbOrganizationDataStore(table.client(), table.name(), clock);
        var service = new dev.kitebridge.directory.orgdata.OrganizationDataService(daily, null, null);
        OrganizationData.Snapshot records = withTeams("acct-41", 5_000).snapshot();
        assertTrue(service.confirmed(confirmedAt(records, clock.now())));
        List<String> chunks = writeIds();
        assertEquals(5_000, reader.complete("acct-41", "acme", OrganizationData.Part.PROFILES).orElseThrow().profileCount());
        Map<String, Instant> seen = new java.util.TreeMap<>();
        for (int day = 1; day <= 2; day++) {
            clock.advance(Duration.ofDays(1));
            Instant visit = Instant.parse("2026-11-26T00:00:00Z").plus(Duration.ofDays(day)); // (after they joined)
            for (int i = day; i < 5_000; i += 2) {
                seen.put("user-" + i, visit.plusMillis(i));
            }
            OrganizationData confirmed = OrganizationData.confirmed("acct-41", "acme", clock.now(), records.profiles(), records.rosters(), seen);
            assertTrue(service.confirmed(confirmed));
            assertEquals(chunks, writeIds(), "day " + day + ": not saved whole");
            assertEquals(day, count("PATCH#"));
            assertEquals(day, count("SEEN#"), "its last seen apart");
            assertTrue(items().stream().filter(i -> i.get("sk").s().startsWith("PATCH#"))
                    .allMatch(p -> p.get("data").b().asByteArray().length < 1024), "each patch one write unit");
            for (DynamoDbOrganizationDataStore store : List.of(reader, new DynamoDbOrganizationDataStore(table.client(), table.name(), clock))) {
                OrganizationData read = store.complete("acct-41", "acme", OrganizationData.Part.PROFILES).orElseThrow();
                assertEquals(confirmed.snapshot(), read.snapshot());
                assertEquals(visit.plusMillis(day), read.profile("user-" + day).orElseThrow().lastSeenAt());
                Map<String, Instant> served = new java.util.TreeMap<>();
                read.profiles().forEach(p -> served.put(p.userUuid(), p.lastSeenAt()));
                Map<String, Instant> expected = new java.util.TreeMap<>();
                records.profiles().forEach(p -> expected.put(p.userUuid(), p.seenAtLatest(seen.get(p.userUuid())).lastSeenAt()));
                assertEquals(expected, served);
            }
        }
        // The write dropped (a whole save over it, not left to TTL) takes its last seen apart with its patches.
        new DynamoDbOrganizationDataStore(table.client(), table.name(), clock).save(withTeams("acct-41", 10));
        assertEquals(0, count("SEEN#"), "gone with the write's patches");
    }

    /** A reader with nothing cached reads the last seen apart of the last patch that has one, not each patch's. */
    @Test
    void aColdReaderReadsOnlyTheLastPatchsLastSeenApart() {
        dev.kitebridge.VirtualTime clock = new dev.kitebridge.VirtualTime();
        var service = new dev.kitebridge.directory.orgdata.OrganizationDataService(
                new DynamoDbOrganizationDataStore(table.client(), table.name(), clock), null, null);
        OrganizationData.Snapshot records = withTeams("acct-42", 1_000).snapshot();
        assertTrue(service.confirmed(confirmedAt(records, clock.now())));
        Map<String, Instant> seen = new java.util.TreeMap<>();
        OrganizationData confirmed = null;
        for (int day = 1; day <= 3; day++) {
            clock.advance(Duration.ofDays(1));
            Instant visit = Instant.parse("2026-11-26T00:00:00Z").plus(Duration.ofDays(day));
            for (int i = day; i < 1_000; i += 3) {
                seen.put("user-" + i, visit.plusMillis(i));
            }
            confirmed = OrganizationData.confirmed("acct-42", "acme", clock.now(), records.profiles(), records.rosters(), seen);
            assertTrue(service.confirmed(confirmed));
        }
        assertEquals(3, count("SEEN#"));
        java.util.concurrent.atomic.AtomicInteger seenRead = new java.util.concurrent.atomic.AtomicInteger();
        DynamoDbOrganizationDataStore cold = new DynamoDbOrganizationDataStore(gettingCounted("SEEN#", seenRead), table.name(), clock);
        OrganizationData read = cold.complete("acct-42", "acme", OrganizationData.Part.PROFILES).orElseThrow();
        assertEquals(confirmed.snapshot(), read.snapshot());
        assertEquals(1, seenRead.get(), "the last one only");
    }

    /** The table's client, counting the items read by key whose key starts with {@code counted}. */
    private DynamoDbClient gettingCounted(String counted, java.util.concurrent.atomic.AtomicInteger gets) {
        DynamoDbClient real = table.client();
        return new DynamoDbClient() {
            @Override
            public PutItemResponse putItem(PutItemRequest request) {
                return real.putItem(request);
            }

            @Override
            public GetItemResponse getItem(GetItemRequest request) {
                if (request.key().get("sk").s().startsWith(counted)) {
                    gets.incrementAndGet();
                }
                return real.getItem(request);
            }

            @Override
            public QueryResponse query(QueryRequest request) {
                return real.query(request);
            }

            @Override
            public DeleteItemResponse deleteItem(DeleteItemRequest request) {
                return real.deleteItem(request);
            }

            @Override
            public String serviceName() {
                return real.serviceName();
            }

            @Override
            public void close() {
            }
        };
    }

    /**
     * A confirmation patches a write only while its log, with it, holds a tenth of what the limits allow: past that
     * it saves the data whole, so that the day's passes find the log near empty and fold it no sooner than before.
     */
    @Test
    void aConfirmationOverALogPastItsShareSavesTheDataWhole() {
        DynamoDbOrganizationDataStore.Limits thirty = new DynamoDbOrganizationDataStore.Limits(350 * 1024, 30, 512 * 1024);
        dev.kitebridge.VirtualTime clock = new dev.kitebridge.VirtualTime();
        DynamoDbOrganizationDataStore daily = new DynamoDbOrganizationDataStore(table.client(), table.name(), clock, thirty);
        OrganizationData.Snapshot records = withTeams("acct-29", 100).snapshot();
        daily.saveConfirmed(confirmedAt(records, clock.now()));
        clock.advance(Duration.ofDays(1));
        daily.saveConfirmed(confirmedAt(records, clock.now()));
        assertEquals(1, count("PATCH#"), "within its share: a patch");
        daily.revise("acct-29", "acme", d -> d.memberRemoved("user-3"));
        daily.revise("acct-29", "acme", d -> d.memberRemoved("user-4"));
        clock.advance(Duration.ofDays(1));
        records = changed(records, d -> {
            d.memberRemoved("user-3");
            d.memberRemoved("user-4");
        });
        OrganizationData.Snapshot expected = confirmedAt(records, clock.now()).snapshot();
        daily.saveConfirmed(OrganizationData.restore(expected));
        assertEquals(2, writeIds().size(), "a fourth patch passes a tenth of 30: saved whole, the old write left to TTL");
        assertEquals(expected, new DynamoDbOrganizationDataStore(table.client(), table.name(), clock)
                .complete("acct-29", "acme", OrganizationData.Part.PROFILES).orElseThrow().snapshot());
    }

    /**
     * A confirmation racing a write through the directory in another instance (applied after the service looked, at or
     * after the confirmation's time) leaves the kept data with the write: the confirmation does not have it.
     */
    @Test
    void aConfirmationLeavesDataAWriteRevisedAtOrAfterIt() {
        dev.kitebridge.VirtualTime clock = new dev.kitebridge.VirtualTime();
        DynamoDbOrganizationDataStore daily = new DynamoDbOrganizationDataStore(table.client(), table.name(), clock);
        OrganizationData.Snapshot records = withTeams("acct-31", 100).snapshot();
        daily.saveConfirmed(confirmedAt(records, clock.now()));
        clock.advance(Duration.ofDays(1));
        Instant confirmedAt = clock.now();
        clock.advance(Duration.ofSeconds(5));
        new dev.kitebridge.directory.orgdata.OrganizationDataService(new DynamoDbOrganizationDataStore(table.client(), table.name(), clock),
                null, null).revised("acct-31", "acme", d -> d.memberRemoved("user-3"), clock.now());
        daily.saveConfirmed(confirmedAt(records, confirmedAt));
        OrganizationData read = new DynamoDbOrganizationDataStore(table.client(), table.name(), clock)
                .complete("acct-31", "acme", OrganizationData.Part.PROFILES).orElseThrow();
        assertTrue(read.profile("user-3").isEmpty(), "the write stays");
        assertEquals(1, count("PATCH#"), "the write's patch alone");
    }

    /** A confirmation that cannot be a patch of the one write kept (a build in progress beside it) saves the data whole. */
    @Test
    void aConfirmationBesideABuildInProgressIsSavedWhole() {
        store().save(withTeams("acct-26", 100));
        store().save(data("acct-26", 30, true, false));
        OrganizationData.Snapshot expected = confirmedAt(withTeams("acct-26", 100).snapshot(), Instant.now()).snapshot();
        store().saveConfirmed(OrganizationData.restore(expected));
        assertEquals(0, count("PATCH#"));
        List<String> pointed = items().stream().filter(i -> i.get("sk").s().startsWith("POINTER#")).map(i -> i.get("write_id").s()).toList();
        assertEquals(List.of("PROFILES", "ROSTERS"), items().stream().map(i -> i.get("sk").s()).filter(sk -> sk.startsWith("POINTER#"))
                .map(sk -> sk.substring("POINTER#".length())).sorted().toList(), "no build in progress");
        assertEquals(1, pointed.stream().distinct().count(), "every pointer at the new write: " + pointed);
        assertEquals(expected, store().complete("acct-26", "acme", OrganizationData.Part.PROFILES).orElseThrow().snapshot());
    }

    /** A patch kept from before its head had the data's start (null there) keeps the start of the data it patches. */
    @Test
    void aPatchFromBeforeItsHeadHadTheStartKeepsTheDatasStart() {
        OrganizationData.Snapshot before = withTeams("acct-27", 10).snapshot();
        OrganizationData revised = OrganizationData.restore(before);
        revised.memberRemoved("user-3");
        var patch = dev.kitebridge.directory.orgdata.OrganizationDataPatch.between(before, revised.snapshot()).orElseThrow();
        var json = (com.fasterxml.jackson.databind.node.ObjectNode) StateJson.read(StateJson.write(patch), com.fasterxml.jackson.databind.JsonNode.class);
        ((com.fasterxml.jackson.databind.node.ObjectNode) json.get("head")).remove("startedAt");
        var old = StateJson.read(json.toString(), dev.kitebridge.directory.orgdata.OrganizationDataPatch.class);
        assertEquals(revised.snapshot(), dev.kitebridge.directory.orgdata.OrganizationDataPatch.apply(before, List.of(old)));
    }

    /** The write ids whose chunks are in the table. */
    private List<String> writeIds() {
        return items().stream().map(i -> i.get("sk").s()).filter(sk -> sk.startsWith("WRITE#"))
                .map(sk -> sk.substring(0, sk.lastIndexOf('#'))).distinct().toList();
    }

    /**
     * A build's write expires a day and an hour after its save: one left unfinished is not taken up again days later,
     * its pages dated fresh. Complete data lives a week (the daily confirmations patch it), the account's index as long.
     */
    @Test
    void aBuildInProgressExpiresADayAfterItsSaveAndCompleteDataAWeekAfterIt() {
        dev.kitebridge.VirtualTime clock = new dev.kitebridge.VirtualTime();
        new DynamoDbOrganizationDataStore(table.client(), table.name(), clock).save(data("acct-30", 30, true, true));
        new DynamoDbOrganizationDataStore(table.client(), table.name(), clock).save(data("acct-30", 10, false, false));
        long chunksExpire = items().stream().filter(i -> i.get("sk").s().startsWith("WRITE#"))
                .mapToLong(i -> Long.parseLong(i.get(KitebridgeTable.EXPIRES_AT).n())).max().orElseThrow();
        assertTrue(items().stream().filter(i -> i.get("pk").s().endsWith("#ORGDATA"))
                .allMatch(i -> Long.parseLong(i.get(KitebridgeTable.EXPIRES_AT).n()) >= chunksExpire), "the index outlives every write");

        clock.advance(DynamoDbOrganizationDataStore.BUILD_LIFETIME.plusMinutes(1));
        DynamoDbOrganizationDataStore later = new DynamoDbOrganizationDataStore(table.client(), table.name(), clock);
        assertTrue(later.building("acct-30", "acme").isEmpty(), "the build left unfinished a day ago");
        assertEquals(30, later.complete("acct-30", "acme", OrganizationData.Part.PROFILES).orElseThrow().profileCount());

        clock.advance(DynamoDbOrganizationDataStore.CHUNK_LIFETIME.minus(DynamoDbOrganizationDataStore.BUILD_LIFETIME));
        assertTrue(new DynamoDbOrganizationDataStore(table.client(), table.name(), clock).complete("acct-30", "acme",
                OrganizationData.Part.ROSTERS).isEmpty());
    }

    @Test
    void everythingExpiresAndExpiredItemsAreNotRead() {
        store().save(data("acct-6", 30, true, false));
        assertTrue(items().stream().allMatch(i -> i.containsKey(KitebridgeTable.EXPIRES_AT)),
                "chunks, pointers and the index all expire, so what an unlink or a rotate races with goes too: " + items());
        TimeSource later = TimeSource.fixed(Instant.now().plus(DynamoDbOrganizationDataStore.CHUNK_LIFETIME).plus(Duration.ofMinutes(1)));
        DynamoDbOrganizationDataStore afterExpiry = new DynamoDbOrganizationDataStore(table.client(), table.name(), later);
        assertTrue(afterExpiry.complete("acct-6", "acme", OrganizationData.Part.PROFILES).isEmpty(), "TTL may not have run yet");
        assertTrue(afterExpiry.building("acct-6", "acme").isEmpty());
    }

    private long count(String prefix) {
        return items().stream().filter(i -> i.get("sk").s().startsWith(prefix)).count();
    }

    private DynamoDbOrganizationDataStore limited(DynamoDbOrganizationDataStore.Limits limits) {
        return new DynamoDbOrganizationDataStore(table.client(), table.name(), TimeSource.SYSTEM, limits);
    }

    @Test
    void aRevisionWritesOnePatchOfWhatChangedNotTheData() {
        store().save(withTeams("acct-20", 3_000));
        List<Map<String, AttributeValue>> chunks = items().stream().filter(i -> i.get("sk").s().startsWith("WRITE#")).toList();
        store().revise("acct-20", "acme", d -> {
            // As a pass of a member who moved does: the member, then the team as read (its roster in the snapshot's order).
            d.teamMemberRemoved("team-1", "user-4");
            d.teamMemberSet("team-2", "user-4", TeamRole.MEMBER);
            d.teamMemberSet("team-0", "user-3", TeamRole.MAINTAINER); // a membership set again as it was: to the roster's end
            var team = d.roster("team-2").orElseThrow();
            var members = new java.util.ArrayList<>(team.withoutMember("user-4").members());
            members.add(1, new dev.kitebridge.directory.orgdata.TeamRoster.Member("user-4", TeamRole.MEMBER));
            d.teamSaved(new dev.kitebridge.directory.orgdata.TeamRoster(team.teamUuid(), team.slug(), team.name(), members, team.pipelines()));
        });
        List<Map<String, AttributeValue>> patches = items().stream().filter(i -> i.get("sk").s().startsWith("PATCH#")).toList();
        assertEquals(1, patches.size(), "one item: " + patches);
        assertTrue(patches.get(0).get("data").b().asByteArray().length < 1024,
                "a move of one member is a few hundred bytes: " + patches.get(0).get("data").b().asByteArray().length);
        assertEquals(chunks, items().stream().filter(i -> i.get("sk").s().startsWith("WRITE#")).toList(), "the data is not written again");
    }

    @Test
    void aPatchExpiresWithTheWriteItPatches() {
        store().save(withTeams("acct-21", 100));
        store().revise("acct-21", "acme", d -> d.memberRemoved("user-3"));
        List<String> expiries = items().stream().filter(i -> i.get("sk").s().startsWith("WRITE#") || i.get("sk").s().startsWith("PATCH#"))
                .map(i -> i.get(KitebridgeTable.EXPIRES_AT).n()).distinct().toList();
        assertEquals(1, expiries.size(), "chunks and patch expire together: " + expiries);
    }

    @Test
    void theLogIsFoldedIntoTheDataWhenFullAndASaveClearsIt() {
        DynamoDbOrganizationDataStore.Limits three = new DynamoDbOrganizationDataStore.Limits(350 * 1024, 3, 512 * 1024);
        limited(three).save(withTeams("acct-22", 100));
        OrganizationData.Snapshot expected = withTeams("acct-22", 100).snapshot();
        Random random = new Random(22);
        for (int step = 0; step < 7; step++) {
            var change = randomChange(random, step);
            OrganizationData copy = OrganizationData.restore(expected);
            change.accept(copy);
            expected = copy.snapshot();
            limited(three).revise("acct-22", "acme", change);
            assertTrue(count("PATCH#") <= 3, "the log holds at most three patches: " + count("PATCH#"));
            assertEquals(expected, store().complete("acct-22", "acme", OrganizationData.Part.PROFILES).orElseThrow().snapshot());
        }
        assertEquals(1, items().stream().filter(i -> i.get("sk").s().startsWith("WRITE#"))
                .map(i -> i.get("sk").s().substring(0, i.get("sk").s().lastIndexOf('#'))).distinct().count(), "folded writes are deleted");
        store().save(OrganizationData.restore(expected));
        assertEquals(0, count("PATCH#"), "a save folds the log in");
        assertEquals(expected, store().complete("acct-22", "acme", OrganizationData.Part.ROSTERS).orElseThrow().snapshot());
    }

    @Test
    void aRevisionTooLargeForOneItemSavesTheDataWhole() {
        limited(new DynamoDbOrganizationDataStore.Limits(64, 200, 512 * 1024)).save(withTeams("acct-23", 100));
        limited(new DynamoDbOrganizationDataStore.Limits(64, 200, 512 * 1024)).revise("acct-23", "acme", d -> d.memberRemoved("user-5"));
        assertEquals(0, count("PATCH#"), "no patch past the limit (and the seal went with the folded write)");
        assertTrue(store().complete("acct-23", "acme", OrganizationData.Part.PROFILES).orElseThrow().profile("user-5").isEmpty());
    }

    @Test
    void aRevisionRacingAFoldIsKeptInTheFoldedWrite() {
        store().save(withTeams("acct-24", 100));
        store().revise("acct-24", "acme", d -> d.memberRemoved("user-1"));
        DynamoDbOrganizationDataStore folding = limited(new DynamoDbOrganizationDataStore.Limits(350 * 1024, 1, 512 * 1024));
        AtomicBoolean first = new AtomicBoolean(true);
        store().revise("acct-24", "acme", d -> {
            if (first.getAndSet(false)) {
                folding.revise("acct-24", "acme", o -> o.memberRemoved("user-2")); // the log is full: it folds
            }
            d.memberRemoved("user-3");
        });
        OrganizationData read = store().complete("acct-24", "acme", OrganizationData.Part.PROFILES).orElseThrow();
        for (String gone : List.of("user-1", "user-2", "user-3")) {
            assertTrue(read.profile(gone).isEmpty(), gone + " stays gone");
        }
        assertEquals(1, count("PATCH#"), "the revision is a patch of the folded write; the one it wrote on the write dropped went with it");
    }

    @Test
    void aReaderWithTheWriteCachedReadsOnlyTheNewPatches() {
        DynamoDbOrganizationDataStore reader = (DynamoDbOrganizationDataStore) store();
        reader.save(withTeams("acct-25", 100));
        reader.complete("acct-25", "acme", OrganizationData.Part.PROFILES).orElseThrow();
        store().revise("acct-25", "acme", d -> d.memberRemoved("user-6")); // another process
        assertTrue(reader.complete("acct-25", "acme", OrganizationData.Part.PROFILES).orElseThrow().profile("user-6").isEmpty(),
                "a process that has the write cached still sees the other's patch");
    }

    /** The table's client, but the process dies at the first put of an item whose key starts with {@code dieAt}. */
    private DynamoDbClient dyingAt(String dieAt) {
        DynamoDbClient real = table.client();
        return new DynamoDbClient() {
            @Override
            public PutItemResponse putItem(PutItemRequest request) {
                if (request.item().get("sk").s().startsWith(dieAt)) {
                    throw new IllegalStateException("killed before " + request.item().get("sk").s());
                }
                return real.putItem(request);
            }

            @Override
            public GetItemResponse getItem(GetItemRequest request) {
                return real.getItem(request);
            }

            @Override
            public QueryResponse query(QueryRequest request) {
                return real.query(request);
            }

            @Override
            public DeleteItemResponse deleteItem(DeleteItemRequest request) {
                return real.deleteItem(request);
            }

            @Override
            public String serviceName() {
                return real.serviceName();
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void aFoldKilledAfterItsSealIsFollowedByReadersAndWritersAndFinishedByTheNext() {
        store().save(withTeams("acct-26", 100));
        store().revise("acct-26", "acme", d -> d.memberRemoved("user-1"));
        DynamoDbOrganizationDataStore.Limits one = new DynamoDbOrganizationDataStore.Limits(350 * 1024, 1, 512 * 1024);
        DynamoDbOrganizationDataStore dying = new DynamoDbOrganizationDataStore(dyingAt("POINTER#"), table.name(), TimeSource.SYSTEM, one);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> dying.revise("acct-26", "acme", d -> d.memberRemoved("user-2")), "killed between the seal and the pointers");

        assertTrue(store().complete("acct-26", "acme", OrganizationData.Part.PROFILES).orElseThrow().profile("user-2").isEmpty(),
                "the seal leads readers to the folded write");
        store().revise("acct-26", "acme", d -> d.memberRemoved("user-3")); // patches the folded write, through the seal
        limited(one).revise("acct-26", "acme", d -> d.memberRemoved("user-4")); // folds again, and moves the pointers at last
        OrganizationData read = store().complete("acct-26", "acme", OrganizationData.Part.ROSTERS).orElseThrow();
        for (String gone : List.of("user-1", "user-2", "user-3", "user-4")) {
            assertTrue(read.profile(gone).isEmpty(), gone + " stays gone");
        }
        assertEquals(96, read.profileCount());
        assertEquals(1, items().stream().filter(i -> i.get("sk").s().startsWith("WRITE#"))
                .map(i -> i.get("sk").s().substring(0, i.get("sk").s().lastIndexOf('#'))).distinct().count(),
                "the writes the pointers left are deleted: " + items().stream().map(i -> i.get("sk").s()).toList());
        assertEquals(0, count("PATCH#"));
    }
}
