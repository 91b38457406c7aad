package dev.kitebridge.buildkite;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Which page of a REST list to fetch, as the query parameters that select it: {@code page} and
 * {@code per_page} for numbered lists, {@code after} and {@code per_page} for the invitations
 * cursor, and any filters (such as {@code user_id}), which Buildkite's {@code Link} URLs keep.
 * It is a plain value, so a cursor store can keep it between requests.
 */
public record PageRequest(Map<String, String> query) {

    /** Buildkite's largest page. */
    public static final int MAX_PER_PAGE = 100;

    public PageRequest {
        query = Collections.unmodifiableMap(new LinkedHashMap<>(query));
    }

    /** The first page, {@code perPage} long (1 to 100). */
    public static PageRequest first(int perPage) {
        if (perPage < 1 || perPage > MAX_PER_PAGE) {
            throw new IllegalArgumentException("per_page must be 1.." + MAX_PER_PAGE + ", was " + perPage);
        }
        return new PageRequest(Map.of("per_page", Integer.toString(perPage)));
    }

    /** The same request with one more query parameter, e.g. a filter. */
    public PageRequest with(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(query);
        copy.put(name, value);
        return new PageRequest(copy);
    }

    /** The query string, encoded, without the leading {@code ?}. */
    public String encoded() {
        StringJoiner joined = new StringJoiner("&");
        query.forEach((name, value) -> joined.add(encode(name) + "=" + encode(value)));
        return joined.toString();
    }

    /** The page a {@code Link} URL points to: its query parameters. */
    public static PageRequest fromLink(URI link) {
        Map<String, String> query = new LinkedHashMap<>();
        String raw = link.getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                query.put(name, value);
            }
        }
        return new PageRequest(query);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
