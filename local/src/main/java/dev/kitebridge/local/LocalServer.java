package dev.kitebridge.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.kitebridge.api.HttpApiEvents;

/**
 * Serves template.yaml's routes on localhost: each request becomes the API Gateway HTTP API
 * event (payload 2.0) the function would get, with the local tenant as the authorizer's answer.
 */
public final class LocalServer implements AutoCloseable {

    private final HttpServer server;
    private LocalRuntime runtime;

    /**
     * Takes the port, before anything slow is started, and serves nothing until {@link #serve}.
     *
     * @throws java.net.BindException if another process has the port
     */
    public LocalServer(int port) throws IOException {
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "local-server");
            thread.setDaemon(true);
            return thread;
        }));
    }

    /** Serves the runtime's routes from now on. */
    public LocalServer serve(LocalRuntime serving) {
        this.runtime = serving;
        server.start();
        return this;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        URI uri = exchange.getRequestURI();
        String method = exchange.getRequestMethod();
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        for (Template.Function function : runtime.template().functions()) {
            for (Template.Route route : function.routes()) {
                Map<String, String> parameters = route.match(method, uri.getRawPath());
                if (parameters != null && !route.authorized()) {
                    APIGatewayV2HTTPResponse response = runtime.invoke(function.name(), event(exchange, route, parameters, body, null));
                    write(exchange, response.getStatusCode(), response.getHeaders(), response.getBody());
                    return;
                }
                if (parameters != null) {
                    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
                    if (authorization == null) {
                        // As API Gateway does when the authorizer's identity source is missing.
                        write(exchange, 401, Map.of("content-type", "application/json"), "{\"message\":\"Unauthorized\"}");
                        return;
                    }
                    String tenant = authorize(authorization, route, exchange);
                    APIGatewayV2HTTPResponse response = runtime.invoke(function.name(), event(exchange, route, parameters, body, tenant));
                    write(exchange, response.getStatusCode(), response.getHeaders(), response.getBody());
                    return;
                }
            }
        }
        write(exchange, 404, Map.of("content-type", "application/json"), "{\"message\":\"Not Found\"}");
    }

    /** Runs the template's authorizer, as API Gateway would: the tenant it names, or null. */
    @SuppressWarnings("unchecked")
    private String authorize(String authorization, Template.Route route, HttpExchange exchange) {
        String authorizer = runtime.template().authorizerFunction();
        if (authorizer == null) {
            return LocalRuntime.TENANT;
        }
        Map<String, Object> answer = (Map<String, Object>) runtime.invokeAny(authorizer, APIGatewayV2CustomAuthorizerEvent.builder()
                .withVersion("2.0")
                .withType("REQUEST")
                .withRouteKey(route.method() + " " + route.path())
                .withRawPath(exchange.getRequestURI().getRawPath())
                .withIdentitySource(java.util.List.of(authorization))
                .withHeaders(Map.of("authorization", authorization))
                .build());
        Object context = answer.get("context");
        return Boolean.TRUE.equals(answer.get("isAuthorized")) && context instanceof Map<?, ?> values
                && values.get(HttpApiEvents.TENANT_KEY) instanceof String tenant ? tenant : null;
    }

    private static APIGatewayV2HTTPEvent event(HttpExchange exchange, Template.Route route, Map<String, String> parameters,
                                               byte[] body, String tenant) {
        Map<String, String> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
        // As API Gateway says how it was reached (the connect sessions' URLs are made from it).
        headers.putIfAbsent("x-forwarded-proto", "http");
        String rawQuery = exchange.getRequestURI().getRawQuery();
        // As API Gateway passes a body that is not text (a form's post among them, or bytes that are not UTF-8): base64, and marked so.
        String text = textual(headers.get("content-type")) ? utf8(body) : null;
        Map<String, String> query = new LinkedHashMap<>();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                if (!pair.isEmpty()) {
                    int eq = pair.indexOf('=');
                    String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                    String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                    query.merge(name, value, (a, b) -> a + "," + b);
                }
            }
        }
        String routeKey = route.method() + " " + route.path();
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey(routeKey)
                .withRawPath(exchange.getRequestURI().getRawPath())
                .withRawQueryString(rawQuery == null ? "" : rawQuery)
                .withHeaders(headers)
                .withQueryStringParameters(query.isEmpty() ? null : query)
                .withPathParameters(parameters.isEmpty() ? null : parameters)
                .withBody(body.length == 0 ? null : text != null ? text : Base64.getEncoder().encodeToString(body))
                .withIsBase64Encoded(body.length > 0 && text == null)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withRequestId(UUID.randomUUID().toString())
                        .withRouteKey(routeKey)
                        .withStage("$default")
                        .withTimeEpoch(Instant.now().toEpochMilli())
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                                .withMethod(exchange.getRequestMethod())
                                .withPath(exchange.getRequestURI().getRawPath())
                                .withProtocol(exchange.getProtocol())
                                .withSourceIp(exchange.getRemoteAddress().getAddress().getHostAddress())
                                .withUserAgent(headers.get("user-agent"))
                                .build())
                        .withAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                                .withLambda(tenant == null ? Map.of() : Map.of(HttpApiEvents.TENANT_KEY, tenant))
                                .build())
                        .build())
                .build();
    }

    /**
     * The body as text, or null if it is not UTF-8: then it goes base64, as API Gateway sends a
     * binary body, so the function sees the bytes and refuses them instead of a body with U+FFFD.
     */
    private static String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException notUtf8) {
            return null;
        }
    }

    private static boolean textual(String contentType) {
        if (contentType == null) {
            return true;
        }
        String type = contentType.toLowerCase(Locale.ROOT);
        return type.startsWith("text/") || type.contains("json") || type.contains("xml") || type.contains("javascript");
    }

    private static void write(HttpExchange exchange, int status, Map<String, String> headers, String body) throws IOException {
        if (headers != null) {
            headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        }
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
