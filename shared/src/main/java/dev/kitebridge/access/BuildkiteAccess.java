package dev.kitebridge.access;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import dev.kitebridge.buildkite.BuildkiteException;
import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.buildkite.client.BuildkiteClient;
import dev.kitebridge.buildkite.ratelimit.Budget;
import dev.kitebridge.buildkite.ratelimit.RateLimitGovernor;
import dev.kitebridge.contract.ApiError;
import dev.kitebridge.time.TimeSource;

/**
 * Opens a tenant's integrated account for one request, and turns Buildkite's errors into the
 * contract's. A 401 from Buildkite for the stored token marks the account as needing a new one.
 */
public final class BuildkiteAccess {

    /**
     * Where Buildkite is (its public endpoints, or the sandbox).
     *
     * @param http the HTTP client to call it with; null for the process's shared one (a benchmark
     *     serves Buildkite's answers from memory through its own)
     */
    public record Endpoints(URI rest, URI graphql, java.net.http.HttpClient http) {
        public static final Endpoints BUILDKITE = new Endpoints(BuildkiteClient.BUILDKITE_REST, BuildkiteClient.BUILDKITE_GRAPHQL);

        public Endpoints(URI rest, URI graphql) {
            this(rest, graphql, null);
        }

        /** A client builder for these endpoints, whose calls count for the request this thread answers. */
        public BuildkiteClient.Builder client(BuildkiteToken token) {
            BuildkiteClient.Builder builder = BuildkiteClient.builder(token).restBaseUrl(rest).graphqlUrl(graphql)
                    .addListener(RequestCalls.current());
            return http == null ? builder : builder.httpClient(http);
        }
    }

    private final AccountStore accounts;
    private final TokenVault tokens;
    private final RateLimitGovernor governor;
    private final Endpoints endpoints;
    private final TimeSource time;
    private final Map<String, Reach> reach = new ConcurrentHashMap<>();
    /** The revision of each account this process last opened: a newer one means its token may have changed. */
    private final Map<String, Long> revisions = new ConcurrentHashMap<>();

    /** How long the list of an account's organizations is kept before it is read again. */
    static final Duration REACH_LIFETIME = Duration.ofMinutes(5);

    private record Reach(List<OrganizationRef> organizations, Instant readAt) {}

    public BuildkiteAccess(AccountStore accounts, TokenVault tokens, RateLimitGovernor governor, Endpoints endpoints,
                           TimeSource time) {
        this.accounts = accounts;
        this.tokens = tokens;
        this.governor = governor;
        this.endpoints = endpoints;
        this.time = time;
    }


    /**
     * The tenant's account, ready to call Buildkite until {@code budget} has passed.
     *
     * @throws ApiError 404 for an account the tenant does not have, 424 for one that needs a new token
     */
    public Session open(String tenantId, String accountId, Duration budget) {
        return open(accounts.find(tenantId, accountId).orElseThrow(() -> ApiError.notFound("no integrated account " + accountId)),
                budget);
    }

    /**
     * The tenant's account as stored, for a caller that opens it more than once from one read (a sync
     * worker's turn: {@link #open(IntegratedAccount, Duration)}).
     */
    public Optional<IntegratedAccount> account(String tenantId, String accountId) {
        return accounts.find(tenantId, accountId);
    }

    /**
     * {@link #open(String, String, Duration)} for an account the caller has just read (the
     * schedule's tick reads each account once, and does not read it again to poll it).
     *
     * @throws ApiError 424 for one that needs a new token
     */
    public Session open(IntegratedAccount account, Duration budget) {
        String accountId = account.id();
        if (account.status() == IntegratedAccount.Status.NEEDS_REAUTH) {
            throw ApiError.needsReauth(accountId);
        }
        Long seen = revisions.put(account.id(), account.revision());
        if (seen != null && seen != account.revision()) {
            // Rotated (or relabelled) since this process last used it, perhaps by another instance.
            forget(account.id());
        }
        BuildkiteToken token = tokens.get(account.id())
                .orElseThrow(() -> ApiError.needsReauth(accountId));
        Session session = new Session(account, time, time.now().plus(budget));
        session.attach(token, client(account, token, session));
        return session;
    }

    /**
     * Whose data the account's kept directory is now ({@link IntegratedAccount#dataKey()}), without
     * reading its token; empty for an account gone or one that needs a new token.
     */
    public Optional<String> dataKey(String tenantId, String accountId) {
        return accounts.find(tenantId, accountId).flatMap(IntegratedAccount::servedDataKey);
    }

    private BuildkiteClient client(IntegratedAccount account, BuildkiteToken token, Session session) {
        return endpoints.client(token)
                .governor(governor)
                .userBudgetKey(userBudgetKey(account))
                .time(time)
                .addListener(session)
                .build();
    }

    private static String userBudgetKey(IntegratedAccount account) {
        return account.budgetKey() != null ? account.budgetKey() : "account:" + account.id();
    }

    /**
     * Where the account's budgets and the organization's stand, in one line for a log or a run's
     * error: scopes and numbers only (budget keys are account ids and slugs, never a token).
     */
    public String budgetStates(Session session, String organizationSlug) {
        List<Budget> budgets = new ArrayList<>();
        for (Budget.Api api : Budget.Api.values()) {
            budgets.add(Budget.user(api, userBudgetKey(session.account())));
            if (organizationSlug != null) {
                budgets.add(Budget.organization(api, organizationSlug));
            }
        }
        Instant now = session.now();
        // An organization's budget by its slug; the user's by its scope alone (its key is a hash of the user's email).
        return budgets.stream().map(b -> b.buildkiteScope() + (b.scope() == Budget.Scope.ORGANIZATION ? " (" + b.key() + ")" : "") + ": "
                        + governor.state(b).map(state -> state.at(now).summary()).orElse("never used"))
                .collect(Collectors.joining("; "));
    }

    /**
     * Calls Buildkite with the session's client, answering Buildkite's errors in the contract's
     * terms. The work is given the client rather than reaching for it, so that a call made again
     * with a rotated token goes with the new one.
     */
    public <T> T call(Session session, Function<BuildkiteClient, T> work) {
        return call(session, () -> work.apply(session.buildkite()));
    }

    /** {@link #call} for a write that answers nothing the caller needs. */
    public void run(Session session, Consumer<BuildkiteClient> work) {
        call(session, () -> {
            work.accept(session.buildkite());
            return null;
        });
    }

    /** A read of something that may not be there, with the session's client: empty for Buildkite's 404. */
    public <T> Optional<T> find(Session session, Function<BuildkiteClient, T> read) {
        return find(session, () -> read.apply(session.buildkite()));
    }

    /**
     * Runs work that calls Buildkite (with a client of its choosing: one bound to another deadline,
     * the organization data's lanes), answering Buildkite's errors in the contract's terms.
     */
    public <T> T call(Session session, Supplier<T> work) {
        try {
            return work.get();
        } catch (BuildkiteException.Unauthorized refused) {
            return againWithStoredToken(session, work);
        } catch (BuildkiteException e) {
            throw translated(e);
        }
    }

    /** A read of something that may not be there: empty for Buildkite's 404, the contract's errors otherwise. */
    public <T> Optional<T> find(Session session, Supplier<T> read) {
        return call(session, () -> {
            try {
                return Optional.of(read.get());
            } catch (BuildkiteException.NotFound absent) {
                return Optional.empty();
            }
        });
    }

    /**
     * Buildkite refused the token. This process may hold one that another instance has rotated
     * away, so the stored token is read again and, if it is another, the call made once more; only
     * a refusal of the stored token marks the account as needing a new one.
     */
    private <T> T againWithStoredToken(Session session, Supplier<T> work) {
        IntegratedAccount account = session.account();
        tokens.evict(account.id());
        Optional<BuildkiteToken> stored = tokens.get(account.id());
        if (stored.isPresent() && !stored.get().equals(session.token())) {
            session.attach(stored.get(), client(account, stored.get(), session));
            try {
                return work.get();
            } catch (BuildkiteException.Unauthorized refusedAgain) {
                // the stored token is refused too
            } catch (BuildkiteException e) {
                throw translated(e);
            }
        }
        // Written only over the revision this request read: a rotate or an unlink since then stands.
        accounts.replace(account.withStatus(IntegratedAccount.Status.NEEDS_REAUTH));
        forget(account.id());
        throw ApiError.needsReauth(account.id());
    }

    /**
     * Any failure but a refused token (which {@link #againWithStoredToken} handles, and a token
     * check answers 422 for) in the contract's terms: a spent budget 429 with when it refills.
     */
    public static ApiError translated(BuildkiteException failure) {
        if (failure instanceof BuildkiteException.MissingScope e) {
            return ApiError.missingScope(e.scope());
        }
        if (failure instanceof BuildkiteException.RateLimited e) {
            return ApiError.rateLimited(e.retryAfter(), "Buildkite's " + e.scope()
                    + " budget for this account is spent; it refills in " + Math.max(1, e.retryAfter().toSeconds()) + " s");
        }
        if (failure instanceof BuildkiteException.OverLimit e) {
            return ApiError.budgetTooSmall(e.getMessage());
        }
        if (failure instanceof BuildkiteException.Unavailable e) {
            return ApiError.upstream(e.status() == 0 ? 504 : 502, "Buildkite failed: " + e.getMessage());
        }
        if (failure instanceof BuildkiteException.Forbidden e) {
            return ApiError.forbidden("Buildkite refused: " + e.getMessage());
        }
        if (failure instanceof BuildkiteException.NotFound e) {
            return ApiError.notFound("Buildkite found nothing: " + e.getMessage());
        }
        if (failure instanceof BuildkiteException.Validation e) {
            return ApiError.refused(e.getMessage());
        }
        return ApiError.upstream(502, "Buildkite answered in a way this service does not understand: " + failure.getMessage());
    }

    /**
     * 403 naming the scope, before a write the account's token could not make: its scopes were
     * read when it was linked, and a token's scopes do not change.
     */
    public void requireScope(Session session, String scope) {
        if (!session.account().scopes().contains(scope)) {
            throw ApiError.missingScope(scope);
        }
    }

    /** Forgets what is kept about the account in this process (its token changed, or it was unlinked). */
    public void forget(String accountId) {
        reach.remove(accountId);
        tokens.evict(accountId);
    }

    /**
     * The organizations the account's token reaches, read at most every few minutes: every list walk
     * starts with them, and a walk that waits (429) starts again.
     */
    public List<OrganizationRef> organizations(Session session) {
        Reach known = reach.get(session.account().id());
        Instant now = session.now();
        if (known != null && now.isBefore(known.readAt().plus(REACH_LIFETIME))) {
            return known.organizations();
        }
        List<OrganizationRef> organizations = call(session, OrganizationRef::reachable);
        reach.put(session.account().id(), new Reach(organizations, now));
        return organizations;
    }

}
