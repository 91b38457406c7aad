package dev.kitebridge.buildkite;

import java.net.URI;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Buildkite's RFC 5988 {@code Link} header: {@code <url>; rel="next", <url>; rel="last"}. A missing
 * header means a single page; a missing {@code next} means the last page.
 */
public final class LinkHeader {

    private static final Pattern LINK = Pattern.compile("<([^>]*)>\\s*((?:;\\s*[^,;]+)*)");
    private static final Pattern REL = Pattern.compile(";\\s*rel\\s*=\\s*\"?([^\";]+)\"?");

    private LinkHeader() {}

    /** The URL with the given rel ({@code next}, {@code prev}, {@code first}, {@code last}). */
    public static Optional<URI> find(String header, String rel) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        Matcher link = LINK.matcher(header);
        while (link.find()) {
            Matcher rels = REL.matcher(link.group(2));
            while (rels.find()) {
                for (String name : rels.group(1).trim().split("\\s+")) {
                    if (name.equalsIgnoreCase(rel)) {
                        try {
                            return Optional.of(URI.create(link.group(1).trim()));
                        } catch (IllegalArgumentException malformed) {
                            return Optional.empty();
                        }
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** The next page's request, or empty on the last page. */
    public static Optional<PageRequest> next(String header) {
        return find(header, "next").map(PageRequest::fromLink);
    }
}
