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
 * cannot explain the count starts a full run); {@code twoFactorByTeam}: by organization, each
 * team's count of members with 2FA on as the last look explained it (a team the look could not
 * list within its points keeps the count before, so that the next look sees it moved still), where
 * both sides of the organization's 2FA count are too large to list (see {@link TwoFactorByTeam}).
 */
public record CountsSeen(Instant at, Map<String, Signals> byOrganization, Set<String> doubted, Set<String> listed,
                         Map<String, Map<String, Long>> twoFactorByTeam) {

    public static final CountsSeen NONE = new CountsSeen(null, Map.of(), Set.of(), Set.of(), Map.of());

    public CountsSeen {
        byOrganization = byOrganization == null ? Map.of() : Map.copyOf(byOrganization);
        twoFactorByTeam = twoFactorByTeam == null ? Map.of() : Map.copyOf(twoFactorByTeam); // null: kept before teams' 2FA counts
        doubted = doubted == null ? Set.of() : Set.copyOf(doubted);
        listed = listed == null ? Set.of() : Set.copyOf(listed); // null: kept before member lists were read
    }
}
