package dev.kitebridge.tenants;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.kitebridge.time.TimeSource;

/**
 * Tenants' API keys: made (shown once), listed by prefix, revoked, and resolved to a tenant from an
 * {@code Authorization: Bearer <key>} header, which is what the authorizer does.
 */
public final class ApiKeys {

    private static final Pattern BEARER = Pattern.compile("^Bearer\\s+(kb_[A-Za-z0-9_-]{20,100})\\s*$", Pattern.CASE_INSENSITIVE);

    private final ApiKeyStore store;
    private final TimeSource time;

    public ApiKeys(ApiKeyStore store, TimeSource time) {
        this.store = store;
        this.time = time;
    }

    public ApiKeyStore.NewKey create(String tenantId, String label) {
        if (tenantId == null || tenantId.isBlank() || !tenantId.matches("[A-Za-z0-9_.:-]{1,100}")) {
            throw new IllegalArgumentException("a tenant id is 1 to 100 letters, digits and _ . : -");
        }
        for (int attempt = 1; ; attempt++) {
            ApiKeyStore.NewKey key = ApiKeyStore.newKey(tenantId, label, time.now());
            try {
                store.save(key.stored());
                return key;
            } catch (IllegalStateException prefixTaken) {
                if (attempt == 3) {
                    throw prefixTaken; // three random prefixes taken: something else is wrong
                }
            }
        }
    }

    public List<ApiKeyStore.StoredKey> list(String tenantId) {
        return store.list(tenantId);
    }

    public boolean revoke(String tenantId, String prefix) {
        return store.revoke(tenantId, prefix);
    }

    /** The tenant of the key in an Authorization header; empty for a missing, malformed or unknown key. */
    public Optional<String> tenantOf(String authorizationHeader) {
        if (authorizationHeader == null) {
            return Optional.empty();
        }
        var matched = BEARER.matcher(authorizationHeader);
        return matched.matches() ? store.tenantOf(ApiKeyStore.hash(matched.group(1))) : Optional.empty();
    }
}
