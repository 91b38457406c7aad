package dev.kitebridge.sync;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

import dev.kitebridge.buildkite.graphql.SignalsQueries.Signals;

/**
 * Buildkite's counts of each organization an account reaches, as a look saw them (see {@link
 * LightWatch}), and when; {@code doubted}: the organizations whose member count the last look could
 * not explain (a second look that cannot either starts a full run).
 */
public record CountsSeen(Instant at, Map<String, Signals> byOrganization, Set<String> doubted) {

    public static final CountsSeen NONE = new CountsSeen(null, Map.of(), Set.of());

    public CountsSeen {
        byOrganization = byOrganization == null ? Map.of() : Map.copyOf(byOrganization);
        doubted = doubted == null ? Set.of() : Set.copyOf(doubted);
    }
}
