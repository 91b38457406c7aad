package dev.kitebridge.accounts;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import dev.kitebridge.access.AccountStore;
import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.access.IntegratedAccount;
import dev.kitebridge.access.OrganizationRef;
import dev.kitebridge.access.TokenVault;
import dev.kitebridge.buildkite.BuildkiteException;
import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.buildkite.client.BuildkiteClient;
import dev.kitebridge.buildkite.rest.AccessToken;
import dev.kitebridge.contract.ApiError;
import dev.kitebridge.directory.orgdata.OrganizationDataStore;
import dev.kitebridge.tenants.ApiKeyStore;
import dev.kitebridge.time.TimeSource;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Integrated accounts: a tenant links a customer's Buildkite by handing over a token, which is
 * checked with Buildkite, kept in the token vault and never shown again.
 */
public final class AccountsService {

    /** What the directory's reads need. */
    public static final List<String> READ_SCOPES = List.of("read_user", "read_organizations", "read_teams", "graphql");
    /** What the directory's writes need besides. */
    public static final List<String> WRITE_SCOPES = List.of("write_teams", "write_organizations", "write_organization_invitations");

    private final AccountStore accounts;
    private final TokenVault tokens;
    private final OrganizationDataStore organizationData;
    private final BuildkiteAccess access;
    private final BuildkiteAccess.Endpoints endpoints;
    private final TimeSource time;
    private final AccountLinks links;

    public AccountsService(AccountStore accounts, TokenVault tokens, OrganizationDataStore organizationData, BuildkiteAccess access,
                           BuildkiteAccess.Endpoints endpoints, TimeSource time, AccountLinks links) {
        this.accounts = accounts;
        this.tokens = tokens;
        this.organizationData = organizationData;
        this.access = access;
        this.endpoints = endpoints;
        this.time = time;
        this.links = links;
    }

    /** The account as the API shows it: with the scopes its token lacks. Never the token. */
    public record View(IntegratedAccount account, List<String> missingScopes) {

        static View of(IntegratedAccount account) {
            return new View(account, AccountsService.missingScopes(account.scopes()));
        }

        /** The account as the API shows it (and as {@code integrated_account.created} carries it): never the token. */
        public ObjectNode json() {
            ObjectNode json = JsonNodeFactory.instance.objectNode();
            json.put("id", account.id());
            json.put("label", account.label());
            json.put("status", account.status() == IntegratedAccount.Status.ACTIVE ? "active" : "needs_reauth");
            account.scopes().forEach(json.putArray("scopes")::add);
            missingScopes.forEach(json.putArray("missing_scopes")::add);
            var organizations = json.putArray("organizations");
            for (IntegratedAccount.OrganizationRef o : account.organizations()) {
                organizations.addObject().put("id", o.id()).put("slug", o.slug()).put("name", o.name());
            }
            json.put("token_expires_at", account.tokenExpiresAt() == null ? null : account.tokenExpiresAt().toString());
            json.put("created_at", account.createdAt().toString());
            return json;
        }
    }

    /** The scopes the directory's reads and writes need that {@code scopes} lacks, reads first. */
    public static List<String> missingScopes(List<String> scopes) {
        List<String> missing = new ArrayList<>();
        for (String scope : READ_SCOPES) {
            if (!scopes.contains(scope)) {
                missing.add(scope);
            }
        }
        for (String scope : WRITE_SCOPES) {
            if (!scopes.contains(scope)) {
                missing.add(scope);
            }
        }
        return missing;
    }

    public View link(String tenantId, BuildkiteToken token, String label) {
        return link(tenantId, token, label, newAccountId());
    }

    /** A new account's id: random, so unique across tenants. */
    public static String newAccountId() {
        return "acct_" + UUID.randomUUID().toString().replace("-", "");
    }

    /**
     * Links with an id of the caller's choosing: the dev server's fixed {@code local-account}, in its
     * in-memory state, or one a connect session drew ({@link #newAccountId}) and claimed before linking.
     * Ids must be unique across tenants (the token vault is keyed by id alone).
     */
    public View link(String tenantId, BuildkiteToken token, String label, String accountId) {
        Checked checked = check(token);
        IntegratedAccount account = IntegratedAccount.linked(accountId, tenantId, label, checked.scopes(), checked.organizations(),
                checked.expiresAt(), time.now(), checked.budgetKey());
        tokens.put(account.id(), token);
        try {
            accounts.create(account);
        } catch (RuntimeException e) {
            tokens.delete(account.id()); // no secret without its account
            throw e;
        }
        View view = View.of(account);
        links.linked(account, view.json());
        return view;
    }

    public List<View> list(String tenantId) {
        return accounts.list(tenantId).stream().map(View::of).toList();
    }

    public View get(String tenantId, String accountId) {
        return View.of(find(tenantId, accountId));
    }

    /**
     * A new token for the account (and, if given, a new label): checked, stored, and the account
     * active again. Without a token, only the label changes.
     *
     * @throws ApiError 409 if another request changed the account meanwhile
     */
    public View rotate(String tenantId, String accountId, BuildkiteToken token, String label) {
        IntegratedAccount current = find(tenantId, accountId);
        IntegratedAccount changed = current;
        if (token != null) {
            Checked checked = check(token);
            tokens.put(accountId, token);
            // What was read with the old token may be more than the new one may see; a build still
            // running with it saves under the old token's key, which nothing reads and which expires.
            organizationData.deleteAccount(current.dataKey());
            access.forget(accountId);
            changed = changed.withToken(checked.scopes(), checked.organizations(), checked.expiresAt(), checked.budgetKey());
        }
        if (label != null) {
            changed = changed.withLabel(label);
        }
        IntegratedAccount stored = accounts.replace(changed).orElseThrow(() -> ApiError.conflict(
                "integrated account " + accountId + " changed while this request ran (rotated, relabelled or unlinked); send it again"));
        return View.of(stored);
    }

    /**
     * Unlinks: the token's secret goes first (recoverable for Secrets Manager's window), so that a
     * failure half-way leaves an account that answers 424 rather than a token nobody can delete.
     */
    public void unlink(String tenantId, String accountId) {
        IntegratedAccount current = find(tenantId, accountId);
        tokens.delete(accountId);
        accounts.delete(tenantId, accountId);
        organizationData.deleteAccount(current.dataKey());
        access.forget(accountId);
        links.unlinked(accountId); // no more scheduled runs; its events and runs expire (30 days), its snapshot stays
    }

    /**
     * Buildkite counts the per-user budgets by user, whatever the token: accounts whose tokens belong
     * to one user (by the email {@code GET /v2/access-token} names) share one key, a hash of it.
     */
    static String budgetKeyOf(String email) {
        return "user:" + ApiKeyStore.hash(email.trim().toLowerCase(java.util.Locale.ROOT)).substring(0, 32);
    }

    private IntegratedAccount find(String tenantId, String accountId) {
        return accounts.find(tenantId, accountId)
                .orElseThrow(() -> ApiError.notFound("no integrated account " + accountId));
    }

    /** What Buildkite says of a token: its scopes, the organizations it reaches, its expiry, and whose budget it spends. */
    public record Checked(List<String> scopes, List<IntegratedAccount.OrganizationRef> organizations, Instant expiresAt,
                          String budgetKey) {

        public Checked {
            scopes = List.copyOf(scopes);
            organizations = List.copyOf(organizations);
        }
    }

    /**
     * Asks Buildkite about the token, as linking does: {@code GET /v2/access-token} needs no scope, so
     * any valid token answers; its organizations are read if it may read them.
     *
     * @throws ApiError 422 for a token Buildkite refuses or that has expired, or Buildkite's failure
     */
    public Checked check(BuildkiteToken token) {
        BuildkiteClient buildkite = endpoints.client(token).time(time).userBudgetKey("token-check").build();
        AccessToken accessToken;
        try {
            accessToken = buildkite.account().accessToken();
        } catch (BuildkiteException.Unauthorized refused) {
            throw ApiError.invalidToken("Buildkite refused the token: it is not a valid API access token, "
                    + "or it has expired or been revoked");
        } catch (BuildkiteException e) {
            throw BuildkiteAccess.translated(e);
        }
        if (accessToken.expiresAt() != null && !accessToken.expiresAt().isAfter(time.now())) {
            throw ApiError.invalidToken("the token expired at " + accessToken.expiresAt());
        }
        List<IntegratedAccount.OrganizationRef> organizations = new ArrayList<>();
        if (Set.copyOf(accessToken.scopes()).contains("read_organizations")) {
            try {
                for (OrganizationRef org : OrganizationRef.reachable(buildkite)) {
                    organizations.add(new IntegratedAccount.OrganizationRef(org.id(), org.slug(), org.name()));
                }
            } catch (BuildkiteException e) {
                throw BuildkiteAccess.translated(e);
            }
        }
        String owner = accessToken.user() == null || accessToken.user().email() == null ? null : accessToken.user().email();
        return new Checked(accessToken.scopes(), organizations, accessToken.expiresAt(), owner == null ? null : budgetKeyOf(owner));
    }
}
