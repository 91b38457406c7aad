package dev.kitebridge.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.kitebridge.access.AccountStore;
import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.access.IntegratedAccount;
import dev.kitebridge.access.Session;
import dev.kitebridge.accounts.AccountsService;
import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.buildkite.ratelimit.InMemoryRateLimitGovernor;
import dev.kitebridge.contract.ApiError;
import dev.kitebridge.directory.orgdata.OrganizationData;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.model.ApiToken;
import dev.kitebridge.sandbox.model.DataGenerator;
import dev.kitebridge.sandbox.model.Population;
import dev.kitebridge.state.aws.AwsClients;
import dev.kitebridge.state.aws.AwsConfig;
import dev.kitebridge.state.aws.Dynalite;
import dev.kitebridge.state.aws.DynamoDbAccountStore;
import dev.kitebridge.state.aws.DynamoDbOrganizationDataStore;
import dev.kitebridge.state.aws.MotoServer;
import dev.kitebridge.state.aws.SecretsManagerTokenVault;
import dev.kitebridge.time.TimeSource;

/**
 * Two Lambda instances on one table and one Secrets Manager, each with its own token cache: what
 * one does to an account (rotate, unlink) is not undone by the other, which still holds the old token.
 */
class TokenRaceTest {

    private static final String TENANT = "tenant-a";

    private final MotoServer moto = MotoServer.require();
    private final Sandbox sandbox = Sandbox.builder().population(Population.of(20, 2)).start();
    private final Dynalite.Table table = Dynalite.get().newTable();
    private final AwsConfig config = new AwsConfig("us-east-1", table.name(), moto.newSecretPrefix(),
            table.config().dynamoDbEndpoint(), moto.endpoint());
    private final AccountStore accounts = new DynamoDbAccountStore(table.client(), table.name());
    private final BuildkiteAccess.Endpoints endpoints =
            new BuildkiteAccess.Endpoints(URI.create(sandbox.restUrl()), URI.create(sandbox.graphqlUrl()));

    private final BuildkiteAccess instanceA = instance();
    private final DynamoDbOrganizationDataStore organizationData = new DynamoDbOrganizationDataStore(table.client(), table.name(),
            TimeSource.SYSTEM);
    private final AccountsService accountsOnA = new AccountsService(accounts, vault(), organizationData, instanceA, endpoints,
            TimeSource.scaled(sandbox.clock().scale()),
            new dev.kitebridge.sync.SyncLinks(new dev.kitebridge.state.memory.InMemorySyncStore(), new dev.kitebridge.state.memory.InMemoryEventLog()));
    private final BuildkiteAccess instanceB = instance();

    private SecretsManagerTokenVault vault() {
        return new SecretsManagerTokenVault(AwsClients.secretsManager(config), config.secretPrefix(), TimeSource.SYSTEM);
    }

    private BuildkiteAccess instance() {
        return new BuildkiteAccess(accounts, vault(), new InMemoryRateLimitGovernor(), endpoints, TimeSource.scaled(sandbox.clock().scale()));
    }

    private ApiToken newToken() {
        return sandbox.issueToken(sandbox.owner().uuid(), DataGenerator.ALL_SCOPES, Set.of("acme"), null);
    }

    private static String whoAmI(BuildkiteAccess access, Session session) {
        return access.call(session, () -> session.buildkite().account().accessToken().uuid());
    }

    @AfterEach
    void close() {
        sandbox.close();
    }

    @Test
    void aRequestHoldingTheOldTokenAfterARotateCallsWithTheNewOne() {
        ApiToken first = newToken();
        String id = accountsOnA.link(TENANT, BuildkiteToken.of(first.secret()), "Acme").account().id();
        Session onB = instanceB.open(TENANT, id, Duration.ofSeconds(30));
        assertEquals(first.uuid(), whoAmI(instanceB, onB));

        ApiToken second = newToken();
        sandbox.world().revokeToken(first);
        accountsOnA.rotate(TENANT, id, BuildkiteToken.of(second.secret()), null);

        assertEquals(second.uuid(), whoAmI(instanceB, onB), "the refused call is made again with the stored token");
        IntegratedAccount stored = accounts.find(TENANT, id).orElseThrow();
        assertEquals(IntegratedAccount.Status.ACTIVE, stored.status(), "the rotate stands");
        assertEquals(1, stored.revision());

        Session later = instanceB.open(TENANT, id, Duration.ofSeconds(30));
        assertEquals(second.uuid(), whoAmI(instanceB, later));
    }

    @Test
    void aNewRevisionDropsTheCachedTokenBeforeTheFirstCall() {
        ApiToken first = newToken();
        String id = accountsOnA.link(TENANT, BuildkiteToken.of(first.secret()), "Acme").account().id();
        whoAmI(instanceB, instanceB.open(TENANT, id, Duration.ofSeconds(30)));

        ApiToken second = newToken(); // the first stays valid: nothing but the revision tells B
        accountsOnA.rotate(TENANT, id, BuildkiteToken.of(second.secret()), null);

        assertEquals(second.uuid(), whoAmI(instanceB, instanceB.open(TENANT, id, Duration.ofSeconds(30))));
        // The secret changed behind both instances' backs (the revision stays): B reads it no more, its cache holds the new token.
        AwsClients.secretsManager(config).putSecretValue(b -> b.secretId(config.secretPrefix() + id).secretString(newToken().secret()));
        assertEquals(second.uuid(), whoAmI(instanceB, instanceB.open(TENANT, id, Duration.ofSeconds(30))), "B read the secret again once");
    }

    /**
     * The token cache keeps a copy for hours (a polled account read its secret twelve times an
     * hour), and that costs no freshness: a rotate is used at the next open, a token refused is read
     * again once, and what is said of a refused token never holds it.
     */
    @Test
    void aTokenCachedForHoursIsReplacedAtOnceByARotateAndNeverLeaks() {
        Instant[] now = {Instant.parse("2026-12-01T00:00:00Z")};
        TimeSource vaultClock = new TimeSource() {
            @Override
            public Instant now() {
                return now[0];
            }

            @Override
            public void sleep(Duration duration) {
                throw new UnsupportedOperationException("nothing waits on this clock");
            }
        };
        BuildkiteAccess instanceC = new BuildkiteAccess(accounts,
                new SecretsManagerTokenVault(AwsClients.secretsManager(config), config.secretPrefix(), vaultClock),
                new InMemoryRateLimitGovernor(), endpoints, TimeSource.scaled(sandbox.clock().scale()));
        ApiToken first = newToken();
        String id = accountsOnA.link(TENANT, BuildkiteToken.of(first.secret()), "Acme").account().id();
        assertEquals(first.uuid(), whoAmI(instanceC, instanceC.open(TENANT, id, Duration.ofSeconds(30))));

        // Written around Kitebridge (no new revision), and the first token still works: C's copy an hour on proves no read.
        AwsClients.secretsManager(config).putSecretValue(b -> b.secretId(config.secretPrefix() + id).secretString(newToken().secret()));
        now[0] = now[0].plus(Duration.ofHours(1));
        assertEquals(first.uuid(), whoAmI(instanceC, instanceC.open(TENANT, id, Duration.ofSeconds(30))), "an hour on, served from the cache");

        ApiToken rotated = newToken();
        accountsOnA.rotate(TENANT, id, BuildkiteToken.of(rotated.secret()), null);
        Session afterRotate = instanceC.open(TENANT, id, Duration.ofSeconds(30));
        assertEquals(rotated.uuid(), whoAmI(instanceC, afterRotate), "a rotate is used at the next open, whatever the cache's age");

        sandbox.world().revokeToken(rotated);
        ApiError refused = assertThrows(ApiError.class, () -> whoAmI(instanceC, afterRotate), "the stored token, read again, is refused too");
        assertEquals(424, refused.status());
        assertFalse(refused.getMessage().contains(rotated.secret()) || refused.toString().contains(rotated.secret()),
                "a refused token is never in what is said of it");
        assertEquals(IntegratedAccount.Status.NEEDS_REAUTH, accounts.find(TENANT, id).orElseThrow().status());
    }

    @Test
    void dataABuildSavesWithTheOldTokenAfterARotateIsNeverServed() {
        IntegratedAccount linked = accountsOnA.link(TENANT, BuildkiteToken.of(newToken().secret()), "Acme").account();
        OrganizationData stillBuilding = new OrganizationData(linked.dataKey(), "acme", Instant.now());
        IntegratedAccount rotated = accountsOnA.rotate(TENANT, linked.id(), BuildkiteToken.of(newToken().secret()), null).account();

        organizationData.save(stillBuilding); // a request that began before the rotate saves its progress after it
        assertNotEquals(linked.dataKey(), rotated.dataKey());
        assertTrue(organizationData.building(rotated.dataKey(), "acme").isEmpty(), "the new token starts from nothing");

        accountsOnA.rotate(TENANT, linked.id(), null, "relabelled");
        assertEquals(rotated.dataKey(), accounts.find(TENANT, linked.id()).orElseThrow().dataKey(), "a new label keeps the data");
    }

    @Test
    void aRefusalAfterAnUnlinkDoesNotBringTheAccountBack() {
        ApiToken token = newToken();
        String id = accountsOnA.link(TENANT, BuildkiteToken.of(token.secret()), "Acme").account().id();
        Session onB = instanceB.open(TENANT, id, Duration.ofSeconds(30));
        whoAmI(instanceB, onB);

        accountsOnA.unlink(TENANT, id);
        sandbox.world().revokeToken(token);

        ApiError refused = assertThrows(ApiError.class, () -> whoAmI(instanceB, onB));
        assertEquals(424, refused.status());
        assertTrue(accounts.find(TENANT, id).isEmpty(), "the unlinked account stays gone");
        assertTrue(moto.liveSecrets(config.secretPrefix()).isEmpty());
    }

    @Test
    void aRefusalOfTheStoredTokenMarksTheAccountOnce() {
        ApiToken token = newToken();
        String id = accountsOnA.link(TENANT, BuildkiteToken.of(token.secret()), "Acme").account().id();
        Session onB = instanceB.open(TENANT, id, Duration.ofSeconds(30));
        sandbox.world().revokeToken(token);

        assertEquals(424, assertThrows(ApiError.class, () -> whoAmI(instanceB, onB)).status());
        IntegratedAccount stored = accounts.find(TENANT, id).orElseThrow();
        assertEquals(IntegratedAccount.Status.NEEDS_REAUTH, stored.status());
        assertEquals(424, assertThrows(ApiError.class, () -> instanceA.open(TENANT, id, Duration.ofSeconds(30))).status());
    }
}
