package dev.kitebridge.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIMatcher;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;

/**
 * Connections go to the address that was checked, with the original name in Host, in TLS SNI and
 * in the certificate's check: an HTTPS receiver on 127.0.0.1 with a certificate for
 * {@code hooks.test}, which the test's resolver maps there.
 */
class PinnedPostTest {

    @TempDir
    static Path folder;

    private static HttpsServer server;
    private static SSLContext clientTls;
    private static final List<String> sniNames = new CopyOnWriteArrayList<>();
    private static final List<String> hosts = new CopyOnWriteArrayList<>();

    /** Once for the class: keytool takes seconds. */
    @BeforeAll
    static void start() throws Exception {
        Path store = folder.resolve("hooks.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "hooks", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=hooks.test",
                "-ext", "SAN=dns:hooks.test", "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
        String said = new String(keytool.getInputStream().readAllBytes());
        assertEquals(0, keytool.waitFor(), said);
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(store.toFile())) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, "changeit".toCharArray());
        SSLContext serverTls = SSLContext.getInstance("TLS");
        serverTls.init(keyManagers.getKeyManagers(), null, null);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(keys);
        clientTls = SSLContext.getInstance("TLS");
        clientTls.init(null, trust.getTrustManagers(), null);

        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(serverTls) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters parameters = serverTls.getDefaultSSLParameters();
                parameters.setSNIMatchers(List.of(new SNIMatcher(0) { // records the name the client asked for
                    @Override
                    public boolean matches(SNIServerName name) {
                        sniNames.add(new String(name.getEncoded()));
                        return true;
                    }
                }));
                params.setSSLParameters(parameters);
            }
        });
        server.createContext("/hooks", exchange -> {
            hosts.add(exchange.getRequestHeaders().getFirst("Host"));
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Retry-After", "7");
            exchange.sendResponseHeaders(429, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    @Test
    void theCheckedAddressIsConnectedToWithTheNameInHostSniAndTheCertificateCheck() throws Exception {
        int port = server.getAddress().getPort();
        WebhookTargets targets = new WebhookTargets(true, host -> List.of(InetAddress.getLoopbackAddress()));
        PinnedPost post = new PinnedPost(clientTls);

        PinnedPost.Answer answer = post.post(targets.resolve("https://hooks.test:" + port + "/hooks?x=1"),
                Map.of("Content-Type", "application/json"), "{}".getBytes(), Duration.ofSeconds(5));

        assertEquals(new PinnedPost.Answer(429, Optional.of("7")), answer);
        assertEquals(List.of("hooks.test"), sniNames);
        assertEquals(List.of("hooks.test:" + port), hosts);
        SSLHandshakeException wrongName = assertThrows(SSLHandshakeException.class, () -> post.post(
                targets.resolve("https://elsewhere.test:" + port + "/hooks"), Map.of(), new byte[0], Duration.ofSeconds(5)));
        assertTrue(wrongName.getMessage().contains("elsewhere.test") || String.valueOf(wrongName.getCause()).contains("elsewhere.test"),
                "the certificate is checked against the URL's name, not the address: " + wrongName);
        assertEquals(1, hosts.size(), "nothing was sent to a receiver whose certificate does not name the target");
    }

    @Test
    void aReceiverThatNeverAnswersIsGivenUpOnAtTheTimeout() throws Exception {
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            WebhookTargets targets = new WebhookTargets(true, host -> List.of(InetAddress.getLoopbackAddress()));
            long started = System.nanoTime();
            assertThrows(java.net.SocketTimeoutException.class, () -> new PinnedPost(clientTls).post(
                    targets.resolve("http://127.0.0.1:" + silent.getLocalPort() + "/hooks"), Map.of(), new byte[0], Duration.ofMillis(300)));
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(5).toNanos());
        }
    }
}
