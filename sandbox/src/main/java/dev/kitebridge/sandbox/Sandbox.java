package dev.kitebridge.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import com.sun.net.httpserver.HttpServer;

import dev.kitebridge.sandbox.faults.Faults;
import dev.kitebridge.sandbox.graphql.GraphqlEndpoint;
import dev.kitebridge.sandbox.journal.Journal;
import dev.kitebridge.sandbox.limits.RateLimiter;
import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.ApiToken;
import dev.kitebridge.sandbox.model.DataGenerator;
import dev.kitebridge.sandbox.model.IdSource;
import dev.kitebridge.sandbox.model.Population;
import dev.kitebridge.sandbox.model.UserAccount;
import dev.kitebridge.sandbox.model.World;

/**
 * A running Buildkite sandbox: REST v2 at {@link #restUrl()}, GraphQL at {@link #graphqlUrl()},
 * over real HTTP on loopback.
 *
 * <pre>{@code
 * try (Sandbox sandbox = Sandbox.builder().population(Population.of(2_000, 50)).start()) {
 *     // call sandbox.restUrl() with "Authorization: Bearer " + sandbox.token()
 * }
 * }</pre>
 */
public final class Sandbox implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor;
    private final World world;
    private final Journal journal;
    private final Faults faults;
    private final RateLimiter limiter;
    private final SandboxClock clock;
    private final DataGenerator.Result generated;
    private final String baseUrl;

    static {
        // Without TCP_NODELAY, the JDK's server and client meet Nagle's algorithm and delayed ACKs on
        // loopback: about 40 ms per request, which a time-scaled clock multiplies into seconds.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private Sandbox(Builder builder) throws IOException {
        this.clock = builder.clock != null ? SandboxClock.driven(builder.clock) : new SandboxClock(builder.timeScale);
        this.world = new World(new IdSource(builder.population.seed()), clock::now);
        this.generated = DataGenerator.populate(world, builder.population);
        this.journal = new Journal();
        this.faults = new Faults(builder.population.seed());
        this.limiter = new RateLimiter(builder.limits, clock::now);
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", builder.port), 256);
        this.baseUrl = "http://127.0.0.1:" + server.getAddress().getPort();
        GraphqlEndpoint graphql = new GraphqlEndpoint(world, limiter);
        server.createContext("/", new Dispatcher(world, new dev.kitebridge.sandbox.rest.RestApi(world, baseUrl),
                graphql, limiter, faults, journal, clock, baseUrl));
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "sandbox-http-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The REST base URL (Buildkite's is https://api.buildkite.com); paths start with /v2. */
    public String restUrl() {
        return baseUrl;
    }

    /** The GraphQL endpoint (Buildkite's is https://graphql.buildkite.com/v1). */
    public String graphqlUrl() {
        return baseUrl + Dispatcher.GRAPHQL_PATH;
    }

    /** The secret of a token that reaches every organization with every scope. */
    public String token() {
        return generated.ownerToken().secret();
    }


    /** The ready token's user: an admin of every organization. */
    public UserAccount owner() {
        return generated.owner();
    }

    /** Issues another token, e.g. one lacking a scope or reaching fewer organizations. */
    public ApiToken issueToken(String userUuid, Set<String> scopes, Set<String> organizationSlugs, Instant expiresAt) {
        ApiToken token = new ApiToken(world.ids().uuid(), world.ids().apiToken(), userUuid, scopes,
                organizationSlugs, "issued by a test", clock.now(), expiresAt);
        world.addToken(token);
        return token;
    }

    public World world() {
        return world;
    }

    public Journal journal() {
        return journal;
    }

    public Faults faults() {
        return faults;
    }

    public RateLimits limits() {
        return limiter.limits();
    }

    public SandboxClock clock() {
        return clock;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** How to build a sandbox; every setting has Buildkite's value or a small world by default. */
    public static final class Builder {
        private Population population = Population.of(100, 5);
        private RateLimits limits = RateLimits.BUILDKITE;
        private double timeScale = 1;
        private Supplier<Instant> clock;
        private int port;

        public Builder population(Population population) {
            this.population = population;
            return this;
        }

        public Builder limits(RateLimits limits) {
            this.limits = limits;
            return this;
        }

        /** How many Buildkite seconds pass per real second (60: a REST window takes one real second). */
        public Builder timeScale(double scale) {
            this.timeScale = scale;
            return this;
        }

        /**
         * Reads the time from {@code now} instead of a scaled wall clock: a test's virtual clock,
         * shared with the client, so that windows pass when the test's waits say so.
         */
        public Builder clock(Supplier<Instant> now) {
            this.clock = now;
            return this;
        }

        /** 0 (the default) takes a free port. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Sandbox start() {
            try {
                return new Sandbox(this);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the Buildkite sandbox", e);
            }
        }
    }
}
