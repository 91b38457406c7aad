package dev.kitebridge.state.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;

import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.time.TimeSource;

/**
 * The vault keeps a token for hours, so a read of the secret that began before a rotation (and so
 * read the old token) must not be cached over the new one. Secrets Manager here is a stand-in that
 * holds its answer until the rotation has happened: the order of the race, not its timing.
 */
class SecretsManagerTokenVaultCacheTest {

    @Test
    void aReadThatBeganBeforeARotationDoesNotCacheTheOldTokenOverTheNew() throws Exception {
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch rotated = new CountDownLatch(1);
        AtomicInteger reads = new AtomicInteger();
        SecretsManagerClient secrets = (SecretsManagerClient) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {SecretsManagerClient.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getSecretValue" -> {
                        reads.incrementAndGet();
                        reading.countDown();
                        rotated.await(10, TimeUnit.SECONDS);
                        yield GetSecretValueResponse.builder().secretString("old-token").build();
                    }
                    case "createSecret" -> CreateSecretResponse.builder().build();
                    case "close" -> null;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        SecretsManagerTokenVault vault = new SecretsManagerTokenVault(secrets, "kitebridge/", TimeSource.SYSTEM);

        CompletableFuture<String> before = CompletableFuture.supplyAsync(() -> vault.get("acct-1").orElseThrow().reveal());
        reading.await(10, TimeUnit.SECONDS);
        vault.put("acct-1", BuildkiteToken.of("new-token"));
        rotated.countDown();
        assertEquals("old-token", before.get(10, TimeUnit.SECONDS), "the read that began before the rotation");

        assertEquals("new-token", vault.get("acct-1").orElseThrow().reveal(), "the next read uses the new token");
        assertEquals(1, reads.get(), "from the cache the rotation filled, not over it");
    }
}
