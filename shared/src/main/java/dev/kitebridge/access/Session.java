package dev.kitebridge.access;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.buildkite.CallListener;
import dev.kitebridge.buildkite.client.BuildkiteClient;
import dev.kitebridge.buildkite.ratelimit.Budget;
import dev.kitebridge.buildkite.ratelimit.BudgetReading;
import dev.kitebridge.time.Deadline;
import dev.kitebridge.time.TimeSource;

/**
 * One request's access to one integrated account's Buildkite: the client, the time the request
 * may spend, and a tally of the calls it made (for the log line and the {@code ratelimit-*}
 * headers).
 */
public final class Session implements CallListener {

    private final IntegratedAccount account;
    private final TimeSource time;
    private final Instant deadline;
    private final AtomicInteger calls = new AtomicInteger();
    private volatile boolean wroteToBuildkite;
    private final AtomicInteger rateLimited = new AtomicInteger();
    private final AtomicReference<BudgetReading> lastRestUser = new AtomicReference<>();
    private volatile BuildkiteToken token;
    private volatile BuildkiteClient client;
    /** The client as the request's own calls use it: waiting no later than the request can afford. */
    private volatile BuildkiteClient inTime;
    /** How long a call through {@link #buildkiteUntil} may sleep for a spent budget; null: until its deadline. */
    private volatile Duration longestSleep;

    Session(IntegratedAccount account, TimeSource time, Instant deadline) {
        this.account = account;
        this.time = time;
        this.deadline = deadline;
    }

    /** The client for the account's token, built once (and again only when the token changes). */
    void attach(BuildkiteToken token, BuildkiteClient buildkite) {
        this.token = token;
        this.client = buildkite;
        this.inTime = buildkite.until(Deadline.at(deadline.minus(CALL_ALLOWANCE)));
    }

    /** The token the client calls with, to tell whether the stored one has changed since. */
    BuildkiteToken token() {
        return token;
    }

    public IntegratedAccount account() {
        return account;
    }

    public TimeSource time() {
        return time;
    }

    public Instant now() {
        return time.now();
    }

    public Instant deadline() {
        return deadline;
    }

    public Duration timeLeft() {
        return Duration.between(time.now(), deadline);
    }

    /** Time kept for the call itself after any wait for a budget, so that the request still ends in time. */
    static final Duration CALL_ALLOWANCE = Duration.ofSeconds(1);

    /** The client, allowed to wait for a spent budget only as long as the request can afford. */
    public BuildkiteClient buildkite() {
        return inTime;
    }

    /**
     * The client allowed to wait until {@code until} at most (a view of the same client), or for
     * {@link #sleepingAtMost} from now, whichever comes first: made for each call, as it starts.
     */
    public BuildkiteClient buildkiteUntil(Instant until) {
        Duration longest = longestSleep;
        Instant cap = longest == null ? until : time.now().plus(longest);
        return client.until(Deadline.at(cap.isBefore(until) ? cap : until));
    }

    /**
     * The client allowed to wait until {@code until} at most, whatever {@link #sleepingAtMost} says:
     * for a read that cannot stop part-way and go on (its calls more than a budget's window holds),
     * which a turn ended at each refill would begin again from its start for ever.
     */
    public BuildkiteClient buildkiteSleepingUntil(Instant until) {
        return client.until(Deadline.at(until));
    }

    /**
     * Calls made through {@link #buildkiteUntil} sleep for a spent budget {@code longest} at most:
     * a longer wait is answered at once as rate limited, with when the budget refills (the
     * governor's answer, as at a deadline). For a caller that has better to do than sleep: a sync
     * worker, billed while it sleeps, ends its turn and is queued again for the refill. The
     * session's own client ({@link #buildkite()}) is not held to it.
     */
    public Session sleepingAtMost(Duration longest) {
        this.longestSleep = longest;
        return this;
    }

    @Override
    public void answered(String method, String path, int status, List<BudgetReading> readings) {
        calls.incrementAndGet();
        if (status == 429) {
            rateLimited.incrementAndGet();
        }
        // A REST write that may have changed Buildkite: answered, or lost on the way (status 0);
        // a refused token (401) or a spent budget (429) changed nothing.
        if (!method.equals("GET") && path.startsWith("/v2/") && status != 401 && status != 429) {
            wroteToBuildkite = true;
        }
        readings.stream()
                .filter(r -> r.budget().api() == Budget.Api.REST && r.budget().scope() == Budget.Scope.USER)
                .findFirst()
                .ifPresent(lastRestUser::set);
    }

    /** Whether this request sent Buildkite a write that may have changed something, whatever came back. */
    public boolean wroteToBuildkite() {
        return wroteToBuildkite;
    }

    /** How many of this request's calls Buildkite answered 429 (the governor exists so that this stays 0). */
    public int rateLimitedAnswers() {
        return rateLimited.get();
    }

    /** How many calls to Buildkite this request made. */
    public int buildkiteCalls() {
        return calls.get();
    }

    /** The account's REST budget (the per-user one, which binds first) as the last answer told. */
    public Optional<BudgetReading> restBudget() {
        return Optional.ofNullable(lastRestUser.get());
    }
}
