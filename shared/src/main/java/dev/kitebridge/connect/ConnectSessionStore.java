package dev.kitebridge.connect;

import java.util.Optional;

/**
 * Connect sessions, by the hash of their URL's secret. A session is kept a day past its expiry (so
 * that its page can say it expired), then goes (DynamoDB's TTL).
 */
public interface ConnectSessionStore {

    /** @throws IllegalStateException if a session with its key exists already */
    void create(ConnectSession session);

    Optional<ConnectSession> find(String secretHash);

    /**
     * Stores {@code changed} as the next revision, but only over the revision it was made from.
     *
     * @return the session as stored, or empty if it changed meanwhile
     */
    Optional<ConnectSession> replace(ConnectSession changed);
}
