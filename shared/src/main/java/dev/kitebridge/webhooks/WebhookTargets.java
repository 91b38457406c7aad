package dev.kitebridge.webhooks;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Which URLs deliveries may go to. This runs in the customer's AWS account, beside its VPC, the
 * instance metadata service and Lambda's Runtime API (127.0.0.1:9001): a target is https to public
 * addresses only, however its host is spelled (decimal, hex or octal IPv4, IPv4 inside IPv6, a
 * name resolving to any of them), unless the deployment allows private targets. Checked when a
 * subscription is made, and at every delivery, which connects to the very addresses it checked
 * ({@link Target#addresses}): DNS is asked once, so it cannot answer differently in between.
 *
 * @param allowPrivate http, and loopback, private and other non-public unicast addresses, allowed
 *     ({@value #ALLOW_PRIVATE_VARIABLE}{@code =true}, which the dev server sets for receivers on
 *     the developer's machine); link-local, metadata, unspecified and multicast addresses never are
 * @param resolver how host names become addresses
 */
public record WebhookTargets(boolean allowPrivate, Resolver resolver) {

    /** The deployment parameter; anything but {@code true} (unset included) refuses private targets. */
    public static final String ALLOW_PRIVATE_VARIABLE = "KITEBRIDGE_WEBHOOK_ALLOW_PRIVATE_TARGETS";
    public static final int MAX_LENGTH = 2_048;

    /** Public targets only, resolved by the system: a deployed stack's default. */
    public static final WebhookTargets PUBLIC_ONLY = new WebhookTargets(false, Resolver.SYSTEM);

    /** Host names to addresses; tests inject one so that no lookup leaves the machine. */
    @FunctionalInterface
    public interface Resolver {
        /** @throws UnknownHostException if the name has no address */
        List<InetAddress> resolve(String host) throws UnknownHostException;

        Resolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));
    }

    /**
     * A target as checked for one delivery.
     *
     * @param host the name to ask for there, without brackets or a trailing dot: TLS SNI and the certificate's check
     * @param named whether {@code host} is a name (sent as SNI) rather than an address
     * @param authority what the Host header says: the URL's host and port as written
     * @param addresses where to connect, every one of them allowed
     */
    public record Target(URI uri, boolean https, String host, boolean named, String authority, int port, List<InetAddress> addresses) {}

    /** A target deliveries must not go to, with the reason (kept with the parked delivery). */
    public static final class Refused extends Exception {
        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    public static WebhookTargets fromEnvironment(Map<String, String> env) {
        return new WebhookTargets("true".equalsIgnoreCase(env.getOrDefault(ALLOW_PRIVATE_VARIABLE, "").strip()), Resolver.SYSTEM);
    }

    /**
     * Why a target URL is refused when subscribing (a message naming {@code target_url}), or null.
     * A host name is resolved and every address checked; one that does not resolve is refused with
     * the same words as one resolving to a private address, so that the answer tells nothing of
     * internal DNS. With private targets allowed a name is not looked up here: only link-local and
     * unusable addresses are refused then, and each delivery checks those.
     */
    public String refusal(String targetUrl) {
        try {
            Parsed parsed = parse(targetUrl);
            if (parsed.literal() != null) {
                AddressKind kind = AddressKind.of(parsed.literal());
                return allowed(kind) ? null : "target_url must not point at " + kind.words + " address"
                        + (kind == AddressKind.NON_PUBLIC ? ": webhooks go to public addresses only" : "");
            }
            if (allowPrivate) {
                return null;
            }
            String hostRefused = "target_url's host " + parsed.host() + " must resolve to public addresses only, and does not";
            try {
                List<InetAddress> addresses = resolver.resolve(parsed.host());
                return !addresses.isEmpty() && addresses.stream().allMatch(a -> AddressKind.of(a) == AddressKind.PUBLIC) ? null
                        : hostRefused;
            } catch (UnknownHostException e) {
                return hostRefused;
            }
        } catch (Refused refused) {
            return refused.getMessage();
        }
    }

    /**
     * The target, resolved once and checked, for a delivery to connect to.
     *
     * @throws Refused if the URL or any of its host's addresses is not allowed (the delivery is not retried)
     * @throws UnknownHostException if the host does not resolve now (the delivery is retried later)
     */
    public Target resolve(String targetUrl) throws Refused, UnknownHostException {
        Parsed parsed = parse(targetUrl);
        List<InetAddress> addresses = parsed.literal() != null ? List.of(parsed.literal()) : resolver.resolve(parsed.host());
        if (addresses.isEmpty()) {
            throw new UnknownHostException(parsed.host());
        }
        for (InetAddress address : addresses) {
            AddressKind kind = AddressKind.of(address);
            if (!allowed(kind)) {
                throw new Refused("the target's host resolves to " + kind.words + " address");
            }
        }
        return new Target(parsed.uri(), parsed.https(), parsed.host(), parsed.literal() == null, parsed.uri().getRawAuthority(), parsed.port(),
                List.copyOf(addresses));
    }

    private boolean allowed(AddressKind kind) {
        return kind == AddressKind.PUBLIC || (allowPrivate && kind == AddressKind.NON_PUBLIC);
    }

    /** @param literal the address the host spells out, or null for a name to resolve */
    private record Parsed(URI uri, boolean https, String host, int port, InetAddress literal) {}

    private Parsed parse(String targetUrl) throws Refused {
        URI uri;
        try {
            uri = new URI(targetUrl);
        } catch (URISyntaxException e) {
            throw new Refused("target_url is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw new Refused("target_url must be an absolute https URL with a host");
        }
        if (uri.getRawUserInfo() != null) {
            throw new Refused("target_url must not hold credentials (user:password@); authenticate deliveries by their signature");
        }
        if (scheme.equals("http") && !allowPrivate) {
            throw new Refused("target_url must use https");
        }
        int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        if (port < 1 || port > 65_535) {
            throw new Refused("target_url's port must be from 1 to 65535"); // java.net.URI takes any number
        }
        String host = uri.getHost();
        if (host.startsWith("[")) {
            String inside = host.substring(1, host.length() - 1);
            try {
                return new Parsed(uri, scheme.equals("https"), inside, port, InetAddress.getByName(inside)); // a literal: no lookup
            } catch (UnknownHostException e) {
                throw new Refused("target_url's host " + host + " is not a valid IPv6 address");
            }
        }
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        String last = name.substring(name.lastIndexOf('.') + 1);
        if (last.matches("[0-9]+|0[xX][0-9a-fA-F]*")) {
            // Ending in a number, it is an IPv4 address to every resolver (inet_aton reads 2130706433, 0x7f.1,
            // 0177.0.0.1 as 127.0.0.1), never a name: read it so, and refuse what is not a valid one.
            return new Parsed(uri, scheme.equals("https"), name, port, ipv4(name)
                    .orElseThrow(() -> new Refused("target_url's host " + host + " is neither a host name nor a valid IPv4 address")));
        }
        return new Parsed(uri, scheme.equals("https"), name.toLowerCase(Locale.ROOT), port, null);
    }

    /** An IPv4 address in any form inet_aton takes: 1 to 4 parts, each decimal, 0x hex or 0 octal, the last filling the rest. */
    private static Optional<InetAddress> ipv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length > 4) {
            return Optional.empty();
        }
        long value = 0;
        for (int i = 0; i < parts.length; i++) {
            long part = number(parts[i]);
            long max = i < parts.length - 1 ? 0xFF : (1L << (8 * (4 - i))) - 1;
            if (part < 0 || part > max) {
                return Optional.empty();
            }
            value = i < parts.length - 1 ? value | part << (8 * (3 - i)) : value | part;
        }
        byte[] bytes = {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
        try {
            return Optional.of(InetAddress.getByAddress(bytes));
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** A part's value, or -1 if it is not a number (or too long to be one of an address). */
    private static long number(String part) {
        try {
            if (part.length() > 2 && (part.startsWith("0x") || part.startsWith("0X"))) {
                return part.length() > 10 ? -1 : Long.parseLong(part.substring(2), 16);
            }
            if (part.length() > 1 && part.startsWith("0")) {
                return part.length() > 12 ? -1 : Long.parseLong(part.substring(1), 8);
            }
            return part.isEmpty() || part.length() > 10 ? -1 : Long.parseLong(part);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
