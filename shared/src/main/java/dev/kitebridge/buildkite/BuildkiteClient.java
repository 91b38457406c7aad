package dev.kitebridge.buildkite;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;

import dev.kitebridge.buildkite.graphql.GraphqlClient;
import dev.kitebridge.buildkite.ratelimit.InMemoryRateLimitGovernor;
import dev.kitebridge.buildkite.ratelimit.RateLimitGovernor;
import dev.kitebridge.buildkite.rest.AccountResource;
import dev.kitebridge.buildkite.rest.InvitationsResource;
import dev.kitebridge.buildkite.rest.OrganizationsResource;
import dev.kitebridge.buildkite.rest.RestClient;
import dev.kitebridge.buildkite.rest.TeamsResource;

/**
 * A client for one Buildkite token: REST v2 by resource, and GraphQL.
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

    private final Builder settings;
    private final RestClient rest;
    private final GraphqlClient graphql;
    private final AccountResource account;
    private final OrganizationsResource organizations;
    private final TeamsResource teams;
    private final InvitationsResource invitations;

    private BuildkiteClient(Builder builder) {
        this.settings = builder.copy();
        Transport transport = new Transport(builder.http, builder.token, builder.governor, builder.userBudgetKey,
                builder.time, builder.retry, builder.requestTimeout, builder.maxWait, builder.listener);
        this.rest = new RestClient(transport, builder.restBaseUrl);
        this.graphql = new GraphqlClient(transport, builder.graphqlUrl);
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

    public GraphqlClient graphql() {
        return graphql;
    }

    /** The same client, allowed to wait at most {@code wait} for a spent budget (for a request near its deadline). */
    public BuildkiteClient withMaxWait(Duration wait) {
        return settings.copy().maxWait(wait.isNegative() ? Duration.ZERO : wait).build();
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

        private Builder copy() {
            Builder copy = new Builder(token);
            copy.restBaseUrl = restBaseUrl;
            copy.graphqlUrl = graphqlUrl;
            copy.governor = governor;
            copy.userBudgetKey = userBudgetKey;
            copy.time = time;
            copy.retry = retry;
            copy.requestTimeout = requestTimeout;
            copy.maxWait = maxWait;
            copy.http = http;
            copy.listener = listener;
            return copy;
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
            return new BuildkiteClient(this);
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
