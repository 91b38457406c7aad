package dev.kitebridge.app;

import dev.kitebridge.connect.ConnectSessionStore;
import dev.kitebridge.connect.RedirectOriginStore;
import dev.kitebridge.state.memory.InMemoryConnectSessionStore;
import dev.kitebridge.state.memory.InMemoryRedirectOriginStore;

/** The state connect sessions run on: the sessions, and each tenant's allowed redirect origins. */
public record ConnectState(ConnectSessionStore sessions, RedirectOriginStore redirectOrigins) {

    /** In memory: tests, tools and the local dev server. */
    public static ConnectState inMemory() {
        return new ConnectState(new InMemoryConnectSessionStore(), new InMemoryRedirectOriginStore());
    }
}
