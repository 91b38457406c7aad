package dev.kitebridge.state.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.state.TokenVault;
import dev.kitebridge.state.TokenVaultContract;

class SecretsManagerTokenVaultTest extends TokenVaultContract {

    private final FakeSecretsManager secretsManager;
    private final MovableClock clock = new MovableClock();
    private final SecretsManagerTokenVault vault;

    SecretsManagerTokenVaultTest() throws IOException {
        secretsManager = new FakeSecretsManager();
        vault = new SecretsManagerTokenVault(AwsClients.secretsManager(new AwsConfig("us-east-1", "unused",
                "kitebridge/accounts/", null, secretsManager.endpoint())), "kitebridge/accounts/", clock);
    }

    @AfterEach
    void stop() {
        secretsManager.close();
    }

    @Override
    protected TokenVault vault() {
        return vault;
    }

    @Test
    void oneSecretPerAccountUnderThePrefix() {
        vault.put("acct-7", BuildkiteToken.of("bkua_seven"));
        assertEquals(java.util.Map.of("kitebridge/accounts/acct-7", "bkua_seven"), secretsManager.liveSecrets());
    }

    @Test
    void readsAreCachedForAtMostTheMaximumAgeAndUntilEvicted() {
        vault.put("acct-8", BuildkiteToken.of("bkua_eight"));
        vault.forgetAll();
        vault.get("acct-8");
        vault.get("acct-8");
        assertEquals(1, secretsManager.reads(), "the second read is served from the cache");
        clock.advance(SecretsManagerTokenVault.MAX_AGE.plusSeconds(1));
        vault.get("acct-8");
        assertEquals(2, secretsManager.reads(), "an old copy is read again");
        vault.evict("acct-8");
        vault.get("acct-8");
        assertEquals(3, secretsManager.reads(), "an evicted copy is read again");
        vault.delete("acct-8");
        assertTrue(vault.get("acct-8").isEmpty(), "a secret marked for deletion is no token");
    }

    /** A clock the test moves. */
    private static final class MovableClock extends Clock {
        private Instant now = Instant.parse("2026-11-25T12:00:00Z");

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
