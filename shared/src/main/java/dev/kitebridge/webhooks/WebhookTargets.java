package dev.kitebridge.webhooks;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Which URLs deliveries may go to. This runs in the customer's AWS account, so a target must never
 * reach the instance metadata service (169.254.169.254, fd00:ec2::254) or anything else link-local.
 */
public final class WebhookTargets {

    public static final int MAX_LENGTH = 2_048;

    private WebhookTargets() {}

    /**
     * Why a target URL is refused (a message naming the problem), or null if it is acceptable:
     * https, or http to the loopback interface (local development and tests); a host; no
     * credentials; not a link-local address.
     */
    public static String refusal(String targetUrl) {
        URI uri;
        try {
            uri = new URI(targetUrl);
        } catch (URISyntaxException e) {
            return "target_url is not a valid URL";
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            return "target_url must be an absolute https URL with a host";
        }
        if (uri.getRawUserInfo() != null) {
            return "target_url must not hold credentials (user:password@); authenticate deliveries by their signature";
        }
        if (scheme.equals("http") && !loopback(uri.getHost())) {
            return "target_url must use https (http is allowed only to localhost, for local development)";
        }
        if (literal(uri.getHost()) && forbidden(uri.getHost())) {
            return "target_url must not point at a link-local or instance metadata address";
        }
        return null;
    }

    /** Whether the target's host resolves to an address deliveries must not reach; checked before every delivery. */
    public static boolean resolvesToForbidden(URI target) {
        try {
            for (InetAddress address : InetAddress.getAllByName(target.getHost())) {
                if (forbidden(address)) {
                    return true;
                }
            }
            return false;
        } catch (UnknownHostException e) {
            return false; // not resolvable now: the delivery fails as a network error and is retried
        }
    }

    private static boolean forbidden(String literalHost) {
        try {
            return forbidden(InetAddress.getByName(literalHost));
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static boolean forbidden(InetAddress address) {
        // isLinkLocalAddress covers 169.254.0.0/16 and fe80::/10; EC2's IPv6 metadata endpoint is a unique-local address.
        return address.isLinkLocalAddress() || address.getHostAddress().equals("fd00:ec2:0:0:0:0:0:254");
    }

    private static boolean loopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        try {
            return literal(host) && InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** An IP address written out (no DNS lookup for it). */
    private static boolean literal(String host) {
        return host.startsWith("[") || host.matches("[0-9.]+");
    }
}
