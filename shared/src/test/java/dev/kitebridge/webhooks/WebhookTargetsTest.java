package dev.kitebridge.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** Which targets pass, with names resolved by the test: no lookup, and no packet, leaves the machine. */
class WebhookTargetsTest {

    private static final Map<String, String> NAMES = Map.of(
            "hooks.example.com", "203.0.114.10",
            "v6.example.com", "2a00:1450:4001:80b::200e",
            "loopback.example.com", "127.0.0.1",
            "private.example.com", "10.0.0.1",
            "metadata.example.com", "169.254.169.254",
            "mixed.example.com", "203.0.114.10,192.168.0.7",
            "mapped.example.com", "::ffff:10.0.0.1");

    private final AtomicInteger lookups = new AtomicInteger();
    private final WebhookTargets.Resolver resolver = host -> {
        lookups.incrementAndGet();
        String addresses = NAMES.get(host);
        if (addresses == null) {
            throw new UnknownHostException(host);
        }
        List<InetAddress> resolved = new ArrayList<>();
        for (String address : addresses.split(",")) {
            resolved.add(InetAddress.getByName(address)); // a literal: no lookup
        }
        return resolved;
    };
    private final WebhookTargets deployed = new WebhookTargets(false, resolver);
    private final WebhookTargets devServer = new WebhookTargets(true, resolver);

    @Test
    void everySpellingOfANonPublicAddressIsRefusedWithoutALookup() {
        List<String> hosts = List.of(
                // loopback, Lambda's Runtime API among them
                "127.0.0.1", "127.0.0.1:9001", "127.1", "2130706433", "0x7f000001", "0x7f.0.0.1", "0177.0.0.1", "0177.1",
                "127.0.0.1.", "[::1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[0:0:0:0:0:ffff:7f00:1]", "[::127.0.0.1]",
                // unspecified, which reaches the host itself
                "0.0.0.0", "0", "0.1.2.3", "[::]",
                // private, shared, benchmarking, documentation, reserved
                "10.0.0.1", "012.0.0.1", "167772161", "172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1",
                "100.127.255.255", "198.18.0.1", "198.19.255.255", "192.0.0.8", "192.0.2.1", "198.51.100.1", "203.0.113.1",
                "[fd00::1]", "[fc00::1]", "[2001:db8::1]", "[::ffff:10.0.0.1]", "[::ffff:192.168.0.1]",
                // NAT64 and 6to4 carrying one, Teredo
                "[64:ff9b::a00:1]", "[64:ff9b::127.0.0.1]", "[64:ff9b:1::1]", "[2002:a00:1::]", "[2002:7f00:1::1]", "[2001::1]",
                // link-local, metadata
                "169.254.169.254", "2852039166", "0xa9fea9fe", "[fe80::1]", "[fd00:ec2::254]", "[::ffff:169.254.169.254]",
                // multicast, broadcast, reserved
                "224.0.0.1", "239.255.255.250", "255.255.255.255", "240.0.0.1", "[ff02::1]");
        for (String host : hosts) {
            String refusal = deployed.refusal("https://" + host + "/hooks");
            assertTrue(refusal != null && refusal.startsWith("target_url"), host + ": " + refusal);
            assertThrows(WebhookTargets.Refused.class, () -> deployed.resolve("https://" + host + "/hooks"), host);
        }
        assertEquals(0, lookups.get(), "an address however spelled is read, never looked up");
    }

    @Test
    void hostsEndingInANumberThatIsNoAddressAreRefusedNotLookedUp() {
        for (String host : List.of("1.2.3.4.5", "256.0.0.1", "1.2.3.256", "08.0.0.1", "0x", "a.b.1", "4294967296", "1.16777216")) {
            String refusal = deployed.refusal("https://" + host + "/");
            assertTrue(refusal != null && refusal.startsWith("target_url"), host + ": " + refusal);
        }
        assertEquals(0, lookups.get());
    }

    @Test
    void publicAddressesAndNamesResolvingOnlyToThemPass() throws Exception {
        for (String url : List.of("https://hooks.example.com/kb", "https://HOOKS.example.com./kb", "https://v6.example.com:8443/",
                "https://203.0.114.10/", "https://[2a00:1450:4001:80b::200e]/", "https://[64:ff9b::cb00:720a]/",
                "https://[2002:cb00:720a::1]/", "https://3405804042/")) {
            assertNull(deployed.refusal(url), url);
        }
        WebhookTargets.Target target = deployed.resolve("https://HOOKS.example.com./kb?x=1");
        assertEquals("hooks.example.com", target.host(), "the name for SNI and the certificate: no trailing dot");
        assertEquals(List.of(InetAddress.getByName("203.0.114.10")), target.addresses(), "the address checked is the one to connect to");
        assertEquals(443, target.port());
        assertTrue(target.named());
    }

    @Test
    void aNameIsRefusedIfAnyOfItsAddressesIsNotPublicAndAtSubscribeAsIfItDidNotResolve() {
        String unknown = deployed.refusal("https://nowhere.example.com/");
        for (String name : List.of("loopback", "private", "metadata", "mixed", "mapped")) {
            String url = "https://" + name + ".example.com/";
            assertEquals(unknown.replace("nowhere", name), deployed.refusal(url), "nothing told of internal DNS");
            assertThrows(WebhookTargets.Refused.class, () -> deployed.resolve(url), name);
        }
        assertThrows(UnknownHostException.class, () -> deployed.resolve("https://nowhere.example.com/"),
                "a name that does not resolve at delivery is retried later");
    }

    @Test
    void httpAndPrivateTargetsOnlyWhereTheDeploymentAllowsThem() throws Exception {
        assertEquals("target_url must use https", deployed.refusal("http://hooks.example.com/"));
        assertTrue(deployed.refusal("https://localhost/").startsWith("target_url's host localhost must resolve to public addresses"));
        assertNull(devServer.refusal("http://127.0.0.1:9001/hooks"));
        assertNull(devServer.refusal("http://localhost:8080/hooks"));
        assertNull(devServer.refusal("https://10.0.0.1/"));
        assertEquals(List.of(InetAddress.getByName("10.0.0.1")), devServer.resolve("https://private.example.com/").addresses());
        for (String never : List.of("https://169.254.169.254/", "https://[fd00:ec2::254]/", "https://0.0.0.0/", "https://[::]/",
                "https://224.0.0.1/")) {
            assertTrue(devServer.refusal(never) != null, never + " is refused even so");
        }
        assertEquals("target_url's port must be from 1 to 65535", devServer.refusal("http://127.0.0.1:99999/hooks"),
                "a port java.net.URI takes but no socket can");
        WebhookTargets.Refused refused = assertThrows(WebhookTargets.Refused.class,
                () -> devServer.resolve("https://metadata.example.com/latest/meta-data/"));
        assertEquals("the target's host resolves to a link-local or metadata address", refused.getMessage());
    }

    @Test
    void theParameterAllowsPrivateTargetsOnlyWhenTrue() {
        assertEquals(false, WebhookTargets.fromEnvironment(Map.of()).allowPrivate(), "unset: refused, as in template.yaml");
        assertEquals(false, WebhookTargets.fromEnvironment(Map.of(WebhookTargets.ALLOW_PRIVATE_VARIABLE, "yes")).allowPrivate());
        assertEquals(true, WebhookTargets.fromEnvironment(Map.of(WebhookTargets.ALLOW_PRIVATE_VARIABLE, "true")).allowPrivate());
    }

    @Test
    void malformedTargetsNameTargetUrl() {
        Map.of("not a url", "not a valid URL", "ftp://hooks.example.com/", "https URL", "https:///x", "https URL",
                "https://me:pw@hooks.example.com/", "credentials", "https://[zz::1]/", "target_url").forEach((url, named) -> {
            String refusal = deployed.refusal(url);
            if (refusal == null || !refusal.contains(named)) {
                fail(url + ": " + refusal);
            }
        });
    }
}
