package dev.kitebridge.state.aws;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.InvalidRequestException;
import software.amazon.awssdk.services.secretsmanager.model.ResourceExistsException;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;

import dev.kitebridge.access.TokenVault;
import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.time.TimeSource;

/**
 * Tokens in Secrets Manager, one secret per integrated account, named under a prefix (so that an
 * IAM policy can grant exactly that prefix). Reads are cached in the process for at most
 * {@link #MAX_AGE}; {@link #forgetAll()} drops the cache (after a SnapStart restore, the cache is as
 * old as the snapshot).
 *
 * <p>A rotation does not wait for the cache to age: every change of an account's token (link,
 * rotate, re-link) writes the account item one revision on, which {@code BuildkiteAccess.open}
 * reads anyway and which evicts this process's copy; a token Buildkite refuses is read again once
 * before the account is marked as needing a new one. So the cache can be long: at five minutes a
 * polled account read its secret 8,760 times a month ($0.044 of Secrets Manager calls, nearly the
 * whole $0.05 an account-month may cost); at {@link #MAX_AGE}, 120. The age bounds only a change
 * made around Kitebridge (an operator writing the secret by hand) whose old token still works.
 */
public final class SecretsManagerTokenVault implements TokenVault {

    public static final Duration MAX_AGE = Duration.ofHours(6);
    /** Secrets Manager's shortest recovery window: an unlinked token can still be restored for a week. */
    static final long RECOVERY_DAYS = 7;

    private final SecretsManagerClient secrets;
    private final String prefix;
    private final TimeSource time;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    /**
     * Moves on at every put, evict and forget: a read of the secret that began before one (the old
     * token, perhaps) is not cached over what it did, which with a long {@link #MAX_AGE} would be
     * used for hours.
     */
    private final java.util.concurrent.atomic.AtomicLong changes = new java.util.concurrent.atomic.AtomicLong();

    private record Cached(BuildkiteToken token, Instant readAt) {}

    public SecretsManagerTokenVault(SecretsManagerClient secrets, String prefix, TimeSource time) {
        this.secrets = secrets;
        this.prefix = prefix;
        this.time = time;
    }

    @Override
    public void put(String accountId, BuildkiteToken token) {
        String name = prefix + accountId;
        try {
            secrets.createSecret(b -> b.name(name).secretString(token.reveal())
                    .description("Buildkite API token of Kitebridge integrated account " + accountId));
            changes.incrementAndGet();
        } catch (ResourceExistsException exists) {
            secrets.putSecretValue(b -> b.secretId(name).secretString(token.reveal()));
            changes.incrementAndGet();
        } catch (InvalidRequestException markedForDeletion) {
            secrets.restoreSecret(b -> b.secretId(name));
            secrets.putSecretValue(b -> b.secretId(name).secretString(token.reveal()));
            changes.incrementAndGet();
        }
        cache.put(accountId, new Cached(token, time.now()));
    }

    @Override
    public Optional<BuildkiteToken> get(String accountId) {
        Cached cached = cache.get(accountId);
        if (cached != null && time.now().isBefore(cached.readAt().plus(MAX_AGE))) {
            return Optional.of(cached.token());
        }
        long before = changes.get();
        try {
            String value = secrets.getSecretValue(b -> b.secretId(prefix + accountId)).secretString();
            BuildkiteToken token = BuildkiteToken.of(value);
            cache.compute(accountId, (id, now) -> changes.get() == before ? new Cached(token, time.now()) : now);
            return Optional.of(token);
        } catch (ResourceNotFoundException | InvalidRequestException gone) {
            // Never created, or marked for deletion (unlinked).
            cache.remove(accountId);
            return Optional.empty();
        }
    }

    @Override
    public void delete(String accountId) {
        changes.incrementAndGet();
        cache.remove(accountId);
        try {
            secrets.deleteSecret(b -> b.secretId(prefix + accountId).recoveryWindowInDays(RECOVERY_DAYS));
        } catch (ResourceNotFoundException | InvalidRequestException alreadyGone) {
            // Nothing to delete.
        }
    }

    /** Forgets every cached token, so that the next read goes to Secrets Manager. */
    public void forgetAll() {
        changes.incrementAndGet();
        cache.clear();
    }

    @Override
    public void evict(String accountId) {
        changes.incrementAndGet();
        cache.remove(accountId);
    }
}
