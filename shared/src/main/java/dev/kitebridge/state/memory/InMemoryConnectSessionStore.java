package dev.kitebridge.state.memory;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.kitebridge.connect.ConnectSession;
import dev.kitebridge.connect.ConnectSessionStore;

/** Connect sessions in memory, for tests and the local dev server. */
public final class InMemoryConnectSessionStore implements ConnectSessionStore {

    private final Map<String, ConnectSession> sessions = new ConcurrentHashMap<>();

    @Override
    public void create(ConnectSession session) {
        if (sessions.putIfAbsent(session.secretHash(), session) != null) {
            throw new IllegalStateException("a connect session with this key exists already");
        }
    }

    @Override
    public Optional<ConnectSession> find(String secretHash) {
        return Optional.ofNullable(sessions.get(secretHash));
    }

    @Override
    public Optional<ConnectSession> replace(ConnectSession changed) {
        ConnectSession next = changed.nextRevision();
        ConnectSession stored = sessions.computeIfPresent(changed.secretHash(),
                (key, current) -> current.revision() == changed.revision() ? next : current);
        return stored == next ? Optional.of(next) : Optional.empty();
    }
}
