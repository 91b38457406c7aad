package dev.kitebridge.directory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import dev.kitebridge.access.OrganizationRef;
import dev.kitebridge.contract.ApiError;

/**
 * A list request as the contract defines it: {@code limit} (1 to 500, default 100),
 * {@code next_cursor}, {@code include_remote_data} (default true), {@code max_age} (seconds) and
 * the resource's filters. Anything else answers 400 naming the parameter.
 */
public record ListQuery(int limit, String cursor, boolean includeRemoteData, Duration maxAge, Map<String, String> filters) {

    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 500;

    private static final Set<String> COMMON = Set.of("integrated_account_id", "limit", "next_cursor", "include_remote_data", "max_age");
    private static final Pattern UUID = Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");

    public ListQuery {
        filters = Map.copyOf(filters);
    }

    /** Reads and checks the query parameters of a list; {@code filterNames} are the resource's filters. */
    public static ListQuery parse(Map<String, String> query, Set<String> filterNames) {
        for (String name : query.keySet()) {
            if (!COMMON.contains(name) && !filterNames.contains(name)) {
                throw ApiError.invalidRequest("unknown query parameter " + name + "; this list takes "
                        + String.join(", ", new java.util.TreeSet<>(COMMON))
                        + (filterNames.isEmpty() ? "" : " and the filters " + String.join(", ", new java.util.TreeSet<>(filterNames))));
            }
        }
        int limit = DEFAULT_LIMIT;
        String givenLimit = query.get("limit");
        if (givenLimit != null) {
            try {
                limit = Integer.parseInt(givenLimit.trim());
            } catch (NumberFormatException e) {
                throw ApiError.invalidRequest("limit must be a whole number from 1 to " + MAX_LIMIT + ", not '" + givenLimit + "'");
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                throw ApiError.invalidRequest("limit must be from 1 to " + MAX_LIMIT + ", not " + limit);
            }
        }
        Duration maxAge = maxAge(query);
        String cursor = query.get("next_cursor");
        if (cursor != null && cursor.isBlank()) {
            cursor = null;
        }
        Map<String, String> filters = new TreeMap<>();
        for (String name : filterNames) {
            String value = query.get(name);
            if (value != null) {
                filters.put(name, value);
            }
        }
        return new ListQuery(limit, cursor, bool(query, "include_remote_data", true), maxAge, filters);
    }

    /** {@code max_age}: how old cached data may be, in whole seconds; null when not given. */
    public static Duration maxAge(Map<String, String> query) {
        String given = query.get("max_age");
        if (given == null) {
            return null;
        }
        try {
            long seconds = Long.parseLong(given.trim());
            if (seconds < 0) {
                throw new NumberFormatException();
            }
            return Duration.ofSeconds(seconds);
        } catch (NumberFormatException e) {
            throw ApiError.invalidRequest("max_age must be a whole number of seconds, not '" + given + "'");
        }
    }

    /** A boolean query parameter: true or false. */
    public static boolean bool(Map<String, String> query, String name, boolean fallback) {
        String value = query.get(name);
        if (value == null) {
            return fallback;
        }
        return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ApiError.invalidRequest(name + " must be true or false, not '" + value + "'");
        };
    }

    /** The organizations narrowed to one, by id; 404 when the token does not reach it. */
    public static List<OrganizationRef> onlyOrganization(List<OrganizationRef> all, String organizationId) {
        if (organizationId == null) {
            return all;
        }
        String id = requireUuid("organization_id", organizationId);
        List<OrganizationRef> one = all.stream().filter(o -> o.id().equals(id)).toList();
        if (one.isEmpty()) {
            throw ApiError.notFound("no organization " + id + " is reachable with this integrated account");
        }
        return one;
    }

    /** Checks that an id is a UUID, as every Buildkite id the directory uses is. */
    public static String requireUuid(String what, String id) {
        if (id == null || !UUID.matcher(id).matches()) {
            throw ApiError.invalidRequest(what + " must be a UUID, not '" + (id == null ? "" : id) + "'");
        }
        return id.toLowerCase(java.util.Locale.ROOT);
    }

    /** The filters in one canonical string (JSON, keys sorted), which a cursor is bound to. */
    public String filtersKey() {
        return dev.kitebridge.buildkite.BuildkiteJson.MAPPER.valueToTree(new TreeMap<>(filters)).toString();
    }
}
