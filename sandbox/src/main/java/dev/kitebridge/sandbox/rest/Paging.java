package dev.kitebridge.sandbox.rest;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.kitebridge.sandbox.http.Reply;

/**
 * Buildkite's page-numbered REST lists: {@code page} (from 1) and {@code per_page} (default 30,
 * clamped to 100: UNVERIFIED for the older endpoints, chosen as the usual Rails behaviour), and a
 * {@code Link} header with next, prev, first and last, left out when one page holds everything.
 * A page past the last answers {@code []} with only first and prev.
 */
public final class Paging {

    public static final int DEFAULT_PER_PAGE = 30;
    public static final int MAX_PER_PAGE = 100;

    private Paging() {}

    public static Reply page(RestCall call, List<?> all) {
        int perPage = clamp(intParam(call, "per_page", DEFAULT_PER_PAGE), 1, MAX_PER_PAGE);
        int page = Math.max(1, intParam(call, "page", 1));
        int lastPage = Math.max(1, (all.size() + perPage - 1) / perPage);
        int from = (int) Math.min((long) (page - 1) * perPage, all.size());
        int to = Math.min(from + perPage, all.size());
        Reply reply = Reply.json(200, all.subList(from, to));
        if (lastPage == 1 && page == 1) {
            return reply;
        }
        List<String> links = new ArrayList<>();
        if (page < lastPage) {
            links.add(link(call, page + 1, perPage, "next"));
        }
        if (page > 1) {
            links.add(link(call, Math.min(page - 1, lastPage), perPage, "prev"));
        }
        links.add(link(call, 1, perPage, "first"));
        if (page < lastPage) {
            links.add(link(call, lastPage, perPage, "last"));
        }
        return reply.withHeader("Link", String.join(", ", links));
    }

    /** An absolute URL to another page of the same list, keeping the other query parameters. */
    private static String link(RestCall call, int page, int perPage, String rel) {
        StringBuilder url = new StringBuilder(call.baseUrl()).append(call.request().path()).append('?');
        for (Map.Entry<String, List<String>> parameter : call.request().query().entrySet()) {
            if (parameter.getKey().equals("page") || parameter.getKey().equals("per_page")) {
                continue;
            }
            for (String value : parameter.getValue()) {
                url.append(encode(parameter.getKey())).append('=').append(encode(value)).append('&');
            }
        }
        url.append("page=").append(page).append("&per_page=").append(perPage);
        return "<" + url + ">; rel=\"" + rel + "\"";
    }

    static int intParam(RestCall call, String name, int fallback) {
        String value = call.request().query(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static int clamp(int value, int min, int max) {
        return Math.max(min, Math.min(max, value));
    }
}
