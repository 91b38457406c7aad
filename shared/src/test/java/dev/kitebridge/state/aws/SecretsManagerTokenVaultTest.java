package dev.kitebridge.state.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import dev.kitebridge.LogCapture;
import dev.kitebridge.access.TokenVault;
import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.state.TokenVaultContract;
import dev.kitebridge.time.TimeSource;

/** The token vault through the real SDK client against moto's Secrets Manager (skipped where moto_server is absent). */
class SecretsManagerTokenVaultTest extends TokenVaultContract {

    private final MotoServer moto = MotoServer.require();
    private final String prefix = moto.newSecretPrefix();
    private final AwsConfig config = new AwsConfig("us-east-1", "unused", prefix, null, moto.endpoint());
    private final MovableClock clock = new MovableClock();
    private final SecretsManagerTokenVault vault = new SecretsManagerTokenVault(AwsClients.secretsManager(config), prefix, clock);
    /** Secrets Manager as another Lambda instance, or an operator, sees it. */
    private final SecretsManagerClient elsewhere = AwsClients.secretsManager(config);

    @Override
    protected TokenVault vault() {
        return vault;
    }

    @Test
    void oneSecretPerAccountUnderThePrefix() {
        vault.put("acct-7", BuildkiteToken.of("bkua_seven"));
        assertEquals(Map.of(prefix + "acct-7", "bkua_seven"), moto.liveSecrets(prefix));
    }

    @Test
    void aRotationMadeElsewhereIsSeenAfterTheMaximumAgeOrWhenEvicted() {
        vault.put("acct-8", BuildkiteToken.of("bkua_eight"));
        rotateElsewhere("acct-8", "bkua_rotated");
        assertEquals("bkua_eight", vault.get("acct-8").orElseThrow().reveal(), "served from the cache");
        clock.advance(SecretsManagerTokenVault.MAX_AGE.plusSeconds(1));
        assertEquals("bkua_rotated", vault.get("acct-8").orElseThrow().reveal(), "an old copy is read again");

        rotateElsewhere("acct-8", "bkua_again");
        assertEquals("bkua_rotated", vault.get("acct-8").orElseThrow().reveal());
        vault.evict("acct-8");
        assertEquals("bkua_again", vault.get("acct-8").orElseThrow().reveal(), "an evicted copy is read again");

        rotateElsewhere("acct-8", "bkua_after_restore");
        vault.forgetAll();
        assertEquals("bkua_after_restore", vault.get("acct-8").orElseThrow().reveal(), "nothing is kept past forgetAll");
    }

    @Test
    void anUnlinkedTokenIsGoneButRecoverableForSevenDays() {
        vault.put("acct-9", BuildkiteToken.of("bkua_nine"));
        vault.delete("acct-9");
        vault.forgetAll();
        assertTrue(vault.get("acct-9").isEmpty(), "a secret marked for deletion is no token");
        assertTrue(moto.liveSecrets(prefix).isEmpty());
        Instant deletion = elsewhere.describeSecret(b -> b.secretId(prefix + "acct-9")).deletedDate();
        Instant week = Instant.now().plus(Duration.ofDays(SecretsManagerTokenVault.RECOVERY_DAYS));
        assertTrue(deletion.isAfter(week.minus(Duration.ofHours(1))) && deletion.isBefore(week.plus(Duration.ofHours(1))),
                "deleted with the seven-day recovery window, at " + deletion);

        vault.delete("acct-9");
        vault.delete("acct-never");
    }

    @Test
    void theTokenIsInNoExceptionAndNoLogLine() throws IOException {
        String token = "bkua_must_never_be_seen_0123456789";
        try (LogCapture logs = LogCapture.of("")) {
            SecretsManagerTokenVault unreachable = new SecretsManagerTokenVault(AwsClients.secretsManager(
                    new AwsConfig("us-east-1", "unused", prefix, null, closedPort())), prefix, clock);
            assertNoToken(token, assertThrows(RuntimeException.class, () -> unreachable.put("acct-10", BuildkiteToken.of(token))));

            // A secret changed by hand into something that is no token: refused without being shown.
            String malformed = token + " trailing";
            elsewhere.createSecret(b -> b.name(prefix + "acct-11").secretString(malformed));
            assertNoToken(token, assertThrows(IllegalArgumentException.class, () -> vault.get("acct-11")));

            vault.put("acct-12", BuildkiteToken.of(token));
            vault.forgetAll();
            assertEquals(token, vault.get("acct-12").orElseThrow().reveal());
            assertFalse(logs.lines().stream().anyMatch(line -> line.contains(token)), "a log line holds the token");
        }
    }

    private void rotateElsewhere(String accountId, String token) {
        elsewhere.putSecretValue(b -> b.secretId(prefix + accountId).secretString(token));
    }

    private static void assertNoToken(String token, Throwable thrown) {
        StringWriter trace = new StringWriter();
        thrown.printStackTrace(new PrintWriter(trace));
        assertFalse(trace.toString().contains(token), "the token is in: " + trace);
    }

    /** An address where nothing listens: a port the system gave out and that was let go at once. */
    private static URI closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A clock the test moves. */
    private static final class MovableClock implements TimeSource {
        private Instant now = Instant.parse("2026-11-25T12:00:00Z");

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant now() {
            return now;
        }

        @Override
        public void sleep(Duration duration) {
            throw new UnsupportedOperationException("the vault never waits");
        }
    }
}
