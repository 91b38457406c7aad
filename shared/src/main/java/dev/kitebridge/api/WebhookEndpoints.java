package dev.kitebridge.api;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.kitebridge.events.ChangeEvent;
import dev.kitebridge.time.Deadline;
import dev.kitebridge.time.TimeSource;
import dev.kitebridge.webhooks.Webhook;
import dev.kitebridge.webhooks.WebhookDeliverer;
import dev.kitebridge.webhooks.WebhookTargets;
import dev.kitebridge.webhooks.WebhooksService;

/**
 * {@code /webhooks}: subscribe (POST), list and get (GET), unsubscribe (DELETE), and send parked
 * deliveries again ({@code POST /webhooks/{id}/replay}). The signing
 * secret is in the answer to the POST and nowhere else: not in a list, a get, an error or a log line.
 */
public final class WebhookEndpoints {

    /** A replay answers within the API's time, leaving a few seconds for the answer itself. */
    private static final Duration REPLAY_TIME = Duration.ofSeconds(20);

    private final WebhooksService webhooks;
    private final WebhookDeliverer deliverer;
    private final TimeSource time;

    public WebhookEndpoints(WebhooksService webhooks, WebhookDeliverer deliverer, TimeSource time) {
        this.webhooks = webhooks;
        this.deliverer = deliverer;
        this.time = time;
    }

    /** {@code POST /webhooks}: the answer is the one place the signing secret is shown. */
    public ApiResponse subscribe(ApiRequest request) {
        return ErrorFrame.answer(request, exchange -> {
            JsonBody body = JsonBody.parse(request.body(), Set.of("target_url", "event_types", "integrated_account_id"));
            Webhook made = webhooks.subscribe(request.tenantId(), body.requiredString("target_url", WebhookTargets.MAX_LENGTH),
                    body.strings("event_types", ChangeEvent.TYPES.size(), 100), body.string("integrated_account_id", RequestLimits.MAX_ID));
            Map<String, Object> json = view(made);
            json.put("signing_secret", made.signingSecret());
            return ApiResponse.json(201, json, exchange.headers());
        });
    }

    /** {@code GET /webhooks} */
    public ApiResponse list(ApiRequest request) {
        return ErrorFrame.answer(request, exchange -> Responses.wholeList(
                webhooks.list(request.tenantId()).stream().map(WebhookEndpoints::view).toList(), exchange.headers()));
    }

    /** {@code GET /webhooks/{id}} */
    public ApiResponse get(ApiRequest request) {
        return ErrorFrame.answer(request, exchange -> ApiResponse.json(200, view(webhooks.get(request.tenantId(), request.pathParameter("id"))),
                exchange.headers()));
    }

    /** {@code DELETE /webhooks/{id}} */
    public ApiResponse unsubscribe(ApiRequest request) {
        return ErrorFrame.answer(request, exchange -> {
            String id = request.pathParameter("id");
            webhooks.unsubscribe(request.tenantId(), id);
            return ApiResponse.json(200, Map.of("id", id), exchange.headers());
        });
    }

    /** {@code POST /webhooks/{id}/replay}: the parked deliveries sent again, in order, for as long as the request may. */
    public ApiResponse replay(ApiRequest request) {
        return ErrorFrame.answer(request, exchange -> {
            String id = request.pathParameter("id");
            WebhookDeliverer.Report report = deliverer.replay(webhooks.get(request.tenantId(), id), Deadline.in(time, REPLAY_TIME).instant());
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("id", id);
            json.put("status", report.status().name().toLowerCase(Locale.ROOT));
            json.put("delivered", report.delivered());
            json.put("retry_at", report.retryAt() == null ? null : report.retryAt().toString());
            return ApiResponse.json(200, json, exchange.headers());
        });
    }

    /** A subscription as the API shows it: never its secret. */
    static Map<String, Object> view(Webhook webhook) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", webhook.id());
        json.put("target_url", webhook.targetUrl());
        json.put("event_types", webhook.eventTypes());
        json.put("integrated_account_id", webhook.integratedAccountId());
        json.put("created_at", webhook.createdAt().toString());
        return json;
    }
}
