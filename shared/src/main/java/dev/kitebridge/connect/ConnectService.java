package dev.kitebridge.connect;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

import dev.kitebridge.accounts.AccountsService;
import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.contract.ApiError;
import dev.kitebridge.time.TimeSource;

/**
 * Connect sessions: a tenant asks for one ({@link #create}) and sends its customer to the page; the
 * page checks a token as linking does ({@link #check}), keeps it sealed for the session while the
 * customer reads what it reaches, and links it under the session's tenant on confirmation
 * ({@link #confirm}). A session is used once, lives 30 minutes, and takes at most five tokens.
 */
public final class ConnectService {

    public static final Duration LIFETIME = Duration.ofMinutes(30);
    public static final int MAX_ATTEMPTS = 5;

    private final ConnectSessionStore sessions;
    private final RedirectOriginStore origins;
    private final AccountsService accounts;
    /** People's time, not Buildkite's: a sandbox's fast clock must not shorten a customer's 30 minutes. */
    private final TimeSource time;

    public ConnectService(ConnectSessionStore sessions, RedirectOriginStore origins, AccountsService accounts, TimeSource time) {
        this.sessions = sessions;
        this.origins = origins;
        this.accounts = accounts;
        this.time = time;
    }

    /** A new session, and the secret its page's URL carries: shown in the tenant's answer once, kept only as a hash. */
    public record Created(ConnectSession session, String secret) {
        @Override
        public String toString() {
            return "Created[" + session.id() + "]";
        }
    }

    /**
     * @param redirectUrl where the customer goes once linked (null: a done page), of one of the tenant's allowed origins
     * @param requiredScopes the scopes the page asks for (null: what the directory's reads need)
     * @throws ApiError 400 naming what is wrong
     */
    public Created create(String tenantId, String label, String state, String redirectUrl, List<String> requiredScopes) {
        if (redirectUrl != null) {
            RedirectOrigins.Checked origin = RedirectOrigins.originOfRedirect(redirectUrl);
            if (origin.refusal() != null) {
                throw ApiError.invalidRequest(origin.refusal());
            }
            List<String> allowed = origins.origins(tenantId);
            if (!allowed.contains(origin.value())) {
                throw ApiError.invalidRequest("redirect_url's origin " + origin.value() + " is not one of the tenant's allowed "
                        + "redirect origins (" + (allowed.isEmpty() ? "none yet" : String.join(", ", allowed))
                        + "); add it with PUT /connect-settings");
            }
        }
        List<String> scopes = requiredScopes == null ? Scopes.DEFAULT_REQUIRED : List.copyOf(new LinkedHashSet<>(requiredScopes));
        for (String scope : scopes) {
            if (!Scopes.known(scope)) {
                throw ApiError.invalidRequest("required_scopes holds '" + scope + "', which Kitebridge does not use; the scopes are "
                        + String.join(", ", Scopes.all().stream().map(Scopes.Scope::name).toList()));
            }
        }
        String secret = ConnectSecrets.newSecret();
        Instant now = time.now();
        ConnectSession session = ConnectSession.opened(ConnectSecrets.newId(), ConnectSecrets.hash(secret), tenantId, label, state,
                redirectUrl, scopes, now, now.plus(LIFETIME));
        sessions.create(session);
        return new Created(session, secret);
    }

    public List<String> redirectOrigins(String tenantId) {
        return origins.origins(tenantId);
    }

    /** Replaces the tenant's allowed redirect origins, each checked and kept in its plain form. */
    public List<String> setRedirectOrigins(String tenantId, List<String> values) {
        List<String> kept = RedirectOrigins.checked(values);
        origins.set(tenantId, kept);
        return kept;
    }

    /** What a page's URL finds. */
    public enum Standing {
        /** No such session (or not even the shape of one): the page says so and nothing else (404). */
        UNKNOWN,
        EXPIRED,
        USED,
        /** Five tokens tried and none waiting for confirmation. */
        EXHAUSTED,
        OPEN
    }

    /** A session as its page finds it; {@code session} is null for an unknown one. */
    public record Found(Standing standing, ConnectSession session) {

        public boolean open() {
            return standing == Standing.OPEN;
        }

        public int attemptsLeft() {
            return session == null ? 0 : Math.max(0, MAX_ATTEMPTS - session.attempts());
        }

        /** The required scopes the pending token lacks. */
        public List<String> missingRequired() {
            List<String> missing = new ArrayList<>();
            if (session != null && session.pending() != null) {
                for (String scope : session.requiredScopes()) {
                    if (!session.pending().scopes().contains(scope)) {
                        missing.add(scope);
                    }
                }
            }
            return missing;
        }
    }

    public Found find(String secret) {
        if (!ConnectSecrets.wellFormed(secret)) {
            return new Found(Standing.UNKNOWN, null);
        }
        Optional<ConnectSession> stored = sessions.find(ConnectSecrets.hash(secret));
        if (stored.isEmpty()) {
            return new Found(Standing.UNKNOWN, null);
        }
        ConnectSession session = stored.get();
        if (session.status() == ConnectSession.Status.USED) {
            return new Found(Standing.USED, session);
        }
        if (session.expiredAt(time.now())) {
            return new Found(Standing.EXPIRED, session);
        }
        if (session.pending() == null && session.attempts() >= MAX_ATTEMPTS) {
            return new Found(Standing.EXHAUSTED, session);
        }
        return new Found(Standing.OPEN, session);
    }

    /**
     * Checks a token exactly as linking does, counting the attempt first; a token Buildkite accepts is
     * sealed into the session to wait for confirmation (replacing any earlier one).
     *
     * @return the session as found after the check (not open: the page says why)
     * @throws ApiError 422 for a token Buildkite refuses, or Buildkite's failure; the attempt counts
     */
    public Found check(String secret, BuildkiteToken token) {
        Found found = find(secret);
        if (!found.open()) {
            return found;
        }
        if (found.session().attempts() >= MAX_ATTEMPTS) {
            return new Found(Standing.EXHAUSTED, found.session());
        }
        ConnectSession counted = sessions.replace(found.session().withAttempt().withPending(null)).orElseThrow(ConnectService::changed);
        AccountsService.Checked checked = accounts.check(token);
        ConnectSession pending = sessions.replace(counted.withPending(new ConnectSession.Pending(ConnectSecrets.seal(secret, token),
                checked.scopes(), checked.organizations(), checked.expiresAt()))).orElseThrow(ConnectService::changed);
        return new Found(Standing.OPEN, pending);
    }

    /** Drops the token waiting for confirmation (the customer will paste another). */
    public Found restart(String secret) {
        Found found = find(secret);
        if (found.open() && found.session().pending() != null) {
            sessions.replace(found.session().withPending(null)).orElseThrow(ConnectService::changed);
            return find(secret);
        }
        return found;
    }

    /** A session used: the account linked, and where the customer goes next (empty: the done page). */
    public record Linked(ConnectSession session, AccountsService.View account, Optional<String> redirect) {}

    /**
     * Links the waiting token under the session's tenant. The session is claimed first (used, with the
     * account's id drawn), so two confirmations cannot link twice; a link that fails gives the session back.
     *
     * @return empty if the session is not open or has no token waiting (the page shows it as it is)
     * @throws ApiError 422 if Buildkite now refuses the token, 403 if it lacks a required scope
     */
    public Optional<Linked> confirm(String secret) {
        Found found = find(secret);
        if (!found.open() || found.session().pending() == null) {
            return Optional.empty();
        }
        if (!found.missingRequired().isEmpty()) {
            throw ApiError.forbidden("the token lacks scopes this connection requires: " + String.join(", ", found.missingRequired()));
        }
        ConnectSession session = found.session();
        BuildkiteToken token = ConnectSecrets.open(secret, session.pending().sealedToken());
        String accountId = AccountsService.newAccountId();
        ConnectSession used = sessions.replace(session.used(accountId)).orElseThrow(ConnectService::changed);
        AccountsService.View view;
        try {
            view = accounts.link(session.tenantId(), token, session.label(), accountId);
        } catch (RuntimeException e) {
            // Open again, without the token, so that the customer may paste one again; but not once the
            // account exists (a later step of the link failed): a second confirmation would link it twice.
            if (!accountExists(session.tenantId(), accountId)) {
                try {
                    sessions.replace(used.reopened());
                } catch (RuntimeException reopening) {
                    e.addSuppressed(reopening);
                }
            }
            throw e;
        }
        return Optional.of(new Linked(used, view, Optional.ofNullable(used.redirectUrl()).map(url -> redirect(url, accountId, used.state()))));
    }

    /** Whether the account is there; when that cannot be told, as if it were (the session then stays used). */
    private boolean accountExists(String tenantId, String accountId) {
        try {
            accounts.get(tenantId, accountId);
            return true;
        } catch (ApiError e) {
            return e.status() != 404;
        } catch (RuntimeException e) {
            return true;
        }
    }

    /** {@code redirect_url} with {@code integrated_account_id} and {@code state} added to its query. */
    static String redirect(String url, String accountId, String state) {
        StringBuilder to = new StringBuilder(url);
        if (!url.endsWith("?") && !url.endsWith("&")) {
            to.append(url.contains("?") ? '&' : '?');
        }
        to.append("integrated_account_id=").append(URLEncoder.encode(accountId, StandardCharsets.UTF_8));
        if (state != null) {
            to.append("&state=").append(URLEncoder.encode(state, StandardCharsets.UTF_8));
        }
        return to.toString();
    }

    private static ApiError changed() {
        return ApiError.conflict("this page changed in another window meanwhile; reload it and try again");
    }
}
