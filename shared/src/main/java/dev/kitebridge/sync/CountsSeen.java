package dev.kitebridge.sync;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.kitebridge.buildkite.graphql.SignalsQueries.Signals;

/**
 * Buildkite's counts of each organization an account reaches, as a look saw them (see {@link
 * LightWatch}), and when; {@code doubted}: the organizations whose member count the last look could
 * not explain (a second look that cannot either starts a full run); {@code newest}: the newest
 * members each organization listed that the directory already had, so that a look at counts that
 * did not move, whose newest are all among them, need not read the kept data to find no joiner.
 */
public record CountsSeen(Instant at, Map<String, Signals> byOrganization, Set<String> doubted, Map<String, List<String>> newest) {

    public static final CountsSeen NONE = new CountsSeen(null, Map.of(), Set.of(), Map.of());

    public CountsSeen {
        byOrganization = byOrganization == null ? Map.of() : Map.copyOf(byOrganization);
        doubted = doubted == null ? Set.of() : Set.copyOf(doubted);
        newest = newest == null ? Map.of() : Map.copyOf(newest);
    }
}
