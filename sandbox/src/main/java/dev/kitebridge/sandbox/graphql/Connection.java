package dev.kitebridge.sandbox.graphql;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import graphql.GraphqlErrorException;
import graphql.schema.DataFetchingEnvironment;

/**
 * A Relay connection over a list: {@code count} (the whole list), {@code edges} and {@code pageInfo}.
 * Cursors are offsets, as graphql-ruby's connections make them; {@code first}/{@code last} are
 * silently capped at 500 and default to 500 when neither is given (both UNVERIFIED; chosen from
 * buildkite/docs#190 and Buildkite's own clients paging with 500).
 */
public record Connection<T>(int count, List<Edge<T>> edges, PageInfo pageInfo) {

    public static final int MAX_PAGE = 500;

    public record Edge<T>(String cursor, T node) {}

    public record PageInfo(String startCursor, String endCursor, boolean hasNextPage, boolean hasPreviousPage) {}

    /** The page of {@code all} that the field's first/last/after/before arguments ask for. */
    public static <T> Connection<T> of(List<T> all, DataFetchingEnvironment env) {
        Integer first = env.getArgument("first");
        Integer last = env.getArgument("last");
        int from = 0;
        int to = all.size();
        String after = env.getArgument("after");
        String before = env.getArgument("before");
        if (after != null) {
            from = Math.min(all.size(), offsetOf(after) + 1);
        }
        if (before != null) {
            to = Math.max(from, Math.min(to, offsetOf(before)));
        }
        if (first != null && first < 0 || last != null && last < 0) {
            throw GraphqlErrorException.newErrorException()
                    .message("Argument 'first' and 'last' must be non-negative").build();
        }
        if (first != null || last == null) {
            to = Math.min(to, from + Math.min(first == null ? MAX_PAGE : first, MAX_PAGE));
        }
        if (last != null) {
            from = Math.max(from, to - Math.min(last, MAX_PAGE));
        }
        List<Edge<T>> edges = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            edges.add(new Edge<>(cursorOf(i), all.get(i)));
        }
        PageInfo info = new PageInfo(edges.isEmpty() ? null : edges.get(0).cursor(),
                edges.isEmpty() ? null : edges.get(edges.size() - 1).cursor(), to < all.size(), from > 0);
        return new Connection<>(all.size(), edges, info);
    }

    static String cursorOf(int offset) {
        return Base64.getEncoder().encodeToString(Integer.toString(offset + 1).getBytes(StandardCharsets.UTF_8));
    }

    static int offsetOf(String cursor) {
        int offset;
        try {
            offset = Integer.parseInt(new String(Base64.getDecoder().decode(cursor), StandardCharsets.UTF_8)) - 1;
        } catch (IllegalArgumentException e) {
            offset = -1;
        }
        if (offset < 0) {
            throw GraphqlErrorException.newErrorException().message("Invalid cursor: " + cursor).build();
        }
        return offset;
    }
}
