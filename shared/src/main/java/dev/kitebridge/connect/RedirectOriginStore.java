package dev.kitebridge.connect;

import java.util.List;

/** Each tenant's allowed redirect origins: where a connect page may send the customer back to. */
public interface RedirectOriginStore {

    /** The tenant's origins ({@code https://app.example.com}), in the order set; empty if none were. */
    List<String> origins(String tenantId);

    /** Replaces the tenant's origins (an empty list allows none). */
    void set(String tenantId, List<String> origins);
}
