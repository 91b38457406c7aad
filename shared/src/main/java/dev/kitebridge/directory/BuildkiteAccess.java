package dev.kitebridge.directory;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import dev.kitebridge.buildkite.BuildkiteClient;
import dev.kitebridge.buildkite.BuildkiteException;
import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.buildkite.TimeSource;
import dev.kitebridge.buildkite.ratelimit.RateLimitGovernor;
import dev.kitebridge.state.AccountStore;
import dev.kitebridge.state.IntegratedAccount;
import dev.kitebridge.state.TokenVault;

/**
 * Opens a tenant's integrated account for one request, and turns Buildkite's errors into the
 * contract's. A 401 from Buildkite marks the account as needing a new token.
 */
public final class BuildkiteAccess {

    /** Where Buildkite is (its public endpoints, or the sandbox). */
    public record Endpoints(URI rest, URI graphql) {
        public static final Endpoints BUILDKITE = new Endpoints(BuildkiteClient.BUILDKITE_REST, BuildkiteClient.BUILDKITE_GRAPHQL);
    }

    private final AccountStore accounts;
    private final TokenVault tokens;
    private final RateLimitGovernor governor;
    private final Endpoints endpoints;
    private final TimeSource time;
    private final Map<String, Reach> reach = new ConcurrentHashMap<>();

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
     * @throws DirectoryException 404 for an account the tenant does not have, 424 for one that needs a new token
     */
    public Session open(String tenantId, String accountId, Duration budget) {
        IntegratedAccount account = accounts.find(tenantId, accountId)
                .orElseThrow(() -> DirectoryException.notFound("no integrated account " + accountId));
        if (account.status() == IntegratedAccount.Status.NEEDS_REAUTH) {
            throw DirectoryException.needsReauth(accountId);
        }
        BuildkiteToken token = tokens.get(account.id())
                .orElseThrow(() -> DirectoryException.needsReauth(accountId));
        Session session = new Session(account, time, time.now().plus(budget));
        session.attach(BuildkiteClient.builder(token)
                .restBaseUrl(endpoints.rest())
                .graphqlUrl(endpoints.graphql())
                .governor(governor)
                .userBudgetKey(account.budgetKey() != null ? account.budgetKey() : "account:" + account.id())
                .time(time)
                .listener(session)
                .build());
        return session;
    }

    /** Runs a call on Buildkite, answering Buildkite's errors in the contract's terms. */
    public <T> T call(Session session, Supplier<T> work) {
        try {
            return work.get();
        } catch (BuildkiteException.Unauthorized e) {
            accounts.save(session.account().withStatus(IntegratedAccount.Status.NEEDS_REAUTH));
            tokens.evict(session.account().id());
            throw DirectoryException.needsReauth(session.account().id());
        } catch (BuildkiteException.MissingScope e) {
            throw DirectoryException.missingScope(e.scope());
        } catch (BuildkiteException.RateLimited e) {
            throw DirectoryException.rateLimited(e.retryAfter(), "Buildkite's " + e.scope()
                    + " budget for this account is spent; it refills in " + Math.max(1, e.retryAfter().toSeconds()) + " s");
        } catch (BuildkiteException.Unavailable e) {
            throw DirectoryException.upstream(e.status() == 0 ? 504 : 502, "Buildkite failed: " + e.getMessage());
        } catch (BuildkiteException.Forbidden e) {
            throw DirectoryException.forbidden("Buildkite refused: " + e.getMessage());
        } catch (BuildkiteException.NotFound e) {
            throw DirectoryException.notFound("Buildkite found nothing: " + e.getMessage());
        } catch (BuildkiteException.Validation e) {
            throw DirectoryException.refused(e.getMessage());
        } catch (BuildkiteException.GraphqlErrors | BuildkiteException.Unexpected e) {
            throw DirectoryException.upstream(502, "Buildkite answered in a way this service does not understand: " + e.getMessage());
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
        List<OrganizationRef> organizations = call(session, () -> OrganizationRef.reachable(session.buildkite()));
        reach.put(session.account().id(), new Reach(organizations, now));
        return organizations;
    }

}
