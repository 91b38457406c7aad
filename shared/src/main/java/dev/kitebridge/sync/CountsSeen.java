package dev.kitebridge.sync;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

import dev.kitebridge.buildkite.graphql.SignalsQueries.Signals;

/**
 * Buildkite's counts of each organization an account reaches, as a look saw them (see {@link
 * LightWatch}), and when; {@code listed}: the organizations whose member count the last look could
 * not explain, and whose member list its pass reads; {@code doubted}: those among them whose count
 * was still unexplained after such a pass (the list read a second time: a look after it that still
 * cannot explain the count starts a full run).
 */
public record CountsSeen(Instant at, Map<String, Signals> byOrganization, Set<String> doubted, Set<String> listed) {

    public static final CountsSeen NONE = new CountsSeen(null, Map.of(), Set.of(), Set.of());

    public CountsSeen {
        byOrganization = byOrganization == null ? Map.of() : Map.copyOf(byOrganization);
        doubted = doubted == null ? Set.of() : Set.copyOf(doubted);
        listed = listed == null ? Set.of() : Set.copyOf(listed); // null: kept before member lists were read
    }
}
