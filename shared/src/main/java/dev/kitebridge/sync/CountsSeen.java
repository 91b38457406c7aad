package dev.kitebridge.sync;

import java.time.Instant;
import java.util.Map;

import dev.kitebridge.buildkite.graphql.SignalsQueries.Signals;

/** Buildkite's counts of each organization an account reaches, as a look saw them (see {@link LightWatch}), and when. */
public record CountsSeen(Instant at, Map<String, Signals> byOrganization) {

    public static final CountsSeen NONE = new CountsSeen(null, Map.of());

    public CountsSeen {
        byOrganization = byOrganization == null ? Map.of() : Map.copyOf(byOrganization);
    }
}
