package dev.kitebridge.api;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.kitebridge.contract.ApiJson;
import dev.kitebridge.tenants.ApiKeyStore;
import dev.kitebridge.tenants.IdempotencyStore;
import dev.kitebridge.time.TimeSource;

/**
 * {@code Idempotency-Key} on writes: the first request with a key runs and its answer is kept for
 * a day; a replay with the same key and request answers the same without running again; the same
 * key with another request answers 409. Two requests with one key at once: one runs, the other
 * waits for its answer.
 *
 * <p>Once a request has sent Buildkite a write, its answer is kept whatever it is (a 502 included):
 * running it again could write twice. Before that, only answers a retry would get again are kept
 * (success, a malformed request); the rest (a missing scope, a member not yet there, a spent
 * budget) are let go, so that a retry runs.
 */
public final class Idempotency {

    static final String HEADER = "idempotency-key";
    /** How long a completed answer is replayed. */
    static final Duration KEPT_FOR = Duration.ofHours(24);
    /**
     * How long a running request holds its key before another may take it over (it died, say). Twice
     * the Lambda timeout (29 s), so that a request still running never loses its key to a retry, with
     * room for clock skew between the instances that judge the lease.
     */
    static final Duration LEASE = Duration.ofSeconds(60);
    /** How long a second request with the key waits for the first one's answer. */
    static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{1,255}");

    private final IdempotencyStore store;
    private final TimeSource time;

    public Idempotency(IdempotencyStore store, TimeSource time) {
        this.store = store;
        this.time = time;
    }

    /** What one run of a write tells its key: whether it reached Buildkite. */
    static final class Attempt {
        private volatile boolean wrote;

        /** The write went out to Buildkite: from here on its answer is the answer, whatever it is. */
        void wroteToBuildkite() {
            wrote = true;
        }
    }

    /** Runs {@code write} once per key and request; without a key, every time. */
    ApiResponse run(ApiRequest request, Function<Attempt, ApiResponse> write) {
        String key = request.headers().get(HEADER);
        if (key == null) {
            return write.apply(new Attempt());
        }
        if (!KEY.matcher(key).matches()) {
            return Responses.error(400, "invalid_request", "Idempotency-Key must be 1 to 255 printable ASCII characters without spaces",
                    request, headers(request), Map.of());
        }
        String hash = requestHash(request);
        Instant waitUntil = time.now().plus(WAIT);
        while (true) {
            IdempotencyStore.Claim claim = store.claim(request.tenantId(), key, hash, time.now(), LEASE);
            if (claim instanceof IdempotencyStore.Claim.Granted granted) {
                return runClaimed(request, key, granted.claimId(), hash, write);
            }
            if (claim instanceof IdempotencyStore.Claim.Replay replay) {
                Map<String, String> headers = headers(request);
                headers.put("content-type", "application/json");
                headers.put("idempotent-replayed", "true");
                return new ApiResponse(replay.response().status(), headers, replay.response().body());
            }
            if (claim instanceof IdempotencyStore.Claim.Conflict) {
                return Responses.error(409, "idempotency_key_reused", "Idempotency-Key " + key
                        + " was used with another request (method, path, query or body); use a new key for a new request",
                        request, headers(request), Map.of());
            }
            if (!time.now().isBefore(waitUntil)) {
                Map<String, String> headers = headers(request);
                headers.put("retry-after", "1");
                return Responses.error(409, "idempotency_key_in_use", "a request with Idempotency-Key " + key
                        + " is still running; retry to get its answer", request, headers, Map.of());
            }
            sleep();
        }
    }

    /** Completes or releases by claimId, so that a claim taken over by a retry is not this run's to end. */
    private ApiResponse runClaimed(ApiRequest request, String key, String claimId, String hash, Function<Attempt, ApiResponse> write) {
        Attempt attempt = new Attempt();
        ApiResponse response;
        try {
            response = write.apply(attempt);
        } catch (RuntimeException e) {
            if (!attempt.wrote) {
                store.release(request.tenantId(), key, claimId);
            } // else: the lease runs out, and a retry after it runs again; nothing better is known
            throw e;
        }
        if (attempt.wrote || kept(response.statusCode())) {
            store.complete(request.tenantId(), key, claimId, hash, new IdempotencyStore.StoredResponse(response.statusCode(),
                    response.body()),
                    time.now().plus(KEPT_FOR));
        } else {
            store.release(request.tenantId(), key, claimId);
        }
        return response;
    }

    /** Answers, without a write sent, that a retry would get again: success (nothing to do), a malformed request. */
    static boolean kept(int status) {
        return status / 100 == 2 || status == 400 || status == 405 || status == 413;
    }

    /**
     * What makes two requests the same: method, path, query (sorted) and body (as JSON, keys sorted
     * and spacing dropped, so a client that re-serializes its body is still making the same
     * request); stored as a hash only.
     */
    static String requestHash(ApiRequest request) {
        StringBuilder text = new StringBuilder(request.method()).append(' ').append(request.path()).append('\n');
        new TreeMap<>(request.query()).forEach((name, value) -> text.append(name).append('=').append(value).append('\n'));
        text.append('\n').append(canonical(request.body()));
        return ApiKeyStore.hash(text.toString());
    }

    private static final ObjectMapper SORTED = ApiJson.MAPPER.copy().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private static String canonical(String body) {
        if (body == null) {
            return "";
        }
        try {
            return SORTED.writeValueAsString(SORTED.readValue(body, Object.class));
        } catch (JsonProcessingException notJson) {
            return body; // refused as malformed anyway; the text itself is what was sent
        }
    }

    private static Map<String, String> headers(ApiRequest request) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-request-id", request.requestId());
        return headers;
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a request with the same Idempotency-Key", e);
        }
    }
}
