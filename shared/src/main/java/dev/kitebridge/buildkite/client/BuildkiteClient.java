package dev.kitebridge.buildkite.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.buildkite.CallListener;
import dev.kitebridge.buildkite.Page;
import dev.kitebridge.buildkite.PageRequest;
import dev.kitebridge.buildkite.RetryPolicy;
import dev.kitebridge.buildkite.Transport;
import dev.kitebridge.buildkite.graphql.GraphqlApi;
import dev.kitebridge.buildkite.graphql.GraphqlExecutor;
import dev.kitebridge.buildkite.ratelimit.InMemoryRateLimitGovernor;
import dev.kitebridge.buildkite.ratelimit.RateLimitGovernor;
import dev.kitebridge.buildkite.rest.AccountResource;
import dev.kitebridge.buildkite.rest.InvitationsResource;
import dev.kitebridge.buildkite.rest.OrganizationsResource;
import dev.kitebridge.buildkite.rest.RestClient;
import dev.kitebridge.buildkite.rest.TeamsResource;
import dev.kitebridge.time.Deadline;
import dev.kitebridge.time.TimeSource;

/**
 * A client for one Buildkite token: REST v2 by resource, and GraphQL by resource.
 *
 * <pre>{@code
 * BuildkiteClient buildkite = BuildkiteClient.builder(BuildkiteToken.of(secret))
 *         .userBudgetKey(accountId)
 *         .governor(sharedGovernor)
 *         .build();
 * Page<OrganizationMember> page = buildkite.organizations().members("acme", PageRequest.first(100));
 * }</pre>
 */
public final class BuildkiteClient {

    public static final URI BUILDKITE_REST = URI.create("https://api.buildkite.com");
    public static final URI BUILDKITE_GRAPHQL = URI.create("https://graphql.buildkite.com/v1");

    /**
     * One HTTP client for the process: it pools connections, and never follows a redirect, so that
     * no answer can send a call (and its token) to another host.
     */
    private static final HttpClient SHARED_HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    private final Transport transport;
    private final URI restBaseUrl;
    private final URI graphqlUrl;
    private final RestClient rest;
    private final GraphqlApi graphql;
    private final AccountResource account;
    private final OrganizationsResource organizations;
    private final TeamsResource teams;
    private final InvitationsResource invitations;

    /**
     * A client over the transport whose calls wait for a spent budget until {@code deadline} tells,
     * asked as each call starts.
     */
    private BuildkiteClient(Transport transport, URI restBaseUrl, URI graphqlUrl, Supplier<Deadline> deadline) {
        this.transport = transport;
        this.restBaseUrl = restBaseUrl;
        this.graphqlUrl = graphqlUrl;
        this.rest = new RestClient(transport, restBaseUrl, deadline);
        this.graphql = new GraphqlApi(new GraphqlExecutor(transport, graphqlUrl, deadline));
        this.account = new AccountResource(rest);
        this.organizations = new OrganizationsResource(rest);
        this.teams = new TeamsResource(rest);
        this.invitations = new InvitationsResource(rest);
    }

    public static Builder builder(BuildkiteToken token) {
        return new Builder(token);
    }

    public AccountResource account() {
        return account;
    }

    public OrganizationsResource organizations() {
        return organizations;
    }

    public TeamsResource teams() {
        return teams;
    }

    public InvitationsResource invitations() {
        return invitations;
    }

    /** GraphQL by resource: {@code graphql().members()}, {@code graphql().teams()}, ... */
    public GraphqlApi graphql() {
        return graphql;
    }

    /**
     * This client with every call waiting for a spent budget until {@code deadline} at most, rather
     * than {@code maxWait} from its start (a request near its end). A view: it shares this client's
     * connection, token, governor and listeners, so it costs a few small objects, not a client.
     */
    public BuildkiteClient until(Deadline deadline) {
        return new BuildkiteClient(transport, restBaseUrl, graphqlUrl, () -> deadline);
    }

    /** REST at the level of paths and JSON, for what the typed resources do not cover (the proxy). */
    public RestClient rest() {
        return rest;
    }

    /** A client's settings; all but the token have defaults fit for production. */
    public static final class Builder {
        private final BuildkiteToken token;
        private URI restBaseUrl = BUILDKITE_REST;
        private URI graphqlUrl = BUILDKITE_GRAPHQL;
        private RateLimitGovernor governor;
        private String userBudgetKey = "default";
        private TimeSource time = TimeSource.SYSTEM;
        private RetryPolicy retry = RetryPolicy.DEFAULT;
        private Duration requestTimeout = Duration.ofSeconds(10);
        private Duration maxWait = Duration.ofSeconds(10);
        private HttpClient http = SHARED_HTTP;
        private CallListener listener = CallListener.NONE;

        private Builder(BuildkiteToken token) {
            this.token = Objects.requireNonNull(token, "token");
        }

        /** Adds a listener that hears of every call, after those added before (e.g. the request's tally, then the session's). */
        public Builder addListener(CallListener listener) {
            Objects.requireNonNull(listener);
            CallListener before = this.listener;
            this.listener = (method, path, status, readings) -> {
                before.answered(method, path, status, readings);
                listener.answered(method, path, status, readings);
            };
            return this;
        }

        /** Where REST v2 lives (the sandbox's URL in tests). */
        public Builder restBaseUrl(URI url) {
            this.restBaseUrl = Objects.requireNonNull(url);
            return this;
        }

        public Builder graphqlUrl(URI url) {
            this.graphqlUrl = Objects.requireNonNull(url);
            return this;
        }

        /** The governor whose budgets this client draws from; share one per process (or DynamoDB). */
        public Builder governor(RateLimitGovernor governor) {
            this.governor = governor;
            return this;
        }

        /**
         * The name of the token's user budget in the governor: the same for every client of one
         * Buildkite user (an account id, a user UUID), and never the token.
         */
        public Builder userBudgetKey(String key) {
            this.userBudgetKey = Objects.requireNonNull(key);
            return this;
        }

        public Builder time(TimeSource time) {
            this.time = Objects.requireNonNull(time);
            return this;
        }

        public Builder retry(RetryPolicy retry) {
            this.retry = Objects.requireNonNull(retry);
            return this;
        }

        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** How long one call may wait for a spent budget (in Buildkite time) before it answers rate limited. */
        public Builder maxWait(Duration wait) {
            this.maxWait = Objects.requireNonNull(wait);
            return this;
        }

        public Builder httpClient(HttpClient client) {
            this.http = Objects.requireNonNull(client);
            return this;
        }

        /**
         * Builds the client. Base URLs must be HTTPS, except on loopback (the sandbox), and the HTTP
         * client must not follow redirects: either could send the token where it does not belong.
         */
        public BuildkiteClient build() {
            requireSafe(restBaseUrl);
            requireSafe(graphqlUrl);
            if (http.followRedirects() != HttpClient.Redirect.NEVER) {
                throw new IllegalArgumentException("the HTTP client for Buildkite must not follow redirects");
            }
            if (governor == null) {
                governor = new InMemoryRateLimitGovernor();
            }
            Transport transport = new Transport(http, token, governor, userBudgetKey, time, retry, requestTimeout, maxWait,
                    listener);
            return new BuildkiteClient(transport, restBaseUrl, graphqlUrl, transport::maxWaitFromNow);
        }

        private static void requireSafe(URI url) {
            boolean loopback = "localhost".equalsIgnoreCase(url.getHost()) || "127.0.0.1".equals(url.getHost())
                    || "[::1]".equals(url.getHost());
            if (url.getHost() == null || url.getRawUserInfo() != null
                    || !("https".equals(url.getScheme()) || "http".equals(url.getScheme()) && loopback)) {
                throw new IllegalArgumentException("a Buildkite URL must be https (or http on loopback): " + url);
            }
        }
    }
}
