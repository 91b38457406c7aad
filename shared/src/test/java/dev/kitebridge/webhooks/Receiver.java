package dev.kitebridge.webhooks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/** A webhook receiver on localhost over real HTTP: it answers as its script says and remembers every request. */
final class Receiver implements AutoCloseable {

    /** How the receiver answers the {@code attempt}-th delivery (from 1) of an event. */
    interface Script {
        Answer answer(String eventId, int attempt) throws InterruptedException;
    }

    record Answer(int status, Map<String, String> headers) {
        static final Answer OK = new Answer(200, Map.of());

        static Answer of(int status) {
            return new Answer(status, Map.of());
        }
    }

    /** One request as it arrived, and what it was answered. */
    record Request(String eventId, String signature, String contentType, String body, int answered) {}

    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private final Script script;
    private final int port;
    private HttpServer server;

    private Receiver(Script script, int port) {
        this.script = script;
        this.port = port;
    }

    static Receiver start(Script script) {
        Receiver receiver = new Receiver(script, 0);
        receiver.server = receiver.listen(0);
        return receiver;
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks";
    }

    /** Goes down: connections are refused until {@link #restart}. */
    void stop() {
        server.stop(0);
    }

    /** Comes back on the same port. */
    void restart() {
        server = listen(server.getAddress().getPort());
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The ids of the events taken (answered 2xx), in the order they were. */
    List<String> taken() {
        return requests.stream().filter(r -> r.answered() / 100 == 2).map(Request::eventId).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private HttpServer listen(int onPort) {
        try {
            HttpServer listening = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 0);
            listening.createContext("/hooks", this::handle);
            listening.start();
            return listening;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            String eventId = exchange.getRequestHeaders().getFirst("Kitebridge-Event-Id");
            Answer answer = script.answer(eventId, attempts.computeIfAbsent(eventId, id -> new AtomicInteger()).incrementAndGet());
            requests.add(new Request(eventId, exchange.getRequestHeaders().getFirst("Kitebridge-Signature"),
                    exchange.getRequestHeaders().getFirst("Content-Type"), body, answer.status()));
            answer.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            exchange.sendResponseHeaders(answer.status(), -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
