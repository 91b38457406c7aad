package dev.kitebridge.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import dev.kitebridge.access.IntegratedAccount;
import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.connect.ConnectSecrets;
import dev.kitebridge.connect.ConnectService.Found;
import dev.kitebridge.connect.ConnectService;
import dev.kitebridge.connect.ConnectSession;
import dev.kitebridge.connect.RedirectOrigins;
import dev.kitebridge.connect.Scopes;
import dev.kitebridge.contract.ApiError;

/**
 * The connect page, {@code GET|POST /connect/{session}}: server-rendered HTML that works without
 * JavaScript. Step one teaches the token to make and takes it; step two shows what it reaches and
 * what it lacks, and links it on confirmation. The page never holds the token: it is never
 * rendered back (not even after a refusal), and while it waits for confirmation it is sealed in the
 * session, not in a hidden field. Every answer forbids framing, caching and referrers, and its
 * Content-Security-Policy allows no script at all and only this page's own stylesheet (by hash).
 */
public final class ConnectPages {

    static final String BUILDKITE_NEW_TOKEN = "https://buildkite.com/user/api-access-tokens/new";
    private static final int MAX_FORM = 16 * 1024;
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d MMMM yyyy, HH:mm 'UTC'", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);

    static final String CSS = """
            :root{color-scheme:light;--ink:#1b1b1f;--muted:#4a4a55;--line:#c9c9d3;--accent:#14532d;--bad:#a4161a;--bg:#fff;--soft:#f4f4f7}
            *{box-sizing:border-box}
            body{margin:0;background:var(--soft);color:var(--ink);font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
            main{max-width:42rem;margin:1.5rem auto;padding:1.5rem;background:var(--bg);border:1px solid var(--line);border-radius:.5rem}
            h1{font-size:1.6rem;line-height:1.25;margin:.25rem 0 1rem}
            h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
            p,li{overflow-wrap:anywhere}
            .brand{color:var(--muted);font-size:.9rem;margin:0}
            code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;background:var(--soft);padding:0 .2em;border-radius:.2em}
            ol.steps>li,ul.scopes>li,ul.missing>li{margin:.4rem 0}
            .tag{display:inline-block;font-size:.8rem;padding:0 .4em;border:1px solid var(--line);border-radius:1em;color:var(--muted)}
            .tag.required{border-color:var(--accent);color:var(--accent)}
            label{display:block;font-weight:600;margin-top:1rem}
            .hint{color:var(--muted);margin:.25rem 0}
            input[type=password]{display:block;width:100%;max-width:100%;font:inherit;padding:.5rem;border:2px solid var(--ink);border-radius:.25rem;margin:.25rem 0 .5rem}
            .invalid input{border-color:var(--bad)}
            .field-error{color:var(--bad);font-weight:600;margin:.25rem 0}
            .invalid{border-left:4px solid var(--bad);padding-left:.75rem}
            .notice{padding:.75rem 1rem;border-radius:.25rem;border:2px solid var(--line)}
            .notice.error{border-color:var(--bad)}
            .notice.ok{border-color:var(--accent)}
            .actions{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;margin-top:1rem}
            .actions form{margin:0}
            button{font:inherit;font-weight:600;padding:.6rem 1.1rem;border-radius:.3rem;border:2px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer}
            button.secondary{background:var(--bg);color:var(--accent)}
            a{color:#1d4ed8}
            .visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
            :focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
            @media (max-width:30rem){main{margin:0;border:0;border-radius:0;padding:1rem}}
            """;
    private static final String CSS_HASH = "'sha256-" + sha256Base64(CSS) + "'";

    private final ConnectService connect;

    public ConnectPages(ConnectService connect) {
        this.connect = connect;
    }

    /** {@code GET /connect/{session}}: the page as the session stands. */
    public ApiResponse show(ApiRequest request) {
        String secret = request.pathParameter("session");
        return answer(request, () -> show(request, secret, connect.find(secret), null, 200));
    }

    /** {@code POST /connect/{session}}: the page's form (check a token, confirm it, or start again). */
    public ApiResponse submit(ApiRequest request) {
        return answer(request, () -> post(request, request.pathParameter("session")));
    }

    /** The page's own error frame: a failure is a page, not the contract's JSON, and is logged as every route's is. */
    private ApiResponse answer(ApiRequest request, Supplier<ApiResponse> page) {
        try {
            return page.get();
        } catch (ApiError e) {
            ErrorFrame.log(e, request);
            return message(request, e.status(), "Something went wrong", "Please try again in a minute.", null);
        }
    }

    private ApiResponse post(ApiRequest request, String secret) {
        if (request.body() != null && request.body().length() > MAX_FORM) {
            return message(request, 413, "That was too much", "The form's content is too long. Go back and paste the token alone.", null);
        }
        Map<String, String> form = form(request.body());
        String action = form.get("action");
        if (action == null || form.get("csrf") == null || !List.of("check", "confirm", "restart").contains(action)) {
            return message(request, 400, "This form is incomplete", "Reload the page and try again.", null);
        }
        Found found = connect.find(secret);
        if (!found.open()) {
            return show(request, secret, found, null, 200);
        }
        if (!ConnectSecrets.csrfMatches(secret, form.get("csrf"))) {
            return message(request, 403, "This form does not belong to this page",
                    "It may come from another window or an older page. Reload this page and try again.", found.session());
        }
        return switch (action) {
            case "check" -> check(request, secret, form.get("token"));
            case "confirm" -> confirm(request, secret);
            default -> {
                connect.restart(secret);
                yield ApiResponse.seeOther(secret, headers(request, null));
            }
        };
    }

    private ApiResponse check(ApiRequest request, String secret, String pasted) {
        String value = pasted == null ? "" : pasted.strip();
        if (value.isEmpty()) {
            return show(request, secret, connect.find(secret), new Problem("Paste the token you made on Buildkite.", true), 422);
        }
        BuildkiteToken token;
        try {
            token = BuildkiteToken.of(value);
        } catch (IllegalArgumentException e) {
            return show(request, secret, connect.find(secret), new Problem("A Buildkite token has no spaces in it. Copy it again, "
                    + "from its first character (bkua_) to its last.", true), 422);
        }
        try {
            Found after = connect.check(secret, token);
            if (!after.open()) {
                return show(request, secret, after, null, 200);
            }
            return ApiResponse.seeOther(secret, headers(request, null));
        } catch (ApiError e) {
            ErrorFrame.log(e, request);
            Found now = connect.find(secret);
            if (e.status() == 422) {
                return show(request, secret, now, new Problem(capitalized(e.getMessage()) + ".", true), 422);
            }
            return show(request, secret, now, new Problem(e.status() == 409 ? capitalized(e.getMessage()) + "."
                    : "Buildkite could not be asked about the token just now. Please try again in a minute.", false), e.status());
        }
    }

    private ApiResponse confirm(ApiRequest request, String secret) {
        try {
            return connect.confirm(secret)
                    .map(linked -> linked.redirect().map(to -> ApiResponse.seeOther(to, headers(request, null)))
                            .orElseGet(() -> done(request, linked)))
                    .orElseGet(() -> ApiResponse.seeOther(secret, headers(request, null)));
        } catch (ApiError e) {
            ErrorFrame.log(e, request);
            Found now = connect.find(secret);
            String why = e.status() == 422 ? capitalized(e.getMessage()) + ". Make a new token and paste it."
                    : e.status() == 403 ? capitalized(e.getMessage()) + "."
                    : e.status() == 409 ? capitalized(e.getMessage()) + "."
                    : "Buildkite could not be reached to link the token. Please try again in a minute.";
            return show(request, secret, now, new Problem(why, e.status() == 422), e.status());
        }
    }

    /** A problem to show: beside the token field (the token's own), or above the form. */
    private record Problem(String message, boolean ofTheToken) {}

    /** The page a session's URL shows as it stands. */
    private ApiResponse show(ApiRequest request, String secret, Found found, Problem problem, int status) {
        ConnectSession session = found.session();
        return switch (found.standing()) {
            case UNKNOWN -> message(request, 404, "This link does not work",
                    "It may be mistyped or incomplete. Go back to where you started and ask for a new link.", null);
            case EXPIRED -> message(request, 410, "This link has expired",
                    "A link works for 30 minutes. Go back to where you started and ask for a new link.", null);
            case USED -> message(request, 410, "This link has been used",
                    "Buildkite was connected with it, and a link works once. To connect again, ask for a new link where you started.",
                    null);
            case EXHAUSTED -> message(request, 410, "Too many tokens were tried",
                    "This link takes " + ConnectService.MAX_ATTEMPTS + " tokens at most, and has had them. Go back to where you "
                            + "started and ask for a new link.", null);
            case OPEN -> session.pending() == null || (problem != null && problem.ofTheToken())
                    ? ApiResponse.html(status, page("Connect Buildkite", tokenForm(secret, found, problem)), headers(request, session))
                    : ApiResponse.html(status, page("Check what the token reaches", review(secret, found, problem)), headers(request, session));
        };
    }

    private String tokenForm(String secret, Found found, Problem problem) {
        ConnectSession session = found.session();
        StringBuilder html = new StringBuilder();
        html.append("<h1>Connect Buildkite</h1>\n");
        html.append("<p>").append(session.label() == null ? "To connect your Buildkite organization, make"
                : "To connect <strong>" + esc(session.label()) + "</strong>, make").append(
                " a Buildkite API access token and paste it below. It is checked with Buildkite first, and you see what it "
                        + "reaches before you confirm.</p>\n");
        if (problem != null && !problem.ofTheToken()) {
            html.append("<div class=\"notice error\" role=\"alert\"><p>").append(esc(problem.message())).append("</p></div>\n");
        }
        html.append("<h2>1. Make the token on Buildkite</h2>\n<ol class=\"steps\">\n");
        html.append("<li>Open <a href=\"").append(BUILDKITE_NEW_TOKEN).append("\" target=\"_blank\" rel=\"noopener noreferrer\">")
                .append("Buildkite's New API Access Token page</a> (opens in a new tab; or Personal Settings, then API Access "
                        + "Tokens, then New API Access Token).</li>\n");
        html.append("<li><strong>Description</strong>: a name you will recognise later, such as <code>")
                .append(esc(session.label() == null ? "Directory connection" : session.label())).append("</code>.</li>\n");
        html.append("<li><strong>Organization Access</strong>: choose the organization to connect. The token reaches only the "
                + "organizations you choose here.</li>\n");
        html.append("<li><strong>Scopes</strong>: tick these.\n<ul class=\"scopes\">\n");
        for (Scopes.Scope scope : Scopes.all()) {
            boolean required = session.requiredScopes().contains(scope.name());
            html.append("<li><code>").append(scope.name()).append("</code>: ").append(esc(scope.buildkiteLabel())).append(' ')
                    .append(required ? "<span class=\"tag required\">required</span>" : "<span class=\"tag\">optional</span>");
            if (!required) {
                html.append(" Without it, ").append(esc(scope.withoutIt())).append('.');
            }
            html.append("</li>\n");
        }
        html.append("</ul></li>\n");
        html.append("<li><strong>Token Expiry</strong>: when the token expires, this connection stops until a new token is given.</li>\n");
        html.append("<li>Create the token, and copy it: it starts with <code>bkua_</code>, and Buildkite shows it only once.</li>\n");
        html.append("</ol>\n<h2>2. Paste it here</h2>\n");
        boolean invalid = problem != null && problem.ofTheToken();
        // The form posts to the page's own URL (no action attribute): nothing of the secret is written in the page.
        html.append("<form method=\"post\">\n").append(hidden("csrf", ConnectSecrets.csrfToken(secret)))
                .append(hidden("action", "check"));
        html.append("<div class=\"field").append(invalid ? " invalid" : "").append("\">\n");
        html.append("<label for=\"token\">Buildkite API access token</label>\n");
        html.append("<p id=\"token-hint\" class=\"hint\">It is checked with Buildkite, kept encrypted, and never shown again. ")
                .append(found.attemptsLeft()).append(found.attemptsLeft() == 1 ? " try" : " tries").append(" left on this link.</p>\n");
        if (invalid) {
            html.append("<p id=\"token-error\" class=\"field-error\"><span class=\"visually-hidden\">Error: </span>")
                    .append(esc(problem.message())).append("</p>\n");
        }
        html.append("<input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"off\" spellcheck=\"false\" "
                + "autocapitalize=\"off\" required aria-describedby=\"token-hint").append(invalid ? " token-error" : "").append('"')
                .append(invalid ? " aria-invalid=\"true\" autofocus" : "").append(">\n</div>\n");
        html.append("<div class=\"actions\"><button type=\"submit\">Check the token</button></div>\n</form>\n");
        return html.toString();
    }

    private String review(String secret, Found found, Problem problem) {
        ConnectSession session = found.session();
        ConnectSession.Pending pending = session.pending();
        List<String> missingRequired = found.missingRequired();
        StringBuilder html = new StringBuilder();
        html.append("<h1>Check what the token reaches</h1>\n");
        if (problem != null) {
            html.append("<div class=\"notice error\" role=\"alert\"><p>").append(esc(problem.message())).append("</p></div>\n");
        } else {
            html.append("<p class=\"notice ok\" role=\"status\">Buildkite accepted the token. Nothing is linked until you confirm.</p>\n");
        }
        html.append("<h2>Organizations it reaches</h2>\n");
        if (pending.organizations().isEmpty()) {
            html.append("<p>None that it can list: it lacks <code>read_organizations</code>, or no organization was chosen for it.</p>\n");
        } else {
            html.append("<ul>\n");
            for (IntegratedAccount.OrganizationRef org : pending.organizations()) {
                html.append("<li>").append(esc(org.name())).append(" (<code>").append(esc(org.slug())).append("</code>)</li>\n");
            }
            html.append("</ul>\n");
        }
        html.append("<h2>Its scopes</h2>\n<p>");
        html.append(pending.scopes().isEmpty() ? "None." : String.join(", ", pending.scopes().stream().map(s -> "<code>" + esc(s) + "</code>")
                .toList())).append("</p>\n");
        if (pending.tokenExpiresAt() != null) {
            html.append("<p>It expires on ").append(DAY.format(pending.tokenExpiresAt()))
                    .append("; the connection stops working then, until a new token is given.</p>\n");
        }
        List<Scopes.Scope> missing = Scopes.missing(pending.scopes());
        if (!missing.isEmpty()) {
            html.append("<h2 id=\"missing\">What will not work without the scopes it lacks</h2>\n<ul class=\"missing\" aria-labelledby=\"missing\">\n");
            for (Scopes.Scope scope : missing) {
                html.append("<li><code>").append(scope.name()).append("</code>")
                        .append(session.requiredScopes().contains(scope.name()) ? " <span class=\"tag required\">required</span>" : "")
                        .append(": ").append(esc(scope.withoutIt())).append(".</li>\n");
            }
            html.append("</ul>\n");
        } else {
            html.append("<p>It has every scope this connection uses.</p>\n");
        }
        String csrf = ConnectSecrets.csrfToken(secret);
        html.append("<div class=\"actions\">\n");
        if (missingRequired.isEmpty()) {
            html.append("<form method=\"post\">").append(hidden("csrf", csrf)).append(hidden("action", "confirm"))
                    .append("<button type=\"submit\">").append(missing.isEmpty() ? "Connect" : "Connect anyway").append("</button></form>\n");
        } else {
            html.append("<p class=\"notice error\" role=\"alert\">This connection requires ")
                    .append(String.join(", ", missingRequired.stream().map(s -> "<code>" + s + "</code>").toList()))
                    .append(". Make a new token with ").append(missingRequired.size() == 1 ? "it" : "them").append(" and paste it instead.</p>\n");
        }
        html.append("<form method=\"post\">").append(hidden("csrf", csrf)).append(hidden("action", "restart"))
                .append("<button type=\"submit\" class=\"secondary\">Use another token</button></form>\n</div>\n");
        return html.toString();
    }

    private ApiResponse done(ApiRequest request, ConnectService.Linked linked) {
        StringBuilder html = new StringBuilder("<h1>Buildkite is connected</h1>\n");
        html.append("<p class=\"notice ok\" role=\"status\">The token was linked");
        List<IntegratedAccount.OrganizationRef> organizations = linked.account().account().organizations();
        if (!organizations.isEmpty()) {
            html.append(", reaching ").append(String.join(", ", organizations.stream().map(o -> esc(o.name())).toList()));
        }
        html.append(".</p>\n<p>You can close this window.</p>\n");
        return ApiResponse.html(200, page("Buildkite is connected", html.toString()), headers(request, null));
    }

    /** A page that only says something: an unknown, expired or used link, a refused form. Nothing of the tenant. */
    private static ApiResponse message(ApiRequest request, int status, String title, String text, ConnectSession session) {
        return ApiResponse.html(status, page(title, "<h1>" + esc(title) + "</h1>\n<p>" + esc(text) + "</p>\n"), headers(request, session));
    }

    private static String page(String title, String body) {
        return "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                + "<meta name=\"referrer\" content=\"no-referrer\">\n"
                + "<title>" + esc(title) + " · Kitebridge</title>\n<style>" + CSS + "</style>\n</head>\n<body>\n<main>\n"
                + "<p class=\"brand\">Kitebridge · Buildkite connection</p>\n" + body + "</main>\n</body>\n</html>\n";
    }

    /**
     * Every answer's headers: no script, this stylesheet only, forms only to this page (and, for the
     * redirect after linking, the session's redirect origin), no framing, no referrer, no caching.
     */
    static Map<String, String> headers(ApiRequest request, ConnectSession session) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-request-id", request.requestId());
        String formAction = "'self'";
        if (session != null && session.redirectUrl() != null) {
            formAction += " " + RedirectOrigins.originOf(session.redirectUrl());
        }
        headers.put("content-security-policy", "default-src 'none'; style-src " + CSS_HASH + "; img-src 'self'; form-action " + formAction
                + "; frame-ancestors 'none'; base-uri 'none'");
        headers.put("referrer-policy", "no-referrer");
        headers.put("cache-control", "no-store");
        headers.put("x-content-type-options", "nosniff");
        headers.put("x-frame-options", "DENY");
        return headers;
    }

    private static String hidden(String name, String value) {
        return "<input type=\"hidden\" name=\"" + name + "\" value=\"" + esc(value) + "\">";
    }

    /** An application/x-www-form-urlencoded body's fields (the first of each name). */
    static Map<String, String> form(String body) {
        Map<String, String> fields = new HashMap<>();
        if (body == null) {
            return fields;
        }
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                fields.putIfAbsent(name, value);
            } catch (IllegalArgumentException malformed) {
                // A malformed escape: the field is left out (and a missing field answers 400).
            }
        }
        return fields;
    }

    static String esc(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static String capitalized(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    private static String sha256Base64(String text) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
