package dev.kitebridge.sync;

import java.util.Map;
import java.util.TreeMap;

import dev.kitebridge.sandbox.Sandbox;

/** What Buildkite's journal counted from an entry on: GraphQL points by document ("points Document"), REST requests by route. */
final class JournalSpent {

    private JournalSpent() {}

    static Map<String, Long> since(Sandbox sandbox, int from) {
        var entries = sandbox.journal().entries();
        Map<String, Long> spent = new TreeMap<>();
        for (var e : entries.subList(from, entries.size())) {
            if (e.isGraphql()) {
                spent.merge("points " + e.operation(), e.actualComplexity(), Long::sum);
            } else {
                spent.merge(e.route(), 1L, Long::sum);
            }
        }
        return spent;
    }
}
