package dev.kitebridge.connect;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.kitebridge.contract.ApiError;

/**
 * Origins and redirect URLs, checked: an origin is {@code https://host[:port]} (http only for
 * localhost, 127.0.0.1 and [::1], for local development), without a path, a query, a fragment or
 * credentials; a redirect URL is an absolute URL of such an origin, without credentials or a fragment.
 */
public final class RedirectOrigins {

    static final int MAX_ORIGINS = 20;
    public static final int MAX_URL = 2_048;
    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]");

    private RedirectOrigins() {}

    /**
     * A tenant's origins as kept: each checked and in its plain form, without repeats.
     *
     * @throws ApiError 400 naming the origin refused, or too many
     */
    public static List<String> checked(List<String> values) {
        if (values.size() > MAX_ORIGINS) {
            throw ApiError.invalidRequest("allowed_redirect_origins holds at most " + MAX_ORIGINS + " origins");
        }
        LinkedHashSet<String> kept = new LinkedHashSet<>();
        for (String value : values) {
            Checked origin = origin(value);
            if (origin.refusal() != null) {
                throw ApiError.invalidRequest("allowed_redirect_origins: " + origin.refusal());
            }
            kept.add(origin.value());
        }
        return List.copyOf(kept);
    }

    /** The origin as kept ({@code https://app.example.com:8443}, lower case, no default port), or a refusal's reason. */
    static Checked origin(String value) {
        URI uri = parse(value);
        if (uri == null) {
            return Checked.refused("'" + value + "' is not an origin (scheme://host[:port])");
        }
        String refusal = refusal(uri);
        if (refusal != null) {
            // An origin with credentials in it is not quoted back.
            return Checked.refused((uri.getRawUserInfo() == null ? "'" + value + "'" : "an origin") + " " + refusal);
        }
        boolean bare = (uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/")) && uri.getRawQuery() == null
                && uri.getRawFragment() == null;
        if (!bare) {
            return Checked.refused("'" + value + "' is not an origin: it has a path, a query or a fragment");
        }
        return Checked.of(originOf(uri));
    }

    /** The redirect URL's origin, or a refusal's reason. */
    static Checked originOfRedirect(String value) {
        if (value.length() > MAX_URL) {
            return Checked.refused("redirect_url must be at most " + MAX_URL + " characters");
        }
        URI uri = parse(value);
        if (uri == null) {
            return Checked.refused("redirect_url must be an absolute http(s) URL");
        }
        String refusal = refusal(uri);
        if (refusal != null) {
            return Checked.refused("redirect_url " + refusal);
        }
        if (uri.getRawFragment() != null) {
            return Checked.refused("redirect_url must not have a fragment (#…): the page adds its query parameters");
        }
        return Checked.of(originOf(uri));
    }

    /** A refusal or a value. */
    record Checked(String value, String refusal) {
        static Checked of(String value) {
            return new Checked(value, null);
        }

        static Checked refused(String refusal) {
            return new Checked(null, refusal);
        }
    }

    private static URI parse(String value) {
        try {
            URI uri = new URI(value.trim());
            return uri.isAbsolute() && uri.getHost() != null ? uri : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private static String refusal(URI uri) {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        String host = host(uri);
        if (uri.getRawUserInfo() != null) {
            return "must not carry user:password@";
        }
        if (scheme.equals("http") && !LOOPBACK.contains(host)) {
            return "must be https (http only to localhost, 127.0.0.1 or [::1])";
        }
        if (!scheme.equals("https") && !scheme.equals("http")) {
            return "must be https";
        }
        return null;
    }

    private static String host(URI uri) {
        return uri.getHost().toLowerCase(Locale.ROOT);
    }

    /** The origin of a URL already checked (a session's redirect_url), as kept. */
    public static String originOf(String checkedUrl) {
        return originOf(URI.create(checkedUrl));
    }

    private static String originOf(URI uri) {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        boolean defaultPort = port == -1 || (scheme.equals("https") && port == 443) || (scheme.equals("http") && port == 80);
        return scheme + "://" + host(uri) + (defaultPort ? "" : ":" + port);
    }
}
