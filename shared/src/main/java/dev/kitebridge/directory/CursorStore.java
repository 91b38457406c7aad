package dev.kitebridge.directory;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Where list walks stand between requests. A caller sees only the cursor's random id; the record
 * says whose walk it is (tenant, account, resource, filters) and where it stands, and expires.
 */
public interface CursorStore {

    /** A cursor id: 128 random bits, URL-safe, so that one cannot be guessed from another. */
    static String newId() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Stores the position and returns a new opaque id for it. */
    String save(Cursor cursor);

    /** The cursor, if the id is known and it has not expired at {@code now} (expiry is checked here, not left to TTL). */
    Optional<Cursor> find(String id, Instant now);

    /**
     * One walk's position.
     *
     * @param filters a canonical form of the list's filters, so a cursor serves only the list it came from
     * @param position where the walk stands, in the lister's own terms
     */
    record Cursor(String tenantId, String accountId, String resource, String filters, Map<String, String> position,
                  Instant expiresAt) {

        public Cursor {
            position = Map.copyOf(position);
        }
    }
}
