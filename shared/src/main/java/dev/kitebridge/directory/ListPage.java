package dev.kitebridge.directory;

import java.time.Duration;
import java.util.List;

/**
 * One page of a list: the records, the cursor of the next page (null on the last), and how old
 * the cached per-organization data behind it is (null when none was used).
 */
public record ListPage<T>(List<T> result, String nextCursor, Duration dataAge) {

    public ListPage {
        result = List.copyOf(result);
    }
}
