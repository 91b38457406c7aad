package dev.kitebridge.tenants;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The API keys that callers present, each belonging to one tenant. Only a key's SHA-256 hash is
 * kept, with a short prefix to tell keys apart in a list; the key itself is shown once, when made.
 */
public interface ApiKeyStore {

    /**
     * Keeps a new key (by its hash) for the tenant.
     *
     * @throws IllegalStateException if the tenant has a key with the same prefix (which revokes it)
     */
    void save(StoredKey key);

    /** The tenant whose key has this hash. */
    Optional<String> tenantOf(String keyHash);

    List<StoredKey> list(String tenantId);

    /** Revokes the tenant's key with this prefix; false if it has none. */
    boolean revoke(String tenantId, String prefix);

    /** A key as kept: never the key itself. */
    record StoredKey(String tenantId, String prefix, String hash, String label, Instant createdAt) {}

    /** A new key: the secret to hand over once, and what is kept of it. */
    record NewKey(String secret, StoredKey stored) {

        @Override
        public String toString() {
            return "NewKey[" + stored.prefix() + "…]";
        }
    }

    /** Makes a key: {@code kb_} and 43 characters of 256 random bits; its prefix is the first 11 characters. */
    static NewKey newKey(String tenantId, String label, Instant now) {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        String secret = "kb_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        return new NewKey(secret, new StoredKey(tenantId, secret.substring(0, 11), hash(secret), label, now));
    }

    static String hash(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
