package dev.kitebridge.sandbox.journal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Every request the sandbox saw, for tests and benchmarks to count. */
public final class Journal {

    private final List<JournalEntry> entries = new ArrayList<>();

    public synchronized void record(JournalEntry entry) {
        entries.add(entry);
    }

    public synchronized List<JournalEntry> entries() {
        return List.copyOf(entries);
    }

    public synchronized void clear() {
        entries.clear();
    }

    public synchronized long count(Predicate<JournalEntry> which) {
        return entries.stream().filter(which).count();
    }

    /** Calls to one route template, e.g. {@code GET /v2/organizations/{org}/members}. */
    public long calls(String route) {
        return count(e -> e.route().equals(route));
    }

    public long callsByToken(String tokenUuid) {
        return count(e -> tokenUuid.equals(e.tokenUuid()));
    }

    public long status(int status) {
        return count(e -> e.status() == status);
    }

    /** Answers of 429, whatever their cause (spent budget or an injected burst). */
    public long rateLimited() {
        return status(429);
    }

    /** GraphQL points actually charged. */
    public synchronized long graphqlPoints() {
        return entries.stream().mapToLong(JournalEntry::actualComplexity).sum();
    }

    public synchronized Map<String, Long> callsPerRoute() {
        return entries.stream().collect(Collectors.groupingBy(JournalEntry::route, TreeMap::new, Collectors.counting()));
    }
}
