package dev.kitebridge.webhooks;

import java.net.InetAddress;

/**
 * What an address is, for deciding whether a delivery may go there. Only global unicast addresses
 * are {@link #PUBLIC}; an address that carries an IPv4 one (IPv4-mapped, NAT64 64:ff9b::/96, 6to4)
 * is what the IPv4 address is, so that no spelling of 127.0.0.1 or 10.0.0.1 passes.
 */
enum AddressKind {

    PUBLIC("a public"),
    /** Loopback, private, shared (100.64/10), benchmarking, documentation, unique-local and other non-global unicast. */
    NON_PUBLIC("a private, loopback or otherwise non-public"),
    /** 169.254/16 and fe80::/10, and EC2's IPv6 metadata, DNS and time addresses (fd00:ec2::/32): never a receiver. */
    LINK_LOCAL("a link-local or metadata"),
    /** Unspecified (0.0.0.0/8, ::, which reach the host itself), multicast, broadcast and 240/4: never a receiver either. */
    UNUSABLE("an unspecified, multicast or reserved");

    /** "an x" in "... must not point at an x address". */
    final String words;

    AddressKind(String words) {
        this.words = words;
    }

    static AddressKind of(InetAddress address) {
        byte[] b = address.getAddress();
        return b.length == 4 ? ofIpv4(u(b[0]), u(b[1]), u(b[2]), u(b[3])) : ofIpv6(b);
    }

    private static AddressKind ofIpv4(int a, int b, int c, int d) {
        if (a == 0 || a >= 224) {
            return UNUSABLE; // 0/8; 224/4 multicast; 240/4 reserved, 255.255.255.255 broadcast
        }
        if (a == 169 && b == 254) {
            return LINK_LOCAL;
        }
        boolean nonPublic = a == 10 || a == 127
                || (a == 100 && (b & 0xC0) == 64)          // 100.64/10, carrier-grade NAT (shared)
                || (a == 172 && (b & 0xF0) == 16)          // 172.16/12
                || (a == 192 && b == 168)
                || (a == 192 && b == 0 && (c == 0 || c == 2)) // 192.0.0/24 protocol assignments, 192.0.2/24 documentation
                || (a == 192 && b == 88 && c == 99)        // 6to4 relay anycast
                || (a == 198 && (b & 0xFE) == 18)          // 198.18/15 benchmarking
                || (a == 198 && b == 51 && c == 100) || (a == 203 && b == 0 && c == 113); // documentation
        return nonPublic ? NON_PUBLIC : PUBLIC;
    }

    private static AddressKind ofIpv6(byte[] b) {
        if (prefixZero(b, 10) && u(b[10]) == 0xFF && u(b[11]) == 0xFF) {
            return embedded(b, 12); // ::ffff:a.b.c.d, IPv4-mapped
        }
        if (u(b[0]) == 0x00 && u(b[1]) == 0x64 && u(b[2]) == 0xFF && u(b[3]) == 0x9B && zero(b, 4, 12)) {
            return embedded(b, 12); // 64:ff9b::a.b.c.d, NAT64's well-known prefix
        }
        if (u(b[0]) == 0x20 && u(b[1]) == 0x02) {
            return embedded(b, 2); // 2002:aabb:ccdd::, 6to4
        }
        if (prefixZero(b, 16)) {
            return UNUSABLE; // ::
        }
        if (u(b[0]) == 0xFF) {
            return UNUSABLE; // multicast
        }
        if ((u(b[0]) == 0xFE && (u(b[1]) & 0xC0) == 0x80)
                || (u(b[0]) == 0xFD && u(b[1]) == 0x00 && u(b[2]) == 0x0E && u(b[3]) == 0xC2)) {
            return LINK_LOCAL; // fe80::/10; fd00:ec2::/32
        }
        if ((u(b[0]) & 0xE0) != 0x20) {
            return NON_PUBLIC; // outside 2000::/3: ::1, fc00::/7, ::a.b.c.d (IPv4-compatible), 64:ff9b:1::/48, 100::/64, ...
        }
        boolean special = (u(b[0]) == 0x20 && u(b[1]) == 0x01 && u(b[2]) < 0x02) // 2001::/23 protocol assignments (Teredo, ORCHID, ...)
                || (u(b[0]) == 0x20 && u(b[1]) == 0x01 && u(b[2]) == 0x0D && u(b[3]) == 0xB8) // 2001:db8::/32 documentation
                || (u(b[0]) == 0x3F && u(b[1]) == 0xFF && (u(b[2]) & 0xF0) == 0);           // 3fff::/20 documentation
        return special ? NON_PUBLIC : PUBLIC;
    }

    private static AddressKind embedded(byte[] b, int at) {
        return ofIpv4(u(b[at]), u(b[at + 1]), u(b[at + 2]), u(b[at + 3]));
    }

    private static boolean prefixZero(byte[] b, int length) {
        return zero(b, 0, length);
    }

    private static boolean zero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static int u(byte value) {
        return value & 0xFF;
    }
}
