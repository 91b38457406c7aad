package dev.kitebridge.sync;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

import dev.kitebridge.buildkite.graphql.SignalsQueries.Signals;

/**
 * Buildkite's counts of each organization an account reaches, as a look saw them (see {@link
 * LightWatch}), and when; {@code doubted}: the organizations whose member count the last look could
 * not explain (a second look that cannot either starts a pass that reads the member list);
 * {@code listed}: those whose last doubt such a pass answered (a look after it that still cannot
 * explain the count starts a full run).
 */
public record CountsSeen(Instant at, Map<String, Signals> byOrganization, Set<String> doubted, Set<String> listed) {

    public static final CountsSeen NONE = new CountsSeen(null, Map.of(), Set.of(), Set.of());

    public CountsSeen {
        byOrganization = byOrganization == null ? Map.of() : Map.copyOf(byOrganization);
        doubted = doubted == null ? Set.of() : Set.copyOf(doubted);
        listed = listed == null ? Set.of() : Set.copyOf(listed); // null: kept before member lists were read
    }
}
