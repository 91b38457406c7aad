package dev.kitebridge.webhooks;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 POST to the addresses a {@link WebhookTargets.Target} was checked for, and nowhere
 * else. java.net.http.HttpClient cannot do it in JDK 17: it resolves the URI's host itself when it
 * connects (a second lookup that DNS may answer differently), takes no resolver, and given the
 * address in the URI instead it will not send the name in {@code Host} (a restricted header) and
 * checks the certificate against the address. So this opens the socket to the checked address, runs
 * TLS over it for the original name (SNI, and the certificate's check by endpoint identification
 * "HTTPS", as HttpClient does), and reads only what a delivery needs: the status and
 * {@code Retry-After}. It follows no redirect, and gives up at the timeout however slowly the
 * receiver drips its answer.
 */
final class PinnedPost {

    /** Past this much status line and headers, the answer is not a receiver's. */
    private static final int MAX_HEAD = 16 * 1024;

    /** What the receiver answered. */
    record Answer(int status, Optional<String> retryAfter) {}

    private final SSLSocketFactory tls;

    PinnedPost(SSLContext context) {
        this.tls = context.getSocketFactory();
    }

    /** With the JDK's trusted certificate authorities. */
    static PinnedPost withDefaultTrust() {
        try {
            return new PinnedPost(SSLContext.getDefault());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no default TLS context", e);
        }
    }

    /**
     * Sends {@code body} with {@code headers}; the whole exchange, connection included, within {@code timeout}.
     *
     * @throws IOException on a connection, TLS or certificate failure, a malformed answer, or the timeout
     */
    Answer post(WebhookTargets.Target target, Map<String, String> headers, byte[] body, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Socket socket = open(target, deadline)) {
            OutputStream out = socket.getOutputStream();
            StringBuilder head = new StringBuilder("POST ").append(requestTarget(target)).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(target.authority()).append("\r\n");
            headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
            head.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            return read(socket, new BufferedInputStream(socket.getInputStream()), deadline);
        }
    }

    private Socket open(WebhookTargets.Target target, long deadline) throws IOException {
        IOException failed = null;
        for (InetAddress address : target.addresses()) {
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(address, target.port()), remainingMillis(deadline));
                return target.https() ? secure(socket, target, deadline) : socket;
            } catch (IOException e) {
                socket.close();
                if (failed != null) {
                    e.addSuppressed(failed);
                }
                failed = e;
            }
        }
        throw failed;
    }

    private Socket secure(Socket socket, WebhookTargets.Target target, long deadline) throws IOException {
        SSLSocket ssl = (SSLSocket) tls.createSocket(socket, target.host(), target.port(), true);
        SSLParameters parameters = ssl.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name target.host()
        if (target.named()) {
            parameters.setServerNames(List.of(new SNIHostName(target.host())));
        }
        ssl.setSSLParameters(parameters);
        ssl.setSoTimeout(remainingMillis(deadline));
        ssl.startHandshake();
        return ssl;
    }

    private static String requestTarget(WebhookTargets.Target target) {
        String path = target.uri().getRawPath() == null || target.uri().getRawPath().isEmpty() ? "/" : target.uri().getRawPath();
        return target.uri().getRawQuery() == null ? path : path + "?" + target.uri().getRawQuery();
    }

    /** The status and Retry-After of the final answer (1xx interim answers are passed over); the body is not read. */
    private static Answer read(Socket socket, InputStream in, long deadline) throws IOException {
        int[] budget = {MAX_HEAD};
        while (true) {
            String status = line(socket, in, deadline, budget);
            String[] parts = status.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !parts[1].matches("[1-5][0-9][0-9]")) {
                throw new IOException("malformed answer from the receiver");
            }
            Optional<String> retryAfter = Optional.empty();
            for (String header = line(socket, in, deadline, budget); !header.isEmpty(); header = line(socket, in, deadline, budget)) {
                int colon = header.indexOf(':');
                if (colon > 0 && header.substring(0, colon).strip().toLowerCase(Locale.ROOT).equals("retry-after")) {
                    retryAfter = Optional.of(header.substring(colon + 1).strip());
                }
            }
            int code = Integer.parseInt(parts[1]);
            if (code >= 200) {
                return new Answer(code, retryAfter);
            }
        }
    }

    private static String line(Socket socket, InputStream in, long deadline, int[] budget) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            socket.setSoTimeout(remainingMillis(deadline));
            int c = in.read();
            if (c == -1) {
                throw new IOException("the receiver closed the connection before answering");
            }
            if (--budget[0] < 0) {
                throw new IOException("the receiver's answer has too long a head");
            }
            if (c == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(c);
        }
    }

    private static int remainingMillis(long deadline) throws SocketTimeoutException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new SocketTimeoutException("no answer within the delivery's timeout");
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }
}
