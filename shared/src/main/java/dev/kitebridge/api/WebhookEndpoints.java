package dev.kitebridge.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import dev.kitebridge.sync.ChangeEvent;
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
    private static final java.time.Duration REPLAY_TIME = java.time.Duration.ofSeconds(20);

    private final WebhooksService webhooks;
    private final WebhookDeliverer deliverer;

    public WebhookEndpoints(WebhooksService webhooks, WebhookDeliverer deliverer) {
        this.webhooks = webhooks;
        this.deliverer = deliverer;
    }

    public ApiResponse handle(ApiRequest request) {
        return Responses.forTenant(request, headers -> {
            String id = request.pathParameter("id");
            String tenant = request.tenantId();
            return switch (request.method() + (id == null ? "" : " id")) {
                case "POST" -> {
                    JsonBody body = JsonBody.parse(request.body(), Set.of("target_url", "event_types", "integrated_account_id"));
                    Webhook made = webhooks.subscribe(tenant, body.requiredString("target_url", WebhookTargets.MAX_LENGTH),
                            body.strings("event_types", ChangeEvent.TYPES.size(), 100),
                            body.string("integrated_account_id", RequestLimits.MAX_ID));
                    Map<String, Object> json = view(made);
                    json.put("signing_secret", made.signingSecret());
                    yield ApiResponse.json(201, json, headers);
                }
                case "GET" -> Responses.wholeList(webhooks.list(tenant).stream().map(WebhookEndpoints::view).toList(), headers);
                case "GET id" -> ApiResponse.json(200, view(webhooks.get(tenant, id)), headers);
                case "POST id" -> {
                    if (!request.path().endsWith("/replay")) {
                        yield Responses.error(405, "method_not_allowed", "POST is not allowed here", request, headers, Map.of());
                    }
                    // POST /webhooks/{id}/replay: the parked deliveries sent again, in order, for as long as the request may.
                    WebhookDeliverer.Report report = deliverer.replay(webhooks.get(tenant, id), java.time.Instant.now().plus(REPLAY_TIME));
                    Map<String, Object> json = new LinkedHashMap<>();
                    json.put("id", id);
                    json.put("status", report.status().name().toLowerCase(java.util.Locale.ROOT));
                    json.put("delivered", report.delivered());
                    json.put("retry_at", report.retryAt() == null ? null : report.retryAt().toString());
                    yield ApiResponse.json(200, json, headers);
                }
                case "DELETE id" -> {
                    webhooks.unsubscribe(tenant, id);
                    yield ApiResponse.json(200, Map.of("id", id), headers);
                }
                default -> Responses.error(405, "method_not_allowed", request.method() + " is not allowed here", request, headers, Map.of());
            };
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
