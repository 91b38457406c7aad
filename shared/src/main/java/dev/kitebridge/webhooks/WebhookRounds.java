package dev.kitebridge.webhooks;

import java.time.Instant;
import java.util.List;

import dev.kitebridge.events.Publication;
import dev.kitebridge.events.Publications;

/**
 * When deliveries happen: right after a run's events are published (the worker that published
 * them), and on a tick for every account (retries whose time has come, receivers that are back).
 * A subscription whose receiver is waiting out a backoff costs the tick one read; nothing here
 * sleeps until a retry is due.
 */
public final class WebhookRounds {

    private static final System.Logger LOG = System.getLogger(WebhookRounds.class.getName());
    private final Publications syncs;
    private final WebhookDeliverer deliverer;

    public WebhookRounds(Publications syncs, WebhookDeliverer deliverer) {
        this.syncs = syncs;
        this.deliverer = deliverer;
    }

    /**
     * Delivers what the account published, right after one of its runs ended (the worker that ended
     * it names the account, and its publication mark where its turn published the run or found it
     * published, a resumed run's end: then no turn reads it again; and the run's events where its turn
     * published them: then no turn reads them again either). A failure is logged here and goes no
     * further: the tick delivers what is left.
     */
    public List<WebhookDeliverer.Report> afterRun(String tenantId, String accountId, Publication published, Instant deadline) {
        try {
            // Without a mark, read by each turn: the run that ended may be an unlinked account's, never published.
            return deliverer.deliverAccounts(List.of(new WebhookDeliverer.Account(tenantId, accountId, published)), deadline);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "delivering the events of account " + accountId
                    + " at the end of a sync run failed; the delivery tick retries", e);
            return List.of();
        }
    }

    /**
     * The tick: every account's subscriptions, each subscription's turn at each account side by
     * side and bounded (see {@link WebhookDeliverer#deliverAccounts}), so that no account or
     * receiver holds up the others.
     */
    public List<WebhookDeliverer.Report> everyAccount(Instant deadline) {
        List<WebhookDeliverer.Account> accounts = syncs.feeds().stream()
                .map(a -> new WebhookDeliverer.Account(a.tenantId(), a.accountId(), new Publication(a.publishedThrough(), null))).toList();
        return deliverer.deliverAccounts(accounts, deadline);
    }
}
