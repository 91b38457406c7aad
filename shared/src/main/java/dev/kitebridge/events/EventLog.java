package dev.kitebridge.events;

import java.util.List;

/**
 * Each account's change events in delivery order (by {@link ChangeEvent#position()}). A sync run
 * writes its events while it runs, and they become visible only when the run is published (see
 * {@link Publications#publishedThrough}): readers ask for positions below a bound.
 */
public interface EventLog {

    /** Writes events at their positions; writing one again replaces it, so a resumed run writes the same events safely. */
    void put(String accountId, List<ChangeEvent> events);

    /** Removes the events at these positions (removals taken back, a failed run's events). */
    void delete(String accountId, List<String> positions);

    /**
     * Events after {@code afterPosition} (null: from the first) and before {@code beforePosition}
     * (exclusive), in position order, at most {@code limit}.
     */
    List<ChangeEvent> list(String accountId, String afterPosition, String beforePosition, int limit);
}
