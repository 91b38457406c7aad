package dev.kitebridge.buildkite;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.buildkite.ratelimit.Budget;
import dev.kitebridge.buildkite.ratelimit.BudgetReading;
import dev.kitebridge.buildkite.ratelimit.RateLimitGovernor;
import dev.kitebridge.time.Deadline;
import dev.kitebridge.time.TimeSource;

/**
 * Sends one call to Buildkite the careful way: ask the governor first, wait only as long as the
 * caller may, report every answer's rate-limit headers, retry what is safe to retry, and turn
 * error answers into typed exceptions. Both the REST and the GraphQL clients go through here.
 */
public final class Transport {

    private static final System.Logger LOG = System.getLogger(Transport.class.getName());
    private static final String USER_AGENT = "kitebridge/0.1 (+https://github.com/kitebridge)";
    private static final Pattern TRY_AGAIN_IN = Pattern.compile("(?:try again in|wait) (\\d+) seconds?");
    /** 429 answers after which one call gives up, even inside its wait budget. */
    private static final int MAX_RATE_LIMITED_ANSWERS = 5;
    /** How long to hold a budget after a 429 that says neither which budget nor for how long. */
    private static final Duration UNEXPLAINED_429_HOLD = Duration.ofSeconds(1);

    private final HttpClient http;
    private final BuildkiteToken token;
    private final RateLimitGovernor governor;
    private final String userBudgetKey;
    private final TimeSource time;
    private final RetryPolicy retry;
    private final Duration requestTimeout;
    private final Duration maxWait;
    private final CallListener listener;

    public Transport(HttpClient http, BuildkiteToken token, RateLimitGovernor governor, String userBudgetKey,
              TimeSource time, RetryPolicy retry, Duration requestTimeout, Duration maxWait, CallListener listener) {
        this.http = http;
        this.token = token;
        this.governor = governor;
        this.userBudgetKey = userBudgetKey;
        this.time = time;
        this.retry = retry;
        this.requestTimeout = requestTimeout;
        this.maxWait = maxWait;
        this.listener = listener;
    }

    /**
     * One call.
     *
     * @param organizationSlug the organization whose budget the call spends, or null for calls outside one
     * @param idempotent whether a failed attempt may be repeated (GET, DELETE, GraphQL queries)
     * @param cost what the call spends: 1 for REST, the expected complexity for GraphQL
     */
    public record Call(String method, URI uri, byte[] body, Budget.Api api, String organizationSlug,
                       boolean idempotent, long cost) {

        /** How the call appears in logs and messages: method and path, without the query. */
        String describe() {
            return method + " " + uri.getRawPath();
        }
    }

    /**
     * An answer: status, headers, the parsed body (null for 204 or a body that is not JSON), and the
     * body's bytes as Buildkite sent them.
     */
    public record Response(int status, HttpHeaders headers, JsonNode body, byte[] raw) {}

    /** The deadline of a call that starts now and may wait the client's {@code maxWait} for a spent budget. */
    public Deadline maxWaitFromNow() {
        return Deadline.at(time.now().plus(maxWait));
    }

    /**
     * Sends a call that may wait for a spent budget until {@code deadline}; any answer but a success
     * is thrown as a {@link BuildkiteException}. With {@code passRefusals}, Buildkite's 4xx answers
     * (but 401 and 429) are returned as they came, for a caller that passes them on (the proxy).
     */
    public Response send(Call call, Deadline deadline, boolean passRefusals) {
        Instant start = time.now();
        // A deadline already past still lets a call go whose budget is free now.
        Deadline waitUntil = deadline.isBefore(start) ? Deadline.at(start) : deadline;
        List<Budget> budgets = budgetsOf(call);
        int failures = 0;
        int rateLimitedAnswers = 0;
        while (true) {
            waitForBudget(call, budgets, waitUntil);
            HttpResponse<byte[]> answer;
            try {
                answer = http.send(request(call), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                governor.settle(budgets, call.cost(), List.of());
                listener.answered(call.method(), call.uri().getRawPath(), 0, List.of());
                failures++;
                if (retryable(call, failures)) {
                    backOff(call, failures, "failed with " + e.getClass().getSimpleName());
                    continue;
                }
                throw new BuildkiteException.Unavailable(0, "Buildkite did not answer " + call.describe()
                        + " after " + (failures + rateLimitedAnswers) + " attempt(s): " + e.getClass().getSimpleName(), e);
            } catch (InterruptedException e) {
                governor.settle(budgets, call.cost(), List.of());
                Thread.currentThread().interrupt();
                throw new BuildkiteException.Unavailable(0, "interrupted while calling " + call.describe(), e);
            } catch (RuntimeException e) {
                governor.settle(budgets, call.cost(), List.of()); // not left reserved: the call may have gone out
                throw e;
            }
            Instant receivedAt = time.now();
            int status = answer.statusCode();
            List<BudgetReading> readings = readings(call, answer.headers(), receivedAt);
            governor.settle(budgets, call.cost(), readings);
            listener.answered(call.method(), call.uri().getRawPath(), status, readings);

            if (status == 429) {
                rateLimitedAnswers++;
                Instant retryAt = readings.stream().filter(r -> r.remaining() <= 0).map(BudgetReading::resetsAt)
                        .max(Instant::compareTo).orElse(null);
                if (retryAt == null) {
                    // No header says which budget is spent: hold the user's budget as long as the body says.
                    retryAt = receivedAt.plus(resetFromBody(answer).orElse(UNEXPLAINED_429_HOLD));
                    governor.holdUntil(budgets.get(budgets.size() - 1), retryAt);
                }
                if (rateLimitedAnswers >= MAX_RATE_LIMITED_ANSWERS) {
                    throw new BuildkiteException.RateLimited(Duration.between(receivedAt, retryAt),
                            budgets.get(budgets.size() - 1).buildkiteScope(), "Buildkite kept answering 429 to " + call.describe());
                }
                LOG.log(Level.WARNING, "Buildkite answered {0} with 429; waiting for its budget", call.describe());
                continue;
            }
            if (status >= 500) {
                failures++;
                if (retryable(call, failures)) {
                    backOff(call, failures, "answered " + status);
                    continue;
                }
                throw new BuildkiteException.Unavailable(status, "Buildkite answered " + status + " to "
                        + call.describe() + " after " + failures + " attempt(s)", null);
            }
            if (status == 404 && call.method().equals("DELETE") && failures > 0) {
                // A retried delete that finds nothing: the lost attempt did it.
                return new Response(204, answer.headers(), null, new byte[0]);
            }
            JsonNode body;
            try {
                body = parse(answer.body());
            } catch (IOException truncated) {
                if (status < 300) {
                    failures++;
                    if (retryable(call, failures)) {
                        backOff(call, failures, "sent a body that is not whole JSON");
                        continue;
                    }
                    throw new BuildkiteException.Unavailable(status, "Buildkite sent a body that is not whole JSON for "
                            + call.describe(), truncated);
                }
                body = null;
            }
            if (passRefusals && status >= 400 && status != 401) {
                return new Response(status, answer.headers(), body, answer.body());
            }
            if (status < 200 || status >= 300) {
                throw BuildkiteException.of(status, messageOf(body), call.describe());
            }
            LOG.log(Level.DEBUG, "Buildkite {0} answered {1}", call.describe(), status);
            return new Response(status, answer.headers(), body, answer.body());
        }
    }

    /** Waits while the governor says no, as long as the deadline allows; otherwise answers rate limited. */
    private void waitForBudget(Call call, List<Budget> budgets, Deadline deadline) {
        while (true) {
            Instant now = time.now();
            RateLimitGovernor.Decision decision = governor.reserve(budgets, call.cost(), now);
            if (decision instanceof RateLimitGovernor.Decision.OverLimit over) {
                String unit = call.api() == Budget.Api.REST ? " requests" : " points";
                throw new BuildkiteException.OverLimit(over.budget().buildkiteScope(), call.cost(), over.limit(),
                        call.describe() + " costs " + call.cost() + unit + ", more than Buildkite's whole "
                                + over.budget().buildkiteScope() + " budget of " + over.limit() + unit
                                + " a window: no refill can cover it, so it is not sent");
            }
            if (decision instanceof RateLimitGovernor.Decision.NotBefore notBefore) {
                if (deadline.isBefore(notBefore.instant())) {
                    Duration retryAfter = Duration.between(now, notBefore.instant());
                    throw new BuildkiteException.RateLimited(retryAfter, notBefore.budget().buildkiteScope(),
                            "Buildkite's " + notBefore.budget().buildkiteScope() + " budget is spent; it refills in "
                                    + Math.max(1, retryAfter.toSeconds()) + " s, longer than this call may wait ("
                                    + call.describe() + ")");
                }
                sleep(Duration.between(now, notBefore.instant()));
                continue;
            }
            return;
        }
    }


    private List<Budget> budgetsOf(Call call) {
        List<Budget> budgets = new ArrayList<>(2);
        if (call.organizationSlug() != null) {
            budgets.add(Budget.organization(call.api(), call.organizationSlug()));
        }
        budgets.add(Budget.user(call.api(), userBudgetKey));
        return budgets;
    }

    /**
     * The budgets an answer describes: {@code RateLimit-*} (organization) and {@code RateLimit-User-*},
     * each only if its {@code -Scope} header names this call's budget (or is absent, as in Buildkite's
     * older answers): another API's numbers taken for this one's would make a budget of the wrong size.
     */
    private List<BudgetReading> readings(Call call, HttpHeaders headers, Instant receivedAt) {
        List<BudgetReading> readings = new ArrayList<>(2);
        if (call.organizationSlug() != null) {
            reading(call, headers, "RateLimit-", Budget.organization(call.api(), call.organizationSlug()), receivedAt)
                    .ifPresent(readings::add);
        }
        reading(call, headers, "RateLimit-User-", Budget.user(call.api(), userBudgetKey), receivedAt).ifPresent(readings::add);
        return readings;
    }

    /**
     * Mismatches already logged, by header and the scope expected (not the one found, which the
     * endpoint chooses): each is said once per process, however many answers repeat it.
     */
    private static final Set<String> MISMATCHES_LOGGED = ConcurrentHashMap.newKeySet();

    private static Optional<BudgetReading> reading(Call call, HttpHeaders headers, String prefix, Budget budget, Instant receivedAt) {
        Optional<String> scope = headers.firstValue(prefix + "Scope").map(String::trim);
        if (scope.isPresent() && !scope.get().equalsIgnoreCase(budget.buildkiteScope())) {
            String header = prefix + "Scope";
            if (MISMATCHES_LOGGED.add(header + "|" + budget.buildkiteScope())) {
                String found = scope.get().length() > 40 ? scope.get().substring(0, 40) + "…" : scope.get();
                LOG.log(Level.WARNING, "Buildkite answered {0} with {1}: {2} where {3} was expected; its {4}* headers are"
                        + " ignored (said once)", call.describe(), header, found, budget.buildkiteScope(), prefix);
            }
            return Optional.empty();
        }
        OptionalLong limit = number(headers, prefix + "Limit");
        OptionalLong remaining = number(headers, prefix + "Remaining");
        OptionalLong reset = number(headers, prefix + "Reset");
        if (limit.isEmpty() || remaining.isEmpty() || reset.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new BudgetReading(budget, limit.getAsLong(), remaining.getAsLong(),
                receivedAt.plusSeconds(reset.getAsLong()), receivedAt));
    }

    private static OptionalLong number(HttpHeaders headers, String name) {
        Optional<String> value = headers.firstValue(name);
        if (value.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(value.get().trim()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** A 429 without rate-limit headers: its body's {@code reset}, "try again in N seconds", or {@code Retry-After}. */
    private static Optional<Duration> resetFromBody(HttpResponse<byte[]> answer) {
        try {
            JsonNode body = parse(answer.body());
            if (body != null && body.path("reset").canConvertToLong()) {
                return Optional.of(Duration.ofSeconds(body.path("reset").asLong()));
            }
            Matcher seconds = TRY_AGAIN_IN.matcher(String.valueOf(messageOf(body)));
            if (seconds.find()) {
                return Optional.of(Duration.ofSeconds(Long.parseLong(seconds.group(1))));
            }
        } catch (IOException ignored) {
            // fall through to Retry-After
        }
        return answer.headers().firstValue("Retry-After").flatMap(value -> {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(value.trim())));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    /** Buildkite's reason: REST's {@code message}, or GraphQL's first {@code errors[].message}. */
    static String messageOf(JsonNode body) {
        if (body == null) {
            return null;
        }
        if (body.hasNonNull("message")) {
            return body.get("message").asText();
        }
        JsonNode errors = body.path("errors");
        if (errors.isArray() && !errors.isEmpty()) {
            return errors.get(0).path("message").asText(null);
        }
        return null;
    }

    private static JsonNode parse(byte[] body) throws IOException {
        if (body == null || body.length == 0) {
            return null;
        }
        JsonNode parsed = BuildkiteJson.MAPPER.readTree(body);
        if (parsed == null || parsed.isMissingNode()) {
            throw new IOException("empty JSON");
        }
        return parsed;
    }

    private HttpRequest request(Call call) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(call.uri())
                .timeout(requestTimeout)
                .header("Authorization", "Bearer " + token.reveal())
                .header("Accept", "application/json")
                .header("User-Agent", USER_AGENT);
        if (call.body() != null) {
            builder.header("Content-Type", "application/json")
                    .method(call.method(), HttpRequest.BodyPublishers.ofByteArray(call.body()));
        } else {
            builder.method(call.method(), HttpRequest.BodyPublishers.noBody());
        }
        return builder.build();
    }

    /** Whether a call that failed {@code failures} times may be sent again. */
    private boolean retryable(Call call, int failures) {
        return call.idempotent() && failures < retry.maxAttempts();
    }

    private void backOff(Call call, int failures, String what) {
        Duration delay = retry.delayAfter(failures);
        LOG.log(Level.WARNING, "Buildkite {0} {1}; retrying in {2} ms (attempt {3} of {4})",
                call.describe(), what, delay.toMillis(), failures + 1, retry.maxAttempts());
        sleep(delay);
    }

    private void sleep(Duration duration) {
        try {
            time.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildkiteException.Unavailable(0, "interrupted while waiting to call Buildkite", e);
        }
    }
}
